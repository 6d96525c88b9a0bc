package io.muster.helm;

import static io.muster.helm.RenderedChart.cast;
import static io.muster.helm.RenderedChart.container;
import static io.muster.helm.RenderedChart.envEntry;
import static io.muster.helm.RenderedChart.list;
import static io.muster.helm.RenderedChart.map;
import static io.muster.helm.RenderedChart.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Lints and renders helm/muster with Helm's own engine (helm-java, no helm CLI), for the default
 * values and the variants an operator would use, and checks what makes a Raft cluster safe on
 * Kubernetes: stable identities and volumes, a peer list that matches replicaCount, readiness on the
 * quorum group, a disruption budget that keeps a majority, the restricted security profile, and no
 * secret in a ConfigMap.
 */
class HelmChartTest {

    @Test
    void theChartLintsCleanly() {
        LintResult lint = new Helm(RenderedChart.CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void theDefaultsRenderAQuorumSafeStatefulSet() {
        RenderedChart rendered = render(Map.of());
        assertThat(rendered.kinds()).contains("StatefulSet", "Service", "PodDisruptionBudget", "ConfigMap")
                .doesNotContain("Secret", "ServiceMonitor", "NetworkPolicy");

        Map<String, Object> set = rendered.one("StatefulSet");
        Map<String, Object> spec = map(set, "spec");
        assertThat(spec.get("replicas")).isEqualTo(3);
        assertThat(spec.get("podManagementPolicy")).isEqualTo("Parallel");
        assertThat(spec.get("serviceName")).isEqualTo("test-muster-headless");
        assertThat(list(spec, "volumeClaimTemplates")).hasSize(1);
        assertThat(path(spec, "persistentVolumeClaimRetentionPolicy", "whenScaled")).isEqualTo("Delete");
        assertThat(path(spec, "persistentVolumeClaimRetentionPolicy", "whenDeleted")).isEqualTo("Retain");

        Map<String, Object> pod = map(map(spec, "template"), "spec");
        assertThat(pod.get("automountServiceAccountToken")).isEqualTo(false);
        assertThat(pod.get("terminationGracePeriodSeconds")).isEqualTo(60);
        Map<String, Object> container = container(pod);
        assertThat(path(container, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
        assertThat(path(container, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat(path(container, "startupProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat(rendered.membersProperties()).contains("muster.peers=" + peers(3) + "\n")
                .contains("muster.membership.desired-generation=1");
        assertThat(list(container, "env")).as("the voters are not in the pod template: scaling restarts no pod")
                .noneMatch(entry -> "MUSTER_PEERS".equals(cast(entry).get("name")));
        assertThat(path(envEntry(container, "MUSTER_NODE_ID"), "valueFrom", "fieldRef", "fieldPath"))
                .isEqualTo("metadata.name");
        assertThat(list(container, "env")).as("no bootstrap token: the first leader generates one")
                .noneMatch(entry -> "MUSTER_SECURITY_BOOTSTRAP_TOKEN".equals(cast(entry).get("name")));

        Map<String, Object> headless = rendered.named("Service", "test-muster-headless");
        assertThat(path(headless, "spec", "clusterIP")).isEqualTo("None");
        assertThat(path(headless, "spec", "publishNotReadyAddresses")).isEqualTo(true);
        assertThat(path(rendered.one("PodDisruptionBudget"), "spec", "maxUnavailable")).isEqualTo(1);
    }

    @Test
    void podsMeetTheRestrictedPodSecurityProfile() {
        Map<String, Object> pod = map(map(map(render(Map.of()).one("StatefulSet"), "spec"), "template"), "spec");
        Map<String, Object> podSecurity = map(pod, "securityContext");
        assertThat(podSecurity).containsEntry("runAsNonRoot", true);
        assertThat(path(podSecurity, "seccompProfile", "type")).isEqualTo("RuntimeDefault");
        assertThat((Integer) podSecurity.get("runAsUser")).isPositive();
        Map<String, Object> security = map(container(pod), "securityContext");
        assertThat(security).containsEntry("allowPrivilegeEscalation", false).containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("runAsNonRoot", true);
        assertThat(path(security, "capabilities", "drop")).isEqualTo(List.of("ALL"));
        assertThat(list(pod, "volumes")).anySatisfy(volume -> assertThat(((Map<?, ?>) volume).get("name"))
                .isEqualTo("tmp"));
    }

    @Test
    void fiveReplicasGetFivePeersAndTheSameDisruptionBudget() {
        RenderedChart rendered = render(Map.of("replicaCount", 5));
        Map<String, Object> set = rendered.one("StatefulSet");
        assertThat(path(set, "spec", "replicas")).isEqualTo(5);
        assertThat(rendered.membersProperties()).contains("muster.peers=" + peers(5) + "\n");
        assertThat(path(rendered.one("PodDisruptionBudget"), "spec", "maxUnavailable")).isEqualTo(1);
        assertThat(path(set, "spec", "template")).as("the same pod template as with 3: scaling restarts no pod")
                .isEqualTo(path(render(Map.of()).one("StatefulSet"), "spec", "template"));
    }

    @Test
    void theBootstrapTokenComesFromASecretAndNeverFromTheConfigMap() {
        RenderedChart generated = render(Map.of("auth.bootstrapToken", "a-bootstrap-token-of-enough-length-42"));
        Map<String, Object> secret = generated.one("Secret");
        assertThat(new String(java.util.Base64.getDecoder().decode((String) map(secret, "data").get("token"))))
                .isEqualTo("a-bootstrap-token-of-enough-length-42");
        Map<String, Object> fromSecret = map(map(envEntry(container(map(map(map(generated.one("StatefulSet"), "spec"),
                "template"), "spec")), "MUSTER_SECURITY_BOOTSTRAP_TOKEN"), "valueFrom"), "secretKeyRef");
        assertThat(fromSecret).containsEntry("name", "test-muster-auth").containsEntry("key", "token");
        String config = generated.applicationYml();
        assertThat(config).doesNotContain("a-bootstrap-token-of-enough-length-42").doesNotContain("token:");
        Map<String, Object> application = new Yaml().load(config);
        assertThat(path(application, "muster", "raft", "bind-address")).isEqualTo("0.0.0.0");
        assertThat(path(application, "muster", "data-dir")).isEqualTo("/data");
        assertThat(path(application, "muster", "membership", "auto-join")).isEqualTo(true);
        assertThat(path(application, "spring", "config", "import")).isEqualTo("optional:file:members/members.properties");

        RenderedChart existing = render(Map.of("auth.existingSecret", "ops-muster", "auth.existingSecretKey", "admin"));
        assertThat(existing.kinds()).doesNotContain("Secret");
        Map<String, Object> container = container(map(map(map(existing.one("StatefulSet"), "spec"), "template"), "spec"));
        Map<String, Object> ref = map(map(envEntry(container, "MUSTER_SECURITY_BOOTSTRAP_TOKEN"), "valueFrom"), "secretKeyRef");
        assertThat(ref).containsEntry("name", "ops-muster").containsEntry("key", "admin");
    }

    @Test
    void tlsMountsTheSecretsAndSwitchesTheProbesToHttps() {
        RenderedChart rendered = render(Map.of("tls.raft.enabled", true, "tls.raft.secretName", "muster-raft-tls",
                "tls.http.enabled", true, "tls.http.secretName", "muster-http-tls"));
        Map<String, Object> pod = map(map(map(rendered.one("StatefulSet"), "spec"), "template"), "spec");
        Map<String, Object> container = container(pod);
        assertThat(path(container, "readinessProbe", "httpGet", "scheme")).isEqualTo("HTTPS");
        assertThat(list(pod, "volumes").stream().map(volume -> (Object) ((Map<?, ?>) volume).get("name")).toList())
                .contains("raft-tls", "http-tls");
        Map<String, Object> application = new Yaml().load(rendered.applicationYml());
        assertThat(path(application, "muster", "raft", "tls", "enabled")).isEqualTo(true);
        assertThat(path(application, "muster", "raft", "tls", "trusted-certificates")).isEqualTo("/etc/muster/raft/ca.crt");
        assertThat(path(application, "server", "ssl", "bundle")).isEqualTo("api");
        assertThatThrownBy(() -> render(Map.of("tls.raft.enabled", true))).hasMessageContaining("tls.raft.secretName");
    }

    @Test
    void theNetworkPolicyOpensRaftOnlyToTheStatefulSetsOwnPods() {
        RenderedChart rendered = render(Map.of("networkPolicy.enabled", true, "serviceMonitor.enabled", true));
        Map<String, Object> policy = rendered.one("NetworkPolicy");
        List<Object> ingress = list(map(policy, "spec"), "ingress");
        Map<String, Object> raft = cast(ingress.get(0));
        assertThat(path(cast(list(raft, "ports").get(0)), "port")).isEqualTo("raft");
        assertThat(path(cast(list(raft, "from").get(0)), "podSelector", "matchLabels"))
                .isEqualTo(Map.of("app.kubernetes.io/name", "muster", "app.kubernetes.io/instance", "test"));
        assertThat(path(rendered.one("ServiceMonitor"), "spec", "endpoints")).asList().hasSize(1);
    }

    @Test
    void valuesOutsideTheSchemaAreRefused() {
        assertThatThrownBy(() -> render(Map.of("replicaCount", 4))).hasMessageContaining("replicaCount");
        assertThatThrownBy(() -> render(Map.of("auth.bootstrapToken", "short"))).hasMessageContaining("bootstrapToken");
        assertThatThrownBy(() -> render(Map.of("auth.clientTokens[0].name", "payments")))
                .as("a client token without the Secret that holds its secret").hasMessageContaining("existingSecret");
        assertThatThrownBy(() -> render(Map.of("auth.clientTokens[0].name", "payments",
                "auth.clientTokens[0].existingSecret", "s", "auth.clientTokens[0].secret", "inline-secret-value")))
                .as("a secret value in the values").hasMessageContaining("secret");
    }

    @Test
    void clientTokensReachThePodsFromTheirSecretsAndNowhereElse() {
        RenderedChart rendered = render(Map.of("auth.clientTokens[0].name", "payments",
                "auth.clientTokens[0].prefixes[0]", "config/payments/", "auth.clientTokens[0].prefixes[1]", "config/application/",
                "auth.clientTokens[0].existingSecret", "payments-muster-token", "auth.clientTokens[0].services[0]", "payments",
                "auth.clientTokens[1].name", "deployer", "auth.clientTokens[1].role", "writer",
                "auth.clientTokens[1].existingSecret", "deployer-token", "auth.clientTokens[1].key", "secret"));
        Map<String, Object> container = rendered.container();
        assertThat(RenderedChart.env(container, "MUSTER_SECURITY_DECLAREDTOKENS_0_NAME")).isEqualTo("payments");
        assertThat(RenderedChart.env(container, "MUSTER_SECURITY_DECLAREDTOKENS_0_ROLE")).isEqualTo("reader");
        assertThat(RenderedChart.env(container, "MUSTER_SECURITY_DECLAREDTOKENS_0_PREFIXES"))
                .isEqualTo("config/payments/,config/application/");
        assertThat(path(envEntry(container, "MUSTER_SECURITY_DECLAREDTOKENS_0_SECRET"), "valueFrom", "secretKeyRef"))
                .isEqualTo(Map.of("name", "payments-muster-token", "key", "token"));
        assertThat(RenderedChart.env(container, "MUSTER_SECURITY_DECLAREDTOKENS_0_SERVICES")).isEqualTo("payments");
        assertThat(RenderedChart.env(container, "MUSTER_SECURITY_DECLAREDTOKENS_1_ROLE")).isEqualTo("writer");
        assertThat(path(envEntry(container, "MUSTER_SECURITY_DECLAREDTOKENS_1_SECRET"), "valueFrom", "secretKeyRef"))
                .isEqualTo(Map.of("name", "deployer-token", "key", "secret"));
        assertThat(list(container, "env")).noneMatch(entry -> "MUSTER_SECURITY_DECLAREDTOKENS_1_PREFIXES".equals(cast(entry).get("name")));
        assertThat(rendered.kinds()).as("the chart makes no Secret for client tokens").doesNotContain("Secret");
    }

    @Test
    void theClientServiceCanTellDiscoveryWhereTheConfigServerIs() {
        assertThat(path(rendered("springClients.configPathAnnotation", true), "metadata", "annotations", "configPath"))
                .isEqualTo("/config");
        assertThat(path(rendered("springClients.configPathAnnotation", false), "metadata", "annotations")).isNull();
    }

    private static Map<String, Object> rendered(String key, Object value) {
        return render(Map.of(key, value)).named("Service", "test-muster");
    }

    @Test
    void anApplicationsChartPointsItAtMusterWithTheLibraryChart(@TempDir Path work) throws IOException {
        Path app = work.resolve("app-fixture");
        copy(Path.of("src/test/resources/helm/app-fixture"), app);
        copy(Path.of("helm/muster-client"), app.resolve("charts").resolve("muster-client"));
        RenderedChart rendered = RenderedChart.render(app, "payments", "shop", Map.of());
        Map<String, Object> container = container(map(map(map(rendered.one("Deployment"), "spec"), "template"), "spec"));
        assertThat(RenderedChart.env(container, "SPRING_CONFIG_IMPORT"))
                .isEqualTo("configserver:http://muster.coord.svc.cluster.local:8080/config");
        assertThat(RenderedChart.env(container, "SPRING_CLOUD_CONFIG_TOKEN")).isEqualTo("$(MUSTER_TOKEN)");
        assertThat(RenderedChart.env(container, "SPRING_CLOUD_CONFIG_FAILFAST")).isEqualTo("true");
        assertThat(path(envEntry(container, "MUSTER_TOKEN"), "valueFrom", "secretKeyRef"))
                .isEqualTo(Map.of("name", "payments-muster-token", "key", "token"));
        assertThat(path(envEntry(container, "POD_NAME"), "valueFrom", "fieldRef", "fieldPath")).isEqualTo("metadata.name");
        List<String> names = list(container, "env").stream().map(entry -> (String) cast(entry).get("name")).toList();
        assertThat(names.indexOf("MUSTER_TOKEN")).as("defined before the variables that expand it")
                .isLessThan(names.indexOf("SPRING_CLOUD_CONFIG_TOKEN"));
        Map<String, Object> eureka = container(map(map(map(RenderedChart.render(app, "payments", "shop",
                Map.of("muster.mode", "eureka")).one("Deployment"), "spec"), "template"), "spec"));
        assertThat((String) RenderedChart.env(eureka, "SPRING_APPLICATION_JSON")).contains(
                "\"defaultZone\":\"http://token:$(MUSTER_TOKEN)@muster.coord.svc.cluster.local:8080/eureka/\"",
                "\"instance-id\":\"$(POD_NAME)\"", "\"prefer-ip-address\":true");
        assertThat(list(eureka, "env")).noneMatch(entry -> "SPRING_CONFIG_IMPORT".equals(cast(entry).get("name")));
        assertThatThrownBy(() -> RenderedChart.render(app, "payments", "shop", Map.of("muster.mode", "zookeeper")))
                .hasMessageContaining("not offered");
        assertThatThrownBy(() -> RenderedChart.render(app, "payments", "shop", Map.of("muster.url", "")))
                .hasMessageContaining("url");
    }

    private static void copy(Path from, Path to) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }

    static RenderedChart render(Map<String, Object> values) {
        return RenderedChart.render("test", "coord", values);
    }

    static String peers(int count) {
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            peers.add("test-muster-" + i + "=test-muster-" + i + ".test-muster-headless.coord.svc.cluster.local:7070");
        }
        return String.join(",", peers);
    }
}
