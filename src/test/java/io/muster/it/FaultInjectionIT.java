package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.check.LinearizabilityChecker;
import io.muster.check.Operation;
import io.muster.check.SetChecker;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A recorded history under process faults, checked for linearizability: three {@code java -jar}
 * nodes, clients reading, writing, compare-and-setting and deleting a few keys through every node,
 * while the leader is paused (SIGSTOP) past the election timeout, a follower and then the leader are
 * killed with SIGKILL and restarted. Every operation is recorded with its invocation and completion
 * time and its outcome; a write whose answer never came is "unknown", never "failed". Two more clients
 * add unique elements to a set, retrying unknown outcomes with the element's Idempotency-Key. After
 * healing, the history must be linearizable, the set must hold every acknowledged element and nothing
 * that was never added, and every node must reach the same state.
 */
class FaultInjectionIT {

    private static final List<String> KEYS = List.of("r0", "r1", "r2", "r3");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path root;
    private final List<Node> nodes = new ArrayList<>();

    @AfterEach
    void killAll() {
        nodes.forEach(Node::kill);
    }

    @Test
    void aHistoryUnderPausesAndKillsIsLinearizableAndTheNodesConverge() throws Exception {
        for (int i = 1; i <= 3; i++) {
            nodes.add(new Node("f" + i, root.resolve("f" + i)));
        }
        String peers = String.join(",", nodes.stream().map(Node::peerEntry).toList());
        for (Node node : nodes) {
            node.start(peers);
        }
        Waits.until("a leader and the admin token", TestCluster.DEADLINE, () -> leader() != null ? true : null);

        ConcurrentLinkedQueue<Operation> history = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService clients = Executors.newFixedThreadPool(6);
        Map<String, Operation.Outcome> adds = new java.util.concurrent.ConcurrentHashMap<>();
        for (int adder = 0; adder < 2; adder++) {
            int id = adder;
            clients.submit(() -> {
                Random random = new Random(104729L * (id + 1));
                for (int i = 0; i < 5_000 && !stop.get(); i++) {
                    String element = "a" + id + "-" + i;
                    adds.put(element, add(element, random, stop));
                }
                return null;
            });
        }
        for (int process = 0; process < 4; process++) {
            int id = process;
            clients.submit(() -> {
                Random random = new Random(id * 7919L);
                for (int i = 0; i < 5_000 && !stop.get(); i++) {
                    history.add(operate(id, random, nodes.get(random.nextInt(nodes.size())), i));
                }
                return null;
            });
        }
        Map<String, Integer> faults = new TreeMap<>();
        long start = System.nanoTime();
        pauseFor(4, start);
        Node paused = leader();
        paused.signal("STOP");
        faults.merge("pause leader (SIGSTOP 2.5 s)", 1, Integer::sum);
        pauseFor(6.5, start);
        paused.signal("CONT");
        pauseFor(10, start);
        Node follower = nodes.stream().filter(node -> node != leader()).findFirst().orElseThrow();
        follower.kill();
        faults.merge("kill -9 follower", 1, Integer::sum);
        pauseFor(14, start);
        follower.start(peers);
        pauseFor(18, start);
        Node oldLeader = leader();
        oldLeader.kill();
        faults.merge("kill -9 leader", 1, Integer::sum);
        pauseFor(22, start);
        oldLeader.start(peers);
        pauseFor(28, start);
        stop.set(true);
        clients.shutdown();
        assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        long healing = System.nanoTime();
        List<String> digests = Waits.until("every node at one revision with one digest", Duration.ofSeconds(30), () -> {
            List<JsonNode> all = new ArrayList<>();
            for (Node node : nodes) {
                all.add(node.get("/v1/cluster/digest"));
            }
            boolean sameRevision = all.stream().map(digest -> digest.path("revision").asLong()).distinct().count() == 1;
            return sameRevision ? all.stream().map(digest -> digest.path("sha256").asString()).toList() : null;
        });
        double convergedSeconds = (System.nanoTime() - healing) / 1e9;
        assertThat(digests.stream().distinct()).hasSize(1);

        List<String> read = new ArrayList<>();
        String after = "";
        do {
            String page = "/v1/kv?prefix=set/&limit=1000" + (after.isEmpty() ? "" : "&after=" + after);
            JsonNode members = Waits.until("a page of the set, read after healing", TestCluster.DEADLINE, () -> {
                Answer answer = nodes.get(0).send("GET", page, null, null);
                return answer.status() == 200 ? JSON.readTree(answer.body()) : null;
            });
            members.path("items").forEach(item -> read.add(item.path("key").asString().substring("set/".length())));
            after = members.path("next").isTextual() ? members.path("next").asString() : "";
        } while (!after.isEmpty());
        SetChecker.Verdict set = SetChecker.check(adds, read);

        List<Operation> operations = List.copyOf(history);
        LinearizabilityChecker.Verdict verdict = LinearizabilityChecker.check(operations);
        Map<String, Long> outcomes = new TreeMap<>();
        operations.forEach(operation -> outcomes.merge(operation.kind() + " " + operation.outcome(), 1L, Long::sum));
        String report = "[faults] " + operations.size() + " operations on " + verdict.keys() + " keys (" + outcomes
                + "), faults " + faults + ", linearizable=" + verdict.linearizable() + ", violations="
                + verdict.violations().size() + ", undecided=" + verdict.undecided() + ", converged in "
                + String.format("%.1f", convergedSeconds) + " s; set: " + set.acknowledged() + " acknowledged adds, "
                + set.unknown() + " unknown, " + set.read() + " read, lost " + set.lost() + ", unexpected "
                + set.unexpected();
        System.out.println(report);
        Files.writeString(Path.of("target").resolve("fault-report.txt"), report + "\n" + verdict.violations() + "\n");
        assertThat(verdict.violations()).as("linearizability violations").isEmpty();
        assertThat(set.lost()).as("acknowledged adds lost").isEmpty();
        assertThat(set.unexpected()).as("elements never (successfully) added").isEmpty();
        assertThat(verdict.undecided()).isEmpty();
        assertThat(outcomes.getOrDefault("WRITE OK", 0L) + outcomes.getOrDefault("CAS OK", 0L))
                .as("writes that succeeded despite the faults").isGreaterThan(50);
    }

