package io.muster.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Lints and renders helm/muster with Helm's own engine (helm-java, no helm CLI), for the default
 * values and the variants an operator would use, and checks what makes a Raft cluster safe on
 * Kubernetes: stable identities and volumes, a peer list that matches replicaCount, readiness on the
 * quorum group, a disruption budget that keeps a majority, the restricted security profile, and no
 * secret in a ConfigMap.
 */
class HelmChartTest {

    static final Path CHART = Path.of("helm", "muster").toAbsolutePath();

    @Test
    void theChartLintsCleanly() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void theDefaultsRenderAQuorumSafeStatefulSet() {
        Rendered rendered = render(Map.of());
        assertThat(rendered.kinds()).contains("StatefulSet", "Service", "PodDisruptionBudget", "ConfigMap")
                .doesNotContain("Secret", "ServiceMonitor", "NetworkPolicy");

        Map<String, Object> set = rendered.one("StatefulSet");
        Map<String, Object> spec = map(set, "spec");
        assertThat(spec.get("replicas")).isEqualTo(3);
        assertThat(spec.get("podManagementPolicy")).isEqualTo("Parallel");
        assertThat(spec.get("serviceName")).isEqualTo("test-muster-headless");
        assertThat(list(spec, "volumeClaimTemplates")).hasSize(1);

        Map<String, Object> pod = map(map(spec, "template"), "spec");
        assertThat(pod.get("automountServiceAccountToken")).isEqualTo(false);
        assertThat(pod.get("terminationGracePeriodSeconds")).isEqualTo(60);
        Map<String, Object> container = container(pod);
        assertThat(path(container, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
        assertThat(path(container, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat(path(container, "startupProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat(env(container, "MUSTER_PEERS")).isEqualTo(peers(3));
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
        Rendered rendered = render(Map.of("replicaCount", 5));
        Map<String, Object> set = rendered.one("StatefulSet");
        assertThat(path(set, "spec", "replicas")).isEqualTo(5);
        assertThat(env(container(map(map(map(set, "spec"), "template"), "spec")), "MUSTER_PEERS")).isEqualTo(peers(5));
        assertThat(path(rendered.one("PodDisruptionBudget"), "spec", "maxUnavailable")).isEqualTo(1);
    }

    @Test
    void theBootstrapTokenComesFromASecretAndNeverFromTheConfigMap() {
        Rendered generated = render(Map.of("auth.bootstrapToken", "a-bootstrap-token-of-enough-length-42"));
        Map<String, Object> secret = generated.one("Secret");
        assertThat(new String(java.util.Base64.getDecoder().decode((String) map(secret, "data").get("token"))))
                .isEqualTo("a-bootstrap-token-of-enough-length-42");
        Map<String, Object> fromSecret = map(map(envEntry(container(map(map(map(generated.one("StatefulSet"), "spec"),
                "template"), "spec")), "MUSTER_SECURITY_BOOTSTRAP_TOKEN"), "valueFrom"), "secretKeyRef");
        assertThat(fromSecret).containsEntry("name", "test-muster-auth").containsEntry("key", "token");
        String config = (String) map(generated.one("ConfigMap"), "data").get("application.yml");
        assertThat(config).doesNotContain("a-bootstrap-token-of-enough-length-42").doesNotContain("token:");
        Map<String, Object> application = new Yaml().load(config);
        assertThat(path(application, "muster", "raft", "bind-address")).isEqualTo("0.0.0.0");
        assertThat(path(application, "muster", "data-dir")).isEqualTo("/data");

        Rendered existing = render(Map.of("auth.existingSecret", "ops-muster", "auth.existingSecretKey", "admin"));
        assertThat(existing.kinds()).doesNotContain("Secret");
        Map<String, Object> container = container(map(map(map(existing.one("StatefulSet"), "spec"), "template"), "spec"));
        Map<String, Object> ref = map(map(envEntry(container, "MUSTER_SECURITY_BOOTSTRAP_TOKEN"), "valueFrom"), "secretKeyRef");
        assertThat(ref).containsEntry("name", "ops-muster").containsEntry("key", "admin");
    }

    @Test
    void tlsMountsTheSecretsAndSwitchesTheProbesToHttps() {
        Rendered rendered = render(Map.of("tls.raft.enabled", true, "tls.raft.secretName", "muster-raft-tls",
                "tls.http.enabled", true, "tls.http.secretName", "muster-http-tls"));
        Map<String, Object> pod = map(map(map(rendered.one("StatefulSet"), "spec"), "template"), "spec");
        Map<String, Object> container = container(pod);
        assertThat(path(container, "readinessProbe", "httpGet", "scheme")).isEqualTo("HTTPS");
        assertThat(list(pod, "volumes").stream().map(volume -> (Object) ((Map<?, ?>) volume).get("name")).toList())
                .contains("raft-tls", "http-tls");
        Map<String, Object> application = new Yaml().load((String) map(rendered.one("ConfigMap"), "data")
                .get("application.yml"));
        assertThat(path(application, "muster", "raft", "tls", "enabled")).isEqualTo(true);
        assertThat(path(application, "muster", "raft", "tls", "trusted-certificates")).isEqualTo("/etc/muster/raft/ca.crt");
        assertThat(path(application, "server", "ssl", "bundle")).isEqualTo("api");
        assertThatThrownBy(() -> render(Map.of("tls.raft.enabled", true))).hasMessageContaining("tls.raft.secretName");
    }

    @Test
    void theNetworkPolicyOpensRaftOnlyToTheStatefulSetsOwnPods() {
        Rendered rendered = render(Map.of("networkPolicy.enabled", true, "serviceMonitor.enabled", true));
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
    }

    // ---- rendering and navigating the rendered objects ----

    record Rendered(List<Map<String, Object>> objects) {

        List<String> kinds() {
            return objects.stream().map(object -> (String) object.get("kind")).toList();
        }

        Map<String, Object> one(String kind) {
            List<Map<String, Object>> found = objects.stream().filter(object -> kind.equals(object.get("kind"))).toList();
            assertThat(found).as("exactly one " + kind).hasSize(1);
            return found.get(0);
        }

        Map<String, Object> named(String kind, String name) {
            return objects.stream().filter(object -> kind.equals(object.get("kind"))
                    && name.equals(path(object, "metadata", "name"))).findFirst().orElseThrow();
        }
    }

    static Rendered render(Map<String, Object> values) {
        TemplateCommand template = new Helm(CHART).template().withName("test").withNamespace("coord")
                .withKubeVersion("1.30.0");
        values.forEach(template::set);
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml().loadAll(template.call())) {
            if (document != null) {
                objects.add(cast(document));
            }
        }
        return new Rendered(objects);
    }

    static String peers(int count) {
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            peers.add("test-muster-" + i + "=test-muster-" + i + ".test-muster-headless.coord.svc.cluster.local:7070");
        }
        return String.join(",", peers);
    }

    static Map<String, Object> container(Map<String, Object> pod) {
        List<Object> containers = list(pod, "containers");
        assertThat(containers).hasSize(1);
        return cast(containers.get(0));
    }

    static Map<String, Object> envEntry(Map<String, Object> container, String name) {
        return list(container, "env").stream().map(HelmChartTest::cast).filter(entry -> name.equals(entry.get("name")))
                .findFirst().orElseThrow(() -> new AssertionError("no env " + name));
    }

    static Object env(Map<String, Object> container, String name) {
        return envEntry(container, name).get("value");
    }

    static Object path(Map<String, Object> object, String... keys) {
        Object current = object;
        for (String key : keys) {
            assertThat(current).as("at " + key).isInstanceOf(Map.class);
            current = ((Map<?, ?>) current).get(key);
        }
        return current;
    }

    static Map<String, Object> map(Map<String, Object> object, String key) {
        return cast(object.get(key));
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> object, String key) {
        return (List<Object>) object.get(key);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Object object) {
        return (Map<String, Object>) object;
    }
}
