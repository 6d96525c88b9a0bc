package io.muster.it;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One node of a fault history: a {@code java -jar} process in its {@link NetLab} slot, with its own data
 * directory and log file, that can be killed, paused, restarted, wiped, and started with its clock
 * skewed (libfaketime) or as a node that joins an existing cluster.
 */
final class ProcessNode {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final Path FAKETIME = Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1");

    final String id;
    final int slot;
    final Path dataDir;
    private final NetLab lab;
    private final int httpPort;
    private final int raftPort;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private volatile Process process;
    private volatile boolean paused;
    private String clockOffset;
    /** What follows {@code java} and its options: this build's jar unless {@link #runs} said otherwise. */
    private List<String> application;

    ProcessNode(NetLab lab, int slot, Path dataDir, Map<String, String> settings) {
        this.lab = lab;
        this.slot = slot;
        this.id = "f" + slot;
        this.dataDir = dataDir;
        this.httpPort = lab.partitions() ? 8080 : TestNode.freePort();
        this.raftPort = lab.partitions() ? 7070 : TestNode.freePort();
        this.settings.putAll(settings);
    }

    /** Whether libfaketime is installed (Debian's faketime package). */
    static boolean canSkewClocks() {
        return Files.isReadable(FAKETIME);
    }

    String raftAddress() {
        return lab.host(slot) + ":" + raftPort;
    }

    String peerEntry() {
        return id + "=" + raftAddress();
    }

    /** Starts (or restarts) the node with {@code peers}; an empty {@code peers} starts it as a node that joins. */
    synchronized void start(String peers) throws IOException {
        Files.createDirectories(dataDir);
        List<String> command = new ArrayList<>(List.of(Processes.java()));
        command.addAll(Processes.JVM_OPTIONS);
        command.addAll(application != null ? application : Processes.application());
        command.addAll(List.of("--server.address=" + lab.host(slot),
                "--server.port=" + httpPort, "--muster.node-id=" + id, "--muster.data-dir=" + dataDir,
                "--muster.raft.port=" + raftPort, "--muster.raft.bind-address=" + lab.host(slot),
                "--muster.raft.election-timeout-min=500ms", "--muster.raft.election-timeout-max=1s",
                "--muster.raft.write-timeout=3s", "--muster.raft.read-timeout=2s",
                "--muster.security.bootstrap-token=" + TestNode.ADMIN_TOKEN, "--spring.main.banner-mode=off"));
        command.add(peers.isEmpty() ? "--muster.join=true" : "--muster.peers=" + peers);
        settings.forEach((key, value) -> command.add("--" + key + "=" + value));
        ProcessBuilder builder = new ProcessBuilder(lab.inSlot(slot, command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("node.log").toFile()));
        if (clockOffset != null) {
            // Wall-clock time only: the JVM's monotonic clock (timeouts, lease timers) stays true. Without
            // FORCE_MONOTONIC_FIX=0, libfaketime rewrites the deadlines of pthread_cond_timedwait on the
            // monotonic clock, and the JVM's timed waits (Object.wait, LockSupport.parkNanos) return at
            // once while sleeps double: a node under it churned through elections even at offset +0s.
            builder.environment().put("LD_PRELOAD", FAKETIME.toString());
            builder.environment().put("FAKETIME", clockOffset);
            builder.environment().put("FAKETIME_DONT_FAKE_MONOTONIC", "1");
            builder.environment().put("FAKETIME_FORCE_MONOTONIC_FIX", "0");
            // File times stay true: with them skewed too, the JVM takes the jars for others than those its
            // ahead-of-time cache was recorded with, and boots this node without the cache.
            builder.environment().put("NO_FAKE_STAT", "1");
        }
        paused = false;
        process = Processes.start(builder);
    }

    /** From the next start on, this node's wall clock runs {@code offset} (libfaketime syntax, e.g. "+90s") off. */
    void skewClock(String offset) {
        clockOffset = offset;
    }

    String clockOffset() {
        return clockOffset;
    }

    boolean alive() {
        Process running = process;
        return running != null && running.isAlive();
    }

    boolean paused() {
        return paused;
    }

    /** From the next start on, runs {@code application} (e.g. {@code -jar} of another build) instead of this build. */
    void runs(List<String> application) {
        this.application = List.copyOf(application);
    }

    /** SIGTERM, as Kubernetes stops a pod: the node shuts down gracefully; waits up to 60 s for it to exit. */
    synchronized void stop() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IOException(id + " did not stop within 60 s of SIGTERM");
            }
        }
        paused = false;
    }

    synchronized void kill() {
        Processes.kill(process);
        paused = false;
    }

    /** Kills the node and deletes its data (not its log): what is left is a machine that never ran Muster. */
    void wipe() throws IOException {
        kill();
        deleteTree(dataDir, dataDir.resolve("node.log"));
    }

    /** Deletes {@code root} and everything under it, except {@code keep} (and the directories holding it). */
    static void deleteTree(Path root, Path... keep) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        List<Path> kept = List.of(keep);
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                if (kept.stream().noneMatch(path -> path.startsWith(file))) {
                    Files.delete(file);
                }
            }
        }
    }

    /** SIGSTOP: the process keeps its sockets but answers nothing until {@link #resume()}. */
    void pause() throws IOException, InterruptedException {
        signal("STOP");
        paused = true;
    }

    void resume() throws IOException, InterruptedException {
        if (paused) {
            signal("CONT");
            paused = false;
        }
    }

    /** Sends a signal with bash's own kill builtin, so no procps package is needed. */
    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("bash", "-c", "kill -" + signal + " " + process.pid()).start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    /** {@code /v1/cluster} as this node sees it, or {@code null} if it does not answer. */
    JsonNode status() {
        Answer answer = send("GET", "/v1/cluster", null, null);
        return answer.status() == 200 ? JSON.readTree(answer.body()) : null;
    }

    /** This node's wall clock, from the Date header of an answer (second precision), or null. */
    Instant clock() {
        try {
            HttpResponse<Void> response = CLIENT.send(HttpRequest.newBuilder(uri("/actuator/health/liveness"))
                    .timeout(REQUEST_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.headers().firstValue("Date").map(date -> ZonedDateTime.parse(date,
                    DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()).orElse(null);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    JsonNode get(String path) {
        Answer answer = send("GET", path, null, null);
        if (answer.status() != 200) {
            throw new IllegalStateException(id + " answered " + answer.status() + " to GET " + path);
        }
        return JSON.readTree(answer.body());
    }

    URI uri(String path) {
        return URI.create("http://" + lab.host(slot) + ":" + httpPort + path);
    }

    Answer send(String method, String path, String body, String contentType, String... headers) {
        return send(REQUEST_TIMEOUT, method, path, body, contentType, headers);
    }

    /** Sends a request and waits up to {@code timeout} for the answer's headers. */
    Answer send(Duration timeout, String method, String path, String body, String contentType, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(timeout)
                .header("Authorization", Http.bearer(TestNode.ADMIN_TOKEN))
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
        } catch (ConnectException | HttpConnectTimeoutException e) {
            return new Answer(-1, "", true);
        } catch (IOException e) {
            return new Answer(-1, "", false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "", false);
        }
    }

    @Override
    public String toString() {
        return id;
    }

    /**
     * An HTTP answer; status -1 when none came. {@code neverConnected}: the connection itself was
     * refused, so the request certainly proposed nothing.
     */
    record Answer(int status, String body, boolean neverConnected) {

        JsonNode json() {
            return JSON.readTree(body);
        }
    }
}
