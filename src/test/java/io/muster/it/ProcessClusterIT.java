package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Three real {@code java -jar} processes on loopback: the leader is killed with SIGKILL (no graceful
 * shutdown, no final snapshot), the other two keep accepting writes, and the killed node restarts
 * from its data directory, replays its log and catches up. No acknowledged write is lost and every
 * node ends with the same state digest. A service instance that keeps heart-beating through a
 * follower survives the kill (the new leader restarts its lease at full TTL), and expires once its
 * heartbeats stop.
 */
class ProcessClusterIT {

    @TempDir
    Path root;
    private final List<NodeProcess> nodes = new ArrayList<>();

    @AfterEach
    void killAll() {
        nodes.forEach(NodeProcess::kill);
    }

    @Test
    void aLeaderKilledWithSigkillLosesNoAcknowledgedWriteAndCatchesUpOnRestart() throws IOException {
        for (int i = 1; i <= 3; i++) {
            nodes.add(new NodeProcess("n" + i, root.resolve("n" + i)));
        }
        String peers = nodes.stream().map(NodeProcess::peerEntry).collect(Collectors.joining(","));
        for (NodeProcess node : nodes) {
            node.start(peers);
        }
        Map<String, String> acknowledged = new HashMap<>();
        NodeProcess leader = awaitLeader();
        write(leader, acknowledged, 0, 50);
        NodeProcess survivor = nodes.stream().filter(node -> node != leader).findFirst().orElseThrow();
        Http.Response registered = Http.send(Http.request(survivor.url("/v1/services/api/instances/api-1"),
                "Content-Type", "application/json").PUT(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"address\": \"10.0.0.1\", \"port\": 80, \"ttlSeconds\": 6}")));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        Heartbeats heartbeats = new Heartbeats(survivor.url("/v1/services/api/instances/api-1/heartbeat"));

        leader.kill();
        write(survivor, acknowledged, 50, 100);
        long afterKill = System.nanoTime();
        Waits.until("a heartbeat answered after the kill", TestCluster.DEADLINE,
                () -> heartbeats.lastAnswered > afterKill ? true : null);
        assertThat(Http.get(survivor.url("/v1/services/api?consistency=stale")).json().path("instances").size())
                .as("an instance that kept heart-beating through the leader's SIGKILL").isEqualTo(1);
        heartbeats.stop();
        Waits.until("the instance to expire once its heartbeats stop", Duration.ofSeconds(6 + 10), () ->
                Http.get(survivor.url("/v1/services/api?consistency=stale")).json().path("instances").isEmpty() ? true : null);

        leader.start(peers);
        long revision = status(survivor).path("commitIndex").asLong();
        for (NodeProcess node : nodes) {
            Http.Response page = Waits.until(node.id + " serving revision " + revision, TestCluster.DEADLINE, () -> {
                Http.Response response = Http.get(node.url("/v1/kv?prefix=proc/&limit=1000&minRevision=" + revision));
                return response.status() == 200 ? response : null;
            });
            Map<String, String> found = new HashMap<>();
            page.json().path("items").forEach(item -> found.put(item.path("key").asString(), item.path("value").asString()));
            assertThat(found).as("entries on " + node.id).isEqualTo(acknowledged);
        }
        List<String> digests = Waits.until("equal digests", TestCluster.DEADLINE, () -> {
            List<JsonNode> all = nodes.stream().map(node -> Http.get(node.url("/v1/cluster/digest")).json()).toList();
            boolean sameRevision = all.stream().map(digest -> digest.path("revision").asLong()).distinct().count() == 1;
            return sameRevision ? all.stream().map(digest -> digest.path("sha256").asString()).toList() : null;
        });
        assertThat(digests.stream().distinct()).hasSize(1);
        for (NodeProcess node : nodes) {
            String log = java.nio.file.Files.readString(node.dataDir.resolve("node.log"));
            assertThat(log).as(node.id + "'s log").contains("Started MusterApplication")
                    .doesNotContain(TestNode.ADMIN_TOKEN);
        }
    }

    /** A client heart-beating once a second on its own thread, until stopped; failures are retried. */
    private static final class Heartbeats {
        private final Thread thread;
        private volatile boolean running = true;
        volatile long lastAnswered;

        Heartbeats(String url) {
            thread = new Thread(() -> {
                long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (running && System.nanoTime() < end) {
                    try {
                        if (Http.post(url, "").status() == 200) {
                            lastAnswered = System.nanoTime();
                        }
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        // the node is busy electing a leader: the next beat tries again
                    }
                }
            }, "process-it-heartbeats");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            running = false;
            thread.interrupt();
        }
    }

    private NodeProcess awaitLeader() {
        return Waits.until("a leader", TestCluster.DEADLINE, () -> {
            for (NodeProcess node : nodes) {
                JsonNode status = status(node);
                if (status != null && "LEADER".equals(status.path("role").asString())) {
                    return node;
                }
            }
            return null;
        });
    }

    private static JsonNode status(NodeProcess node) {
        try {
            return Http.get(node.url("/v1/cluster")).json();
        } catch (RuntimeException notUpYet) {
            return null;
        }
    }

    private static void write(NodeProcess node, Map<String, String> acknowledged, int from, int to) {
        for (int i = from; i < to; i++) {
            String key = "proc/key-" + i;
            String value = "value " + i;
            // Create-only makes a retry after "outcome unknown" safe: 412 means the first attempt applied.
            Http.Response response = Waits.until("write " + key, TestCluster.DEADLINE, () -> {
                Http.Response attempt = Http.put(node.url("/v1/kv/" + key), value, "Content-Type", "text/plain",
                        "If-None-Match", "*");
                return attempt.status() == 503 ? null : attempt;
            });
            assertThat(response.status()).as(response.toString()).isIn(201, 412);
            acknowledged.put(key, value);
        }
    }

    /** One node as its own operating-system process, started from the packaged jar. */

    private static final class NodeProcess {
        final String id;
        final Path dataDir;
        final int httpPort = TestNode.freePort();
        final int raftPort = TestNode.freePort();
        private Process process;

        NodeProcess(String id, Path dataDir) {
            this.id = id;
            this.dataDir = dataDir;
        }

        String peerEntry() {
            return id + "=127.0.0.1:" + raftPort;
        }

        String url(String path) {
            return "http://127.0.0.1:" + httpPort + path;
        }

        void start(String peers) throws IOException {
            Files.createDirectories(dataDir);
            List<String> command = new ArrayList<>(List.of(Processes.java(), "-Xmx256m", "-XX:TieredStopAtLevel=1"));
            command.addAll(Processes.QUIET);
            command.addAll(List.of("-jar", Processes.jar().toString(),
                    "--server.address=127.0.0.1", "--server.port=" + httpPort,
                    "--muster.node-id=" + id, "--muster.peers=" + peers, "--muster.data-dir=" + dataDir,
                    "--muster.raft.port=" + raftPort, "--muster.raft.election-timeout-min=500ms",
                    "--muster.raft.election-timeout-max=1s", "--muster.raft.write-timeout=5s",
                    "--muster.security.bootstrap-token=" + TestNode.ADMIN_TOKEN, "--spring.main.banner-mode=off"));
            process = Processes.start(new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("node.log").toFile())));
        }

        /** SIGKILL: the node gets no chance to flush, snapshot or hand anything off. */
        void kill() {
            Processes.kill(process);
        }
    }
}
