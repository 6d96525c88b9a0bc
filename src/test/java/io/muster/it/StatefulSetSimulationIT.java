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
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The Helm chart's StatefulSet, simulated with real processes: each "pod" is a {@code java -jar}
 * process started with exactly the environment and application.yml the rendered StatefulSet and
 * ConfigMap give it (the bootstrap token from the rendered Secret, the node id from the pod name).
 * Where Kubernetes would provide something, the simulation provides its stand-in, and only that: the
 * pod's volume (a directory, through MUSTER_DATA_DIR), the pod's network namespace (its own loopback
 * address, on which 0.0.0.0 would be the only interface), cluster DNS (a JVM hosts file mapping each
 * pod's stable name to its address), the container's memory limit (a heap cap), and the kubelet's
 * refresh of a mounted ConfigMap (the members file rewritten in place).
 */
class StatefulSetSimulationIT {

    private static final String RELEASE = "sim";
    private static final String NAMESPACE = "coord";
    private static final String TOKEN = "simulation-bootstrap-token-0123456789";
    /** A Secret the operator manages (auth.clientTokens[].existingSecret), as the cluster would hold it. */
    private static final Map<String, Map<String, String>> EXISTING_SECRETS = Map.of(
            "payments-muster-token", Map.of("token", "payments-client-secret-0123456789"));

    /** Kept when a test fails: each pod's pod.log is there. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path root;
    private final List<Pod> pods = new ArrayList<>();

    @AfterEach
    void killAll() {
        pods.forEach(Pod::kill);
    }

    @Test
    void theRenderedStatefulSetFormsOneClusterOnceThePodsNamesResolve() throws IOException {
        int http = TestNode.freePort();
        int raft = TestNode.freePort();
        RenderedChart chart = RenderedChart.render(RELEASE, NAMESPACE, Map.of("replicaCount", 3, "ports.http", http,
                "ports.raft", raft, "auth.bootstrapToken", TOKEN, "auth.clientTokens[0].name", "payments",
                "auth.clientTokens[0].prefixes[0]", "config/payments/", "auth.clientTokens[0].prefixes[1]", "config/application/",
                "auth.clientTokens[0].existingSecret", "payments-muster-token"));
        for (int i = 0; i < 3; i++) {
            pods.add(new Pod(chart, i, root));
        }
        // Cluster DNS has no records for the pods yet (they come when the pods are scheduled): every pod starts,
        // cannot reach a peer, and must keep retrying rather than fail.
        writeHosts(List.of());
        for (Pod pod : pods) {
            pod.start();
        }
        Waits.until("three pods up (live)", TestCluster.DEADLINE,
                () -> pods.stream().allMatch(Pod::live) ? true : null);
        assertThat(pods).as("no pod can be part of a majority before names resolve").noneMatch(Pod::ready);

        writeHosts(pods);
        awaitReady(pods, "three pods once their names resolve");

        write(pods.get(0), "key");
        assertThat(read(pods.get(2), "key")).isEqualTo("key");
        assertThat(voters(pods.get(1))).isEqualTo(wanted(chart));

        // The declared client token, kept by the leader from the operator's Secret, reads its application's
        // configuration the way a stock Spring Cloud Config client sends it, and nothing else.
        String secret = EXISTING_SECRETS.get("payments-muster-token").get("token");
        Http.Response config = Waits.until("the payments token on " + pods.get(1).name, TestCluster.DEADLINE, () -> {
            Http.Response attempt = Http.get(pods.get(1).url("/config/payments/default"), "Authorization", "",
                    "X-Config-Token", secret);
            return attempt.status() == 401 ? null : attempt;
        });
        assertThat(config.status()).as(config.toString()).isEqualTo(200);
        assertThat(Http.get(pods.get(1).url("/config/orders/default"), "Authorization", "", "X-Config-Token", secret)
                .status()).isEqualTo(403);
    }

    @Test
    void helmUpgradesScaleTheClusterFromThreeToFiveAndBackWithoutAnyCallByHand() throws IOException {
        int http = TestNode.freePort();
        int raft = TestNode.freePort();
        Map<String, Object> values = new LinkedHashMap<>(Map.of("ports.http", http, "ports.raft", raft,
                "auth.bootstrapToken", TOKEN));
        RenderedChart three = release(values, 3, 1);
        for (int i = 0; i < 5; i++) {
            pods.add(new Pod(three, i, root));
        }
        writeHosts(pods);
        for (Pod pod : pods.subList(0, 3)) {
            pod.start();
        }
        awaitReady(pods.subList(0, 3), "the first three pods");
        write(pods.get(0), "before-scale");

        // helm upgrade --set replicaCount=5: the members ConfigMap changes in place (the kubelet refreshes the
        // file in the running pods), the pod template does not (HelmChartTest), and the StatefulSet adds two pods.
        RenderedChart five = release(values, 5, 2);
        for (Pod pod : pods.subList(0, 3)) {
            pod.refreshMembers(five);
        }
        for (int i = 3; i < 5; i++) {
            pods.set(i, new Pod(five, i, root));
            pods.get(i).start();
        }
        awaitReady(pods, "five pods");
        Waits.until("five voters", TestCluster.DEADLINE,
                () -> voters(pods.get(0)).equals(wanted(five)) && noneCatchingUp(pods.get(0)) ? true : null);
        write(pods.get(4), "with-five");
        assertThat(read(pods.get(3), "before-scale")).isEqualTo("before-scale");

        // helm upgrade --set replicaCount=3: the StatefulSet deletes the two highest pods (SIGTERM), the members
        // ConfigMap changes in place, and the leader removes the two from the configuration.
        RenderedChart threeAgain = release(values, 3, 3);
        pods.get(4).stop();
        pods.get(3).stop();
        for (Pod pod : pods.subList(0, 3)) {
            pod.refreshMembers(threeAgain);
        }
        Waits.until("three voters again", TestCluster.DEADLINE,
                () -> voters(pods.get(1)).equals(wanted(threeAgain)) ? true : null);
        awaitReady(pods.subList(0, 3), "the three remaining pods");
        write(pods.get(2), "after-scale-down");
        for (Pod pod : pods.subList(0, 3)) {
            assertThat(read(pod, "with-five")).isEqualTo("with-five");
        }
    }

    /** The chart rendered for {@code replicas}, as Helm's release {@code revision} ({@code helm template} says 1). */
    private static RenderedChart release(Map<String, Object> values, int replicas, int revision) {
        Map<String, Object> all = new LinkedHashMap<>(values);
        all.put("replicaCount", replicas);
        RenderedChart chart = RenderedChart.render(RELEASE, NAMESPACE, all);
        return chart.withRevision(revision);
    }

    private static void awaitReady(List<Pod> pods, String what) {
        Waits.until(what + " ready", java.time.Duration.ofSeconds(90),
                () -> pods.stream().allMatch(Pod::ready) ? true : null);
    }

    /**
     * Writes {@code key} through the pod. Ready means part of the majority with a bounded apply lag, so a
     * pod just ready may not have applied the leader's bootstrap token yet (401): that is retried.
     */
    private static void write(Pod pod, String key) {
        Http.Response put = Waits.until(pod.name + " writes " + key, TestCluster.DEADLINE, () -> {
            Http.Response attempt = Http.put(pod.url("/v1/kv/sim/" + key), key, "Content-Type", "text/plain",
                    "Authorization", Http.bearer(TOKEN), "If-None-Match", "*");
            return attempt.status() == 401 || attempt.status() == 503 ? null : attempt;
        });
        assertThat(put.status()).as(put.toString()).isIn(201, 412);
    }

    /** The key's value once the pod answers for it (a linearizable read, retried while the pod catches up). */
    private static String read(Pod pod, String key) {
        return Waits.until(pod.name + " reads " + key, TestCluster.DEADLINE, () -> {
            Http.Response read = Http.get(pod.url("/v1/kv/sim/" + key), "Authorization", Http.bearer(TOKEN));
            return read.status() == 200 ? read.text() : null;
        });
    }

    /** The voters the pod's node sees, as id=address in id order. */
    private static String voters(Pod pod) {
        JsonNode cluster = Http.get(pod.url("/v1/cluster"), "Authorization", Http.bearer(TOKEN)).json();
        List<String> members = new ArrayList<>();
        cluster.path("members").forEach(member -> {
            if (member.path("voting").asBoolean()) {
                members.add(member.path("id").asString() + "=" + member.path("address").asString());
            }
        });
        return String.join(",", members.stream().sorted().toList());
    }

    private static boolean noneCatchingUp(Pod pod) {
        JsonNode cluster = Http.get(pod.url("/v1/cluster"), "Authorization", Http.bearer(TOKEN)).json();
        for (JsonNode member : cluster.path("members")) {
            if (member.path("promoting").asBoolean() || !member.path("voting").asBoolean()) {
                return false;
            }
        }
        return true;
    }

    /** The voters the rendered members ConfigMap wants, as id=address in id order. */
    private static String wanted(RenderedChart chart) {
        String line = chart.membersProperties().lines().filter(text -> text.startsWith("muster.peers="))
                .findFirst().orElseThrow();
        return String.join(",", java.util.Arrays.stream(line.substring("muster.peers=".length()).split(","))
                .sorted().toList());
    }

    private void writeHosts(List<Pod> resolvable) throws IOException {
        StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
        for (Pod pod : resolvable) {
            hosts.append(pod.ip).append(' ').append(pod.dnsName).append('\n');
        }
        replace(root.resolve("hosts"), hosts.toString());
    }

    /** Replaces {@code file} in one step, as the kubelet swaps a mounted ConfigMap: no reader sees half of it. */
    private static void replace(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.writeString(partial, content, StandardCharsets.UTF_8);
        Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
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
        private String membersProperties;
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
            this.membersProperties = chart.membersProperties();
        }

        /** What the kubelet does when a mounted ConfigMap changes: the file changes under the running pod. */
        void refreshMembers(RenderedChart chart) throws IOException {
            membersProperties = chart.membersProperties();
            writeMembers();
        }

        private void writeMembers() throws IOException {
            replace(dir.resolve("members").resolve("members.properties"), membersProperties);
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
            Map<String, String> existing = EXISTING_SECRETS.get((String) secretRef.get("name"));
            if (existing != null) {
                return existing.get((String) secretRef.get("key"));
            }
            Map<String, Object> secret = chart.named("Secret", (String) secretRef.get("name"));
            String encoded = (String) map(secret, "data").get(secretRef.get("key"));
            return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        }

        void start() throws IOException {
            Files.createDirectories(dir.resolve("config"));
            Files.writeString(dir.resolve("config").resolve("application.yml"), applicationYml);
            writeMembers();
            // The image's entry point gives the JVM the Processes.QUIET options; the chart's environment adds its own.
            List<String> command = new ArrayList<>(List.of(Processes.java(), "-Xmx256m", "-XX:TieredStopAtLevel=1"));
            command.addAll(Processes.QUIET);
            command.addAll(List.of("-Djdk.net.hosts.file=" + dir.getParent().resolve("hosts"), "-jar",
                    Processes.jar().toString()));
            ProcessBuilder builder = new ProcessBuilder(command)
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

        void stop() {
            Processes.stop(process);
        }
    }
}