    /** One random operation by client {@code process} through {@code node}, recorded with its outcome. */
    private static Operation operate(int process, Random random, Node node, int sequence) {
        String key = KEYS.get(random.nextInt(KEYS.size()));
        String value = "p" + process + "-" + sequence;
        int kind = random.nextInt(10);
        long invoked = System.nanoTime();
        if (kind < 4) {
            Answer answer = node.send("GET", "/v1/kv/" + key, null, null);
            long completed = System.nanoTime();
            if (answer.status == 200) {
                return Operation.read(process, key, answer.body, invoked, completed);
            }
            if (answer.status == 404) {
                return Operation.read(process, key, null, invoked, completed);
            }
            return new Operation(process, Operation.Kind.READ, key, null, null, Operation.Outcome.FAIL, false, invoked,
                    completed);
        }
        if (kind < 7) {
            Answer answer = node.send("PUT", "/v1/kv/" + key, value, "text/plain");
            return Operation.write(process, key, value, writeOutcome(answer), invoked, System.nanoTime());
        }
        if (kind < 9) {
            String expected = random.nextBoolean() ? null : "p" + random.nextInt(4) + "-" + Math.max(0, sequence - 1);
            String compare = expected == null ? "{\"key\":\"" + key + "\",\"target\":\"exists\",\"exists\":false}"
                    : "{\"key\":\"" + key + "\",\"target\":\"value\",\"value\":\"" + expected + "\"}";
            String txn = "{\"compare\":[" + compare + "],\"then\":[{\"op\":\"put\",\"key\":\"" + key + "\",\"value\":\""
                    + value + "\"}]}";
            Answer answer = node.send("POST", "/v1/txn", txn, "application/json");
            long completed = System.nanoTime();
            Operation.Outcome outcome = writeOutcome(answer);
            boolean failed = outcome == Operation.Outcome.OK && !JSON.readTree(answer.body).path("succeeded").asBoolean();
            return Operation.cas(process, key, expected, value, outcome, failed, invoked, completed);
        }
        Answer answer = node.send("DELETE", "/v1/kv/" + key, null, null);
        return Operation.delete(process, key, writeOutcome(answer), invoked, System.nanoTime());
    }

