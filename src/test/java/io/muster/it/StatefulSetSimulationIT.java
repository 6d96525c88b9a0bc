package io.muster.it;

import static io.muster.helm.RenderedChart.cast;
import static io.muster.helm.RenderedChart.list;
import static io.muster.helm.RenderedChart.map;
import static io.muster.helm.RenderedChart.path;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.helm.RenderedChart;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The Helm chart's StatefulSet, simulated with real processes: each "pod" is a {@code java -jar}
 * process started with exactly the environment and application.yml the rendered StatefulSet and
 * ConfigMap give it (the bootstrap token from the rendered Secret, the node id from the pod name).
 * Where Kubernetes would provide something, the simulation provides its stand-in, and only that: the
 * pod's volume (a directory, through MUSTER_DATA_DIR), the pod's network namespace (its own loopback
 * address, on which 0.0.0.0 would be the only interface), and cluster DNS (a JVM hosts file mapping each
 * pod's stable name to its address).
 */
class StatefulSetSimulationIT {

    private static final String RELEASE = "sim";
    private static final String NAMESPACE = "coord";
    private static final String TOKEN = "simulation-bootstrap-token-0123456789";

    @TempDir
    Path root;
    private final List<Pod> pods = new ArrayList<>();

    @AfterEach
    void killAll() {
        pods.forEach(Pod::kill);
    }

    @Test
    void theRenderedStatefulSetFormsOneClusterEvenWhenAPeersNameResolvesLate() throws IOException {
        int http = TestNode.freePort();
        int raft = TestNode.freePort();
        RenderedChart chart = RenderedChart.render(RELEASE, NAMESPACE, Map.of("replicaCount", 3, "ports.http", http,
                "ports.raft", raft, "auth.bootstrapToken", TOKEN));
        for (int i = 0; i < 3; i++) {
            pods.add(new Pod(chart, i, root));
        }
        // Pod 2's name does not resolve yet (its DNS record comes late): the others must keep retrying it.
        writeHosts(pods.subList(0, 2));
        for (Pod pod : pods) {
            pod.start();
        }
        Waits.until("pods 0 and 1 ready (a majority of 3)", TestCluster.DEADLINE,
                () -> pods.get(0).ready() && pods.get(1).ready() ? true : null);
        Waits.until("pod 2 up (live)", TestCluster.DEADLINE, () -> pods.get(2).live() ? true : null);
        assertThat(pods.get(2).ready()).as("pod 2 is up but the leader cannot reach it yet").isFalse();

        writeHosts(pods);
        Waits.until("pod 2 ready once its name resolves", java.time.Duration.ofSeconds(90),
                () -> pods.get(2).ready() ? true : null);

        Http.Response put = Http.put(pods.get(0).url("/v1/kv/sim/key"), "from pod 0", "Content-Type", "text/plain",
                "Authorization", Http.bearer(TOKEN));
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        assertThat(Http.get(pods.get(2).url("/v1/kv/sim/key"), "Authorization", Http.bearer(TOKEN)).text())
                .isEqualTo("from pod 0");
        JsonNode cluster = Http.get(pods.get(1).url("/v1/cluster"), "Authorization", Http.bearer(TOKEN)).json();
        List<String> members = new ArrayList<>();
        cluster.path("members").forEach(member -> members.add(member.path("id").asString() + "="
                + member.path("address").asString()));
        assertThat(String.join(",", members)).isEqualTo(
                RenderedChart.env(chart.container(), "MUSTER_PEERS"));
    }

    private void writeHosts(List<Pod> resolvable) throws IOException {
        StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
        for (Pod pod : resolvable) {
            hosts.append(pod.ip).append(' ').append(pod.dnsName).append('\n');
        }
        Path partial = root.resolve("hosts.partial");
        Files.writeString(partial, hosts, StandardCharsets.US_ASCII);
        Files.move(partial, root.resolve("hosts"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** One pod of the StatefulSet as a process, started as the rendered objects say. */
    private static final class Pod {
        final String name;
        final String ip;
        final String dnsName;
        final Path dir;
        final int httpPort;
        final String readinessPath;
        final String livenessPath;
        final Map<String, String> environment = new LinkedHashMap<>();
        final String applicationYml;
        private Process process;

        Pod(RenderedChart chart, int ordinal, Path root) {
            String statefulSet = (String) path(chart.one("StatefulSet"), "metadata", "name");
            String service = (String) path(chart.one("StatefulSet"), "spec", "serviceName");
            this.name = statefulSet + "-" + ordinal;
            this.ip = "127.0.80." + (10 + ordinal);
            this.dnsName = name + "." + service + "." + NAMESPACE + ".svc.cluster.local";
            this.dir = root.resolve(name);
            Map<String, Object> container = chart.container();
            Map<String, Integer> ports = new LinkedHashMap<>();
            list(container, "ports").forEach(port -> ports.put((String) cast(port).get("name"),
                    (Integer) cast(port).get("containerPort")));
            this.httpPort = ports.get("http");
            Map<String, Object> readiness = map(map(container, "readinessProbe"), "httpGet");
            assertThat(readiness.get("port")).isEqualTo("http");
            this.readinessPath = (String) readiness.get("path");
            this.livenessPath = (String) path(container, "livenessProbe", "httpGet", "path");
            for (Object entry : list(container, "env")) {
                Map<String, Object> variable = cast(entry);
                environment.put((String) variable.get("name"), value(chart, variable));
            }
            this.applicationYml = chart.applicationYml();
        }

        private String value(RenderedChart chart, Map<String, Object> variable) {
            if (variable.containsKey("value")) {
                return String.valueOf(variable.get("value"));
            }
            Map<String, Object> from = map(variable, "valueFrom");
            if (from.containsKey("fieldRef")) {
                assertThat(path(from, "fieldRef", "fieldPath")).isEqualTo("metadata.name");
                return name;
            }
            Map<String, Object> secretRef = map(from, "secretKeyRef");
            Map<String, Object> secret = chart.named("Secret", (String) secretRef.get("name"));
            String encoded = (String) map(secret, "data").get(secretRef.get("key"));
            return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        }

        void start() throws IOException {
            Files.createDirectories(dir.resolve("config"));
            Files.writeString(dir.resolve("config").resolve("application.yml"), applicationYml);
            ProcessBuilder builder = new ProcessBuilder(Processes.java(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                    "-Djdk.net.hosts.file=" + dir.getParent().resolve("hosts"), "-jar", Processes.jar().toString())
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("pod.log").toFile()));
            builder.environment().putAll(environment);
            // Kubernetes' stand-ins: the volume, and the pod's own address where 0.0.0.0 means "this pod".
            builder.environment().put("MUSTER_DATA_DIR", dir.resolve("data").toString());
            builder.environment().put("SERVER_ADDRESS", ip);
            builder.environment().put("MUSTER_RAFT_BIND_ADDRESS", ip);
            process = Processes.start(builder);
        }

        String url(String path) {
            return "http://" + ip + ":" + httpPort + path;
        }

        boolean ready() {
            return answers(readinessPath);
        }

        boolean live() {
            return answers(livenessPath);
        }

        private boolean answers(String path) {
            try {
                return Http.get(url(path), "Authorization", "").status() == 200;
            } catch (RuntimeException notListening) {
                return false;
            }
        }

        void kill() {
            Processes.kill(process);
        }
    }
}
