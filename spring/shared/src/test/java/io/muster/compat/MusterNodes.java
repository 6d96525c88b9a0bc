package io.muster.compat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Real Muster nodes for the compatibility tests: the server jar the root build packaged, each node a
 * child process ({@code java -jar}) on loopback with ports of its own, a data directory under a
 * temporary folder, and a known admin token. Each node's output goes to {@code node.log} in its
 * data directory, which a failing test prints.
 *
 * <p>Not thread-safe: one test class drives it.
 */
final class MusterNodes implements AutoCloseable {

    static final String ADMIN_TOKEN = "compat-admin-token-0123456789abcdef";
    private static final Duration READY = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path root;
    private final List<Node> nodes = new ArrayList<>();

    private MusterNodes(Path root) {
        this.root = root;
    }

    /** Starts {@code count} nodes as one cluster and waits until every one is ready. */
    static MusterNodes start(int count) throws IOException {
        MusterNodes cluster = new MusterNodes(Files.createTempDirectory("muster-compat"));
        for (int i = 1; i <= count; i++) {
            cluster.nodes.add(new Node("n" + i, freePort(), freePort(), cluster.root.resolve("n" + i)));
        }
        String peers = cluster.nodes.stream().map(node -> node.id + "=127.0.0.1:" + node.raftPort)
                .collect(Collectors.joining(","));
        try {
            for (Node node : cluster.nodes) {
                node.start(peers);
            }
            for (Node node : cluster.nodes) {
                cluster.awaitReady(node);
            }
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** The base URL of node {@code number} (from 1). */
    String url(int number) {
        return "http://127.0.0.1:" + nodes.get(number - 1).httpPort;
    }

    /** What {@code spring.config.import=configserver:} names for node {@code number}. */
    String configUri(int number) {
        return url(number) + "/config";
    }

    /** Ends node {@code number} at once (SIGKILL), as a crash would. */
    void kill(int number) throws InterruptedException {
        Process process = nodes.get(number - 1).process;
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** The admin's client for node {@code number}. */
    MusterClient admin(int number) {
        return new MusterClient(url(number), ADMIN_TOKEN);
    }

    private void awaitReady(Node node) throws IOException {
        long deadline = System.nanoTime() + READY.toNanos();
        while (System.nanoTime() < deadline) {
            if (!node.process.isAlive()) {
                throw new IOException(node.id + " exited with " + node.process.exitValue() + ":\n" + node.log());
            }
            if (status(url(nodes.indexOf(node) + 1) + "/actuator/health/readiness") == 200
                    && status(url(nodes.indexOf(node) + 1) + "/v1/cluster/version") == 200) {
                return;
            }
            pause();
        }
        throw new IOException(node.id + " was not ready within " + READY.toSeconds() + " s:\n" + node.log());
    }

    private static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(200); // polling interval of a wait that has a deadline
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The logs of every node, for a failure's message. */
    String logs() {
        return nodes.stream().map(node -> "---- " + node.id + "\n" + node.log()).collect(Collectors.joining("\n"));
    }

    @Override
    public void close() {
        for (Node node : nodes) {
            if (node.process != null && node.process.isAlive()) {
                node.process.destroy();
            }
        }
        for (Node node : nodes) {
            try {
                if (node.process != null && !node.process.waitFor(20, TimeUnit.SECONDS)) {
                    node.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is not a test failure
        }
    }

    /** Ports from 20000-31999: below Linux's ephemeral range, so no outgoing connection takes one meanwhile. */
    static int freePort() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 20000 + ThreadLocalRandom.current().nextInt(12000);
            try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException e) {
                // taken: try another
            }
        }
        throw new IllegalStateException("no free port in 20000-31999");
    }

    private static final class Node {
        final String id;
        final int httpPort;
        final int raftPort;
        final Path dataDir;
        Process process;

        Node(String id, int httpPort, int raftPort, Path dataDir) {
            this.id = id;
            this.httpPort = httpPort;
            this.raftPort = raftPort;
            this.dataDir = dataDir;
        }

        void start(String peers) throws IOException {
            Files.createDirectories(dataDir);
            String jar = System.getProperty("muster.jar");
            if (jar == null || !Files.exists(Path.of(jar))) {
                throw new IOException("no Muster jar at muster.jar=" + jar + ": build the server first (./mvnw package)");
            }
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED",
                    "-jar", jar, "--server.address=127.0.0.1", "--server.port=" + httpPort,
                    "--muster.node-id=" + id, "--muster.data-dir=" + dataDir, "--muster.peers=" + peers,
                    "--muster.raft.port=" + raftPort, "--muster.raft.bind-address=127.0.0.1",
                    "--muster.raft.election-timeout-min=500ms", "--muster.raft.election-timeout-max=1s",
                    "--muster.security.bootstrap-token=" + ADMIN_TOKEN, "--spring.main.banner-mode=off");
            process = new ProcessBuilder(command).directory(dataDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("node.log").toFile())).start();
        }

        String log() {
            try {
                List<String> lines = Files.readAllLines(dataDir.resolve("node.log"));
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }
    }
}
