package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.core.ClusterVersion;
import io.muster.it.ProcessNode.Answer;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A rolling upgrade from the previous build, as {@code helm upgrade} does it: three {@code java -jar}
 * processes of {@link #PREVIOUS} (the last build that landed, which supports cluster version 3) form a
 * cluster; under a steady writer and a resuming watcher each node in turn is stopped with SIGTERM and
 * started again on the same data directory with this build. While an old node is a member, the cluster
 * stays at version 3 and a feature of version 4 (a configuration release) is refused with 409
 * naming the old members; once the last one is replaced the version rises by itself and the feature
 * works. Nothing acknowledged is lost, the watcher sees every acknowledged write in order with no gap,
 * and the digests agree.
 */
class UpgradeIT {

    /** The previous build ("N-1"): the last commit that landed, at cluster version 3. */
    static final String PREVIOUS = "2abf4c1a1ff1390a3ed417e75cc3acc01b8428db";
    private static final int PREVIOUS_VERSION = 3;
    private static final String RELEASE = "{\"title\":\"%s\",\"documents\":[{\"app\":\"upgraded\",\"profile\":\"default\","
            + "\"content\":\"greeting: %s\"}]}";
    private static final String SCOPED_TOKEN = "{\"name\":\"%s\",\"roles\":[\"writer\"],\"services\":[\"payments\"]}";
    private static final Duration CAUGHT_UP = Duration.ofSeconds(60);
    private static final HttpClient WATCHES = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @TempDir
    Path root;
    private NetLab lab;
    private final List<ProcessNode> nodes = new ArrayList<>();
    private final ExecutorService load = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        load.shutdownNow();
        nodes.forEach(ProcessNode::kill);
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aRollingUpgradeFromThePreviousBuildLosesNothingThenRaisesTheClusterVersion() throws Exception {
        Path previous = OldBuild.jar(PREVIOUS);
        lab = NetLab.create(4);
        for (int slot = 1; slot <= 3; slot++) {
            ProcessNode node = new ProcessNode(lab, slot, root.resolve("u" + slot), Map.of());
            node.runs(List.of("-jar", previous.toString()));
            nodes.add(node);
        }
        String peers = nodes.stream().map(ProcessNode::peerEntry).collect(Collectors.joining(","));
        for (ProcessNode node : nodes) {
            node.start(peers);
        }
        Waits.until("the old cluster taking writes on every node", TestCluster.DEADLINE, () -> nodes.stream()
                .allMatch(node -> ok(node.send("PUT", "/v1/kv/u/warm-" + node.id, "w", "text/plain")))
                ? true : null);
        long from = nodes.get(0).get("/v1/cluster").path("appliedIndex").asLong() + 1;

        AtomicBoolean stopping = new AtomicBoolean();
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        Map<String, Long> writeFailures = new ConcurrentHashMap<>();
        Watcher watcher = new Watcher(from);
        Future<?> writer = load.submit(() -> write(stopping, acknowledged, writeFailures));
        Future<?> watching = load.submit(() -> watcher.watch(stopping));

        for (ProcessNode node : nodes) {
            Thread.sleep(1_000); // let writes flow between replacements
            long committed = leader().status().path("commitIndex").asLong();
            // Old and new builds side by side: every node, of either build, applies what the leader committed.
            for (ProcessNode other : nodes) {
                Waits.until(other + " applying the mixed cluster's log to " + committed, CAUGHT_UP, () -> {
                    JsonNode status = other.status();
                    return status != null && status.path("appliedIndex").asLong() >= committed ? true : null;
                });
            }
            node.stop();
            node.runs(Processes.application());
            node.start(peers);
            Waits.until(node + " (upgraded) caught up to " + committed, CAUGHT_UP, () -> {
                JsonNode status = node.status();
                return status != null && status.path("appliedIndex").asLong() >= committed ? true : null;
            });
            List<String> old = nodes.subList(nodes.indexOf(node) + 1, nodes.size()).stream().map(other -> other.id).toList();
            if (!old.isEmpty()) {
                // Refused, naming the old members, once this node has surveyed them (every second).
                Answer held = Waits.until("a release refused naming " + old, TestCluster.DEADLINE, () -> {
                    Answer answer = node.send("POST", "/v1/releases", RELEASE.formatted("early-" + node.id, node.id),
                            "application/json");
                    return answer.status() == 409 && old.stream().allMatch(answer.body()::contains) ? answer : null;
                });
                assertThat(held.json().path("type").asString()).endsWith("feature-not-enabled");
                assertThat(node.get("/v1/cluster/version").path("clusterVersion").asInt())
                        .as("with an old member left").isEqualTo(PREVIOUS_VERSION);
            }
        }
        ProcessNode upgraded = nodes.get(0);
        Waits.until("the cluster version rising to " + ClusterVersion.SUPPORTED, TestCluster.DEADLINE,
                () -> nodes.stream().allMatch(node -> node.get("/v1/cluster/version").path("clusterVersion").asInt()
                        == ClusterVersion.SUPPORTED) ? true : null);
        Thread.sleep(1_000);
        stopping.set(true);
        writer.get(30, TimeUnit.SECONDS);
        watching.get(30, TimeUnit.SECONDS);

        for (int i = 0; i < 3; i++) {
            assertThat(upgraded.send("PUT", "/v1/kv/u/gone/" + i, "x", "text/plain").status()).isEqualTo(201);
        }
        Answer deleted = upgraded.send("DELETE", "/v1/kv?prefix=u/gone/", null, null);
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
        assertThat(deleted.json().path("deleted").asLong()).isEqualTo(3);
        Answer scoped = upgraded.send("POST", "/v1/auth/tokens", SCOPED_TOKEN.formatted("payments-app"), "application/json");
        assertThat(scoped.status()).as(scoped.body()).isEqualTo(201);
        Answer drafted = upgraded.send("POST", "/v1/releases", RELEASE.formatted("after", "upgraded"), "application/json");
        assertThat(drafted.status()).as(drafted.body()).isEqualTo(201);
        Answer published = upgraded.send("POST", "/v1/releases/" + drafted.json().at("/release/id").asLong() + "/publish",
                "{}", "application/json");
        assertThat(published.status()).as(published.body()).isEqualTo(200);

        long last = upgraded.get("/v1/cluster").path("appliedIndex").asLong();
        Waits.until("every node at revision " + last, TestCluster.DEADLINE, () -> nodes.stream()
                .allMatch(node -> node.get("/v1/cluster").path("appliedIndex").asLong() >= last) ? true : null);
        for (Map.Entry<String, String> write : acknowledged.entrySet()) {
            Answer read = upgraded.send("GET", "/v1/kv/" + write.getKey() + "?consistency=linearizable", null, null);
            assertThat(read.status()).as("acknowledged %s", write.getKey()).isEqualTo(200);
            assertThat(read.body()).isEqualTo(write.getValue());
        }
        List<String> seen = watcher.keys();
        List<String> missing = acknowledged.keySet().stream().filter(key -> !seen.contains(key)).sorted().toList();
        assertThat(missing).as("acknowledged writes the watcher never saw").isEmpty();
        assertThat(watcher.outOfOrder).as("revisions that went backwards on the watch").isZero();
        assertThat(watcher.compacted).as("the watcher was told its history was compacted").isFalse();
        waitForEqualDigests();

        // A node of the previous build can no longer be added: it could not apply the log.
        ProcessNode straggler = new ProcessNode(lab, 4, root.resolve("u4"), Map.of());
        straggler.runs(List.of("-jar", previous.toString()));
        nodes.add(straggler);
        straggler.start("");
        // It has no tokens yet (it holds no state), so ask what needs none.
        Waits.until(straggler + " answering", TestCluster.DEADLINE, () -> straggler.clock() != null ? true : null);
        Answer refusedMember = Waits.until("the old build's node refused as a member", TestCluster.DEADLINE, () -> {
            Answer answer = upgraded.send("POST", "/v1/cluster/members", "{\"id\":\"" + straggler.id
                    + "\",\"address\":\"" + straggler.raftAddress() + "\"}", "application/json");
            return answer.status() == 409 && answer.body().contains("member-too-old") ? answer : null;
        });
        assertThat(refusedMember.body()).contains("supports cluster version " + PREVIOUS_VERSION);
        assertThat(upgraded.get("/v1/cluster").path("members")).hasSize(3);
        System.out.printf("upgrade figure: %d writes acknowledged (not acknowledged: %s) across 3 replacements, "
                        + "%d watched, %d watch reconnects, 0 lost%n", acknowledged.size(), writeFailures,
                seen.size(), watcher.reconnects);
        assertThat(acknowledged).hasSizeGreaterThan(20);
    }

    /** Sequential writes of new keys to any running node; what is acknowledged is remembered. */
    private void write(AtomicBoolean stopping, Map<String, String> acknowledged, Map<String, Long> failures) {
        for (int i = 0; !stopping.get() && i < 100_000; i++) {
            ProcessNode node = anyRunning();
            String key = "u/w/" + i;
            String value = "v" + i;
            Answer answer = node.send("PUT", "/v1/kv/" + key, value, "text/plain");
            if (ok(answer)) {
                acknowledged.put(key, value);
            } else {
                failures.merge(answer.neverConnected() ? "not listening" : answer.status() < 0 ? "no answer"
                        : Integer.toString(answer.status()), 1L, Long::sum);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static boolean ok(Answer answer) {
        return answer.status() >= 200 && answer.status() < 300;
    }

    private ProcessNode anyRunning() {
        List<ProcessNode> running = nodes.stream().filter(ProcessNode::alive).toList();
        return running.get((int) (System.nanoTime() % running.size()));
    }

    private ProcessNode leader() {
        return Waits.until("a leader", TestCluster.DEADLINE, () -> nodes.stream().filter(ProcessNode::alive)
                .filter(node -> {
                    JsonNode status = node.status();
                    return status != null && "LEADER".equals(status.path("role").asString());
                }).findFirst().orElse(null));
    }

    private void waitForEqualDigests() {
        Waits.until("equal digests on every node", TestCluster.DEADLINE, () -> {
            List<String> digests = new ArrayList<>();
            for (ProcessNode node : nodes) {
                JsonNode digest = node.get("/v1/cluster/digest");
                digests.add(digest.path("revision").asLong() + ":" + digest.path("sha256").asString());
            }
            return digests.stream().distinct().count() == 1 ? true : null;
        });
    }

    /** A watcher of {@code u/w/} that resumes on another node from its last revision whenever its stream ends. */
    private final class Watcher {
        private final List<String> keys = new CopyOnWriteArrayList<>();
        private volatile long through;
        volatile int reconnects;
        volatile int outOfOrder;
        volatile boolean compacted;

        Watcher(long from) {
            this.through = from - 1;
        }

        List<String> keys() {
            return List.copyOf(keys);
        }

        Void watch(AtomicBoolean stopping) throws InterruptedException {
            while (!stopping.get()) {
                ProcessNode node = anyRunning();
                HttpRequest request = HttpRequest.newBuilder(node.uri("/v1/watch?prefix=u/w/&fromRevision=" + (through + 1)))
                        .timeout(ProcessNode.REQUEST_TIMEOUT).header("Authorization", Http.bearer(TestNode.ADMIN_TOKEN))
                        .header("Accept", "text/event-stream").GET().build();
                HttpResponse<InputStream> response;
                try {
                    response = WATCHES.send(request, HttpResponse.BodyHandlers.ofInputStream());
                } catch (IOException e) {
                    Thread.sleep(100);
                    continue;
                }
                try (SseStream stream = SseStream.reading(response)) {
                    if (response.statusCode() == 410) {
                        compacted = true;
                        return null;
                    }
                    if (response.statusCode() == 200) {
                        read(stream, stopping);
                    } else {
                        Thread.sleep(100);
                    }
                }
                reconnects++;
            }
            return null;
        }

        private void read(SseStream stream, AtomicBoolean stopping) throws InterruptedException {
            while (!stopping.get()) {
                SseStream.Message message = stream.poll(Duration.ofSeconds(4));
                if (message == null || message == SseStream.END) {
                    return;
                }
                if (message.event().equals("change")) {
                    if (message.revision() <= through) {
                        outOfOrder++;
                    }
                    for (JsonNode event : message.json().path("events")) {
                        keys.add(event.path("key").asString());
                    }
                    through = Math.max(through, message.revision());
                } else if (message.event().equals("progress")) {
                    through = Math.max(through, message.revision());
                } else if (message.event().equals("compacted")) {
                    compacted = true;
                    return;
                } else {
                    return; // closed: resume elsewhere
                }
            }
        }
    }
}
