{{/* The chart's name. */}}
{{- define "muster.name" -}}
{{- .Chart.Name | trunc 40 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name; short enough that pod names and their DNS labels stay under 63 characters. */}}
{{- define "muster.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* The headless Service that gives each pod its stable DNS name. */}}
{{- define "muster.headless" -}}
{{- printf "%s-headless" (include "muster.fullname" .) }}
{{- end }}

{{- define "muster.selectorLabels" -}}
app.kubernetes.io/name: {{ include "muster.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "muster.labels" -}}
{{ include "muster.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* The Raft voters: one id=host:port per pod, from replicaCount and the headless Service's DNS names. */}}
{{- define "muster.peers" -}}
{{- $fullname := include "muster.fullname" . }}
{{- $domain := printf "%s.%s.svc.%s" (include "muster.headless" .) .Release.Namespace .Values.clusterDomain }}
{{- $peers := list }}
{{- range $i := until (int .Values.replicaCount) }}
{{- $peers = append $peers (printf "%s-%d=%s-%d.%s:%d" $fullname $i $fullname $i $domain (int $.Values.ports.raft)) }}
{{- end }}
{{- join "," $peers }}
{{- end }}

{{/* The Secret holding the bootstrap admin token. */}}
{{- define "muster.authSecret" -}}
{{- if .Values.auth.existingSecret }}
{{- .Values.auth.existingSecret }}
{{- else }}
{{- printf "%s-auth" (include "muster.fullname" .) }}
{{- end }}
{{- end }}

{{- define "muster.authSecretKey" -}}
{{- if .Values.auth.existingSecret }}
{{- .Values.auth.existingSecretKey }}
{{- else }}
{{- "token" }}
{{- end }}
{{- end }}

{{- define "muster.scheme" -}}
{{- if .Values.tls.http.enabled }}HTTPS{{ else }}HTTP{{ end }}
{{- end }}
