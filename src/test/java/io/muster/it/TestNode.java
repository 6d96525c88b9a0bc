package io.muster.it;

import io.muster.MusterApplication;
import io.muster.replication.NodeStatus;
import io.muster.replication.Replica;
import io.muster.replication.ReplicatedState;
import io.muster.replication.StateDigest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.util.ExitUtils;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One real Muster node inside the test JVM: a whole Spring Boot application with Tomcat on a loopback
 * port and Ratis over gRPC on another. Stopping it closes the application (as a graceful shutdown
 * would); starting it again recovers from the same data directory.
 */
final class TestNode {

    final String id;
    final int httpPort;
    final int raftPort;
    final Path dataDir;
    private String peers;
    private final Map<String, String> extra;
    private ConfigurableApplicationContext context;

    TestNode(String id, Path dataDir, Map<String, String> extra) {
        this.id = id;
        this.httpPort = freePort();
        this.raftPort = freePort();
        this.dataDir = dataDir;
        this.extra = extra;
    }

    void peers(String peers) {
        this.peers = peers;
    }

    String peerEntry() {
        return id + "=" + raftAddress();
    }

    String raftAddress() {
        return "127.0.0.1:" + raftPort;
    }

    /** A node that starts with {@code muster.join=true}: no group until a running cluster adds it. */
    static TestNode joining(String id, Path dataDir, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(extra);
        settings.put("muster.join", "true");
        settings.put("muster.raft.bind-address", "127.0.0.1");
        TestNode node = new TestNode(id, dataDir, settings);
        node.peers("");
        return node;
    }

    <T> T bean(String name, Class<T> type) {
        return context.getBean(name, type);
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    void start() {
        List<String> args = new ArrayList<>(List.of(
                "--server.address=127.0.0.1",
                "--server.port=" + httpPort,
                "--server.shutdown=immediate",
                "--muster.node-id=" + id,
                "--muster.peers=" + peers,
                "--muster.data-dir=" + dataDir,
                "--muster.raft.port=" + raftPort,
                "--muster.raft.election-timeout-min=500ms",
                "--muster.raft.election-timeout-max=1s",
                "--muster.raft.write-timeout=5s",
                "--muster.raft.read-timeout=3s",
                "--muster.read.min-revision-timeout=2s",
                "--spring.main.banner-mode=off",
                "--spring.jmx.enabled=false",
                "--logging.level.root=WARN",
                "--logging.level.io.muster=INFO"));
        if (!extra.containsKey("muster.security.bootstrap-token")) {
            args.add("--muster.security.bootstrap-token=" + ADMIN_TOKEN);
        }
        extra.forEach((key, value) -> args.add("--" + key + "=" + value));
        context = new SpringApplicationBuilder(MusterApplication.class).run(args.toArray(String[]::new));
    }

    void stop() {
        if (context != null) {
            context.close();
            context = null;
        }
    }

    boolean running() {
        return context != null;
    }

    String url(String path) {
        return "http://127.0.0.1:" + httpPort + path;
    }

    /**
     * The commands this node applied after {@code revision}, as "revision action target outcome", read
     * from its audit trail once its view reflects its commit index. Raft's own entries (configuration,
     * and the commit-index metadata a Ratis leader logs on its own) carry no command, so a test that
     * means "nothing was proposed" counts these, not log indexes.
     */
    java.util.List<String> commandsAppliedAfter(long revision) {
        long commit = status().commitIndex();
        Http.Response rows = Http.post(url("/v1/query"), "{\"sql\": \"SELECT revision, action, target, outcome FROM audit "
                + "WHERE revision > ? ORDER BY revision\", \"params\": [" + revision + "], \"minRevision\": " + commit + "}");
        if (rows.status() != 200) {
            throw new AssertionError(id + " could not read its audit trail: " + rows);
        }
        java.util.List<String> commands = new java.util.ArrayList<>();
        rows.json().path("rows").forEach(row -> commands.add(row.toString()));
        return commands;
    }

    NodeStatus status() {
        return context.getBean(Replica.class).status();
    }

    /** The cluster version this node has applied. */
    int clusterVersion() {
        return context.getBean(ReplicatedState.class).clusterVersion();
    }

    StateDigest digest() {
        return context.getBean(ReplicatedState.class).digest();
    }

    /** The bootstrap admin token of every test node (the README's security section explains bootstrap). */
    static final String ADMIN_TOKEN = "it-admin-0123456789abcdefghijklmnop";

    /** Where {@link #freePort} starts: below Linux's ephemeral range (32768+), from a random point. */
    private static final int FIRST_PORT = 20_000;
    private static final int PORTS = 12_000;
    private static final AtomicInteger NEXT_PORT = new AtomicInteger(new Random().nextInt(PORTS));

    static {
        // Ratis ends the JVM when a server cannot bind its port; in a test that should be a failure, not a
        // crash of every test in the fork.
        ExitUtils.disableSystemExit();
    }

    /**
     * A loopback port nobody listens on. It comes from 20000-31999, below the ephemeral range, so that
     * the kernel cannot hand it to an outgoing connection (of an earlier test's clients, say) between
     * this check and the node binding it: a fresh-clone CI run once lost a node, and the whole fork,
     * to exactly that with ports taken from the ephemeral range.
     */
    static int freePort() {
        for (int tries = 0; tries < PORTS; tries++) {
            int port = FIRST_PORT + Math.floorMod(NEXT_PORT.getAndIncrement(), PORTS);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException taken) {
                // in use: try the next one
            }
        }
        throw new IllegalStateException("no free loopback port in " + FIRST_PORT + "-" + (FIRST_PORT + PORTS - 1));
    }

    @Override
    public String toString() {
        return id + "(http " + httpPort + ", raft " + raftPort + ")";
    }
}