    /**
     * Adds {@code element} to the set (a create-only key under {@code set/}), through random nodes, with
     * one Idempotency-Key for all its attempts: an attempt whose outcome is unknown is sent again, so the
     * element is either acknowledged exactly once or, when the run ends first, left unknown.
     */
    private Operation.Outcome add(String element, Random random, AtomicBoolean stop) {
        Operation.Outcome outcome = Operation.Outcome.FAIL;
        for (int tries = 0; tries < 10; tries++) {
            Node node = nodes.get(random.nextInt(nodes.size()));
            Answer answer = node.send("PUT", "/v1/kv/set/" + element, element, "text/plain", "Idempotency-Key",
                    "add-" + element, "If-None-Match", "*");
            Operation.Outcome attempt = writeOutcome(answer);
            if (attempt == Operation.Outcome.OK) {
                return Operation.Outcome.OK;
            }
            if (attempt == Operation.Outcome.UNKNOWN) {
                outcome = Operation.Outcome.UNKNOWN;
            } else if (outcome != Operation.Outcome.UNKNOWN && answer.status() >= 400 && answer.status() < 500) {
                return Operation.Outcome.FAIL;
            }
            if (stop.get()) {
                break;
            }
        }
        return outcome;
    }

    /**
     * A write's outcome from its answer: 2xx happened; a refusal before anything was proposed (4xx, a
     * connection never made) did not; everything else (503 write-outcome-unknown, a timeout, a reset) may have.
     */
    private static Operation.Outcome writeOutcome(Answer answer) {
        if (answer.status >= 200 && answer.status < 300) {
            return Operation.Outcome.OK;
        }
        if ((answer.status >= 400 && answer.status < 500) || answer.neverConnected) {
            return Operation.Outcome.FAIL;
        }
        return Operation.Outcome.UNKNOWN;
    }

    private Node leader() {
        for (Node node : nodes) {
            try {
                JsonNode cluster = node.get("/v1/cluster");
                String leader = cluster.path("leaderId").asString(null);
                if ("LEADER".equals(cluster.path("role").asString()) && leader != null) {
                    return node;
                }
            } catch (RuntimeException notAnswering) {
                // paused, killed or starting: ask the next
            }
        }
        return null;
    }

    /** Waits until {@code seconds} after {@code start}: the fault schedule's clock (the workload runs meanwhile). */
    private static void pauseFor(double seconds, long start) throws InterruptedException {
        long until = start + (long) (seconds * 1e9);
        long left = until - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private record Answer(int status, String body, boolean neverConnected) {
    }

    /** One node as an operating-system process on loopback. */
    private static final class Node {
        final String id;
        final Path dataDir;
        final int httpPort = TestNode.freePort();
        final int raftPort = TestNode.freePort();
        private Process process;

        Node(String id, Path dataDir) {
            this.id = id;
            this.dataDir = dataDir;
        }

        String peerEntry() {
            return id + "=127.0.0.1:" + raftPort;
        }

        void start(String peers) throws IOException {
            Files.createDirectories(dataDir);
            process = Processes.start(new ProcessBuilder(Processes.java(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar",
                    Processes.jar().toString(), "--server.address=127.0.0.1", "--server.port=" + httpPort,
                    "--muster.node-id=" + id, "--muster.peers=" + peers, "--muster.data-dir=" + dataDir,
                    "--muster.raft.port=" + raftPort, "--muster.raft.election-timeout-min=500ms",
                    "--muster.raft.election-timeout-max=1s", "--muster.raft.write-timeout=3s",
                    "--muster.raft.read-timeout=2s", "--muster.security.bootstrap-token=" + TestNode.ADMIN_TOKEN,
                    "--spring.main.banner-mode=off")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("node.log").toFile())));
        }

        void kill() {
            Processes.kill(process);
        }

        /** Sends SIGSTOP or SIGCONT to the process (with bash's own kill, so no procps package is needed). */
        void signal(String signal) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("bash", "-c", "kill -" + signal + " " + process.pid()).start();
            assertThat(kill.waitFor()).isZero();
        }

        JsonNode get(String path) {
            Answer answer = send("GET", path, null, null);
            if (answer.status != 200) {
                throw new IllegalStateException(id + " answered " + answer.status);
            }
            return JSON.readTree(answer.body);
        }

        Answer send(String method, String path, String body, String contentType, String... headers) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(REQUEST_TIMEOUT).header("Authorization", Http.bearer(TestNode.ADMIN_TOKEN))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            for (int i = 0; i < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            try {
                HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
                return new Answer(response.statusCode(), response.body(), false);
            } catch (ConnectException e) {
                return new Answer(-1, "", true);
            } catch (IOException e) {
                return new Answer(-1, "", false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Answer(-1, "", false);
            }
        }
    }
}
