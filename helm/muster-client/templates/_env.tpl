{{- /*
muster-client.env: the environment entries that point an application at Muster, for a container's env.

  env:
    {{- include "muster-client.env" (dict "url" "http://muster.coord.svc.cluster.local:8080"
          "tokenSecret" (dict "name" "payments-muster-token" "key" "token")
          "mode" "configserver") | nindent 12 }}

  url          Muster's client Service, scheme and port included (NOTES.txt of the muster chart prints it)
  tokenSecret  the Secret in the application's namespace that holds its token's secret: name, key (default token)
  mode         configserver: the stock spring-cloud-starter-config client (SPRING_CONFIG_IMPORT,
               SPRING_CLOUD_CONFIG_TOKEN, SPRING_CLOUD_CONFIG_FAILFAST);
               eureka: the stock eureka client, through SPRING_APPLICATION_JSON (defaultZone with the
               token as the password, prefer-ip-address, the pod's name as instance id, delta off).
               EUREKA_CLIENT_SERVICEURL_DEFAULTZONE would not bind: the map key would be defaultzone.

The secret is referenced (secretKeyRef), never copied into the rendered objects; the other variables
take it by Kubernetes' $(MUSTER_TOKEN) expansion. POD_NAME, POD_IP and POD_NAMESPACE come from the
downward API, for instance ids and logs. SPRING_CLOUD_CONFIG_FAILFAST is the variable that binds
spring.cloud.config.fail-fast (an underscore would stand for a dot: ..._FAIL_FAST binds fail.fast).
*/ -}}
{{- define "muster-client.env" -}}
{{- $url := required "muster-client.env: url (Muster's client Service URL) is required" .url | trimSuffix "/" -}}
{{- $secret := required "muster-client.env: tokenSecret (name, key) is required" .tokenSecret -}}
{{- $mode := .mode | default "configserver" -}}
{{- if not (has $mode (list "configserver" "eureka")) -}}
{{- fail (printf "muster-client.env: mode %q is not offered (configserver and eureka are)" $mode) -}}
{{- end -}}
- name: MUSTER_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ required "muster-client.env: tokenSecret.name is required" $secret.name | quote }}
      key: {{ $secret.key | default "token" | quote }}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{- if eq $mode "configserver" }}
- name: SPRING_CONFIG_IMPORT
  value: {{ printf "configserver:%s/config" $url | quote }}
- name: SPRING_CLOUD_CONFIG_TOKEN
  value: "$(MUSTER_TOKEN)"
- name: SPRING_CLOUD_CONFIG_FAILFAST
  value: "true"
{{- else }}
{{- $parts := splitList "://" $url }}
- name: SPRING_APPLICATION_JSON
  value: {{ printf "{\"eureka\":{\"client\":{\"service-url\":{\"defaultZone\":\"%s://token:$(MUSTER_TOKEN)@%s/eureka/\"},\"disable-delta\":true},\"instance\":{\"prefer-ip-address\":true,\"instance-id\":\"$(POD_NAME)\"}}}" (first $parts) (last $parts) | quote }}
{{- end }}
{{- end -}}
