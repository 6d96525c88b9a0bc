package io.muster.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the fault histories' nodes live. As root, each node gets its own network namespace with one
 * address on a bridge that only this machine sees, and a partition is a pair of iptables DROP rules
 * (input and output) in each of the two namespaces it separates: packets vanish in both directions, as
 * on a real network, rather than being refused. The test JVM stays in the root namespace and reaches
 * every node through the bridge, so clients still talk to the nodes on either side of a partition.
 * Without root (or without {@code ip} and {@code iptables}) the nodes share loopback addresses instead
 * and no link can be cut; {@link #partitions()} says which. With {@code MUSTER_FAULTS_TOOLS=required}
 * (as {@code .ci/run} sets it) the loopback fallback is refused instead.
 */
final class NetLab implements AutoCloseable {

    /** Each lab its own subnet (and names), so nothing of one history can reach the next one's nodes. */
    private static final AtomicInteger NEXT_SUBNET = new AtomicInteger((int) (ProcessHandle.current().pid() % 230));
    /** Labs not closed yet: removed when the test JVM exits normally or is terminated. */
    private static final Set<NetLab> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(NetLab::close), "netlab-cleanup"));
    }

    private final boolean namespaces;
    private final int subnet;
    private final int slots;
    private final Set<String> namespacesCreated = ConcurrentHashMap.newKeySet();
    private final Set<Integer> withRules = ConcurrentHashMap.newKeySet();
    private boolean bridgeCreated;

    private NetLab(boolean namespaces, int subnet, int slots) {
        this.namespaces = namespaces;
        this.subnet = subnet;
        this.slots = slots;
    }

    /** A lab for up to {@code slots} nodes (slots 1..slots). */
    static NetLab create(int slots) throws IOException, InterruptedException {
        int subnet = 20 + Math.floorMod(NEXT_SUBNET.getAndIncrement(), 230);
        boolean available = "root".equals(System.getProperty("user.name")) && succeeds("ip", "-V")
                && succeeds("iptables", "--version");
        if (!available) {
            if (toolsRequired()) {
                throw new IllegalStateException("MUSTER_FAULTS_TOOLS=required, but network namespaces need root, "
                        + "iproute2 and iptables (apt-get install iproute2 iptables)");
            }
            return new NetLab(false, subnet, slots);
        }
        NetLab lab = new NetLab(true, subnet, slots);
        OPEN.add(lab);
        try {
            lab.build();
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    /** Whether every tool the fault histories use must be present (CI), rather than its histories skipped. */
    static boolean toolsRequired() {
        return "required".equals(System.getenv("MUSTER_FAULTS_TOOLS"));
    }

    private void build() throws IOException, InterruptedException {
        String bridge = bridge();
        if (succeeds("ip", "link", "show", bridge)) {
            run("ip", "link", "del", bridge); // left by an earlier run that was killed
        }
        run("ip", "link", "add", bridge, "type", "bridge");
        bridgeCreated = true;
        run("ip", "addr", "add", "10.77." + subnet + ".254/24", "dev", bridge);
        run("ip", "link", "set", bridge, "up");
        for (int slot = 1; slot <= slots; slot++) {
            String ns = namespace(slot);
            if (succeeds("ip", "netns", "pids", ns)) {
                run("ip", "netns", "del", ns);
            }
            run("ip", "netns", "add", ns);
            namespacesCreated.add(ns);
            String outside = "mst" + subnet + "-" + slot + "h";
            String inside = "mst" + subnet + "-" + slot + "n";
            run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside);
            run("ip", "link", "set", inside, "netns", ns);
            run("ip", "link", "set", outside, "master", bridge, "up");
            run("ip", "-n", ns, "addr", "add", host(slot) + "/24", "dev", inside);
            run("ip", "-n", ns, "link", "set", inside, "up");
            run("ip", "-n", ns, "link", "set", "lo", "up");
        }
    }

    /** Whether links between nodes can be cut. */
    boolean partitions() {
        return namespaces;
    }

    /** The address a node in {@code slot} listens on, and is reached at. */
    String host(int slot) {
        return (namespaces ? "10.77." : "127.77.") + subnet + "." + slot;
    }

    /** {@code command}, run inside {@code slot}'s namespace ({@code ip netns exec} execs, so the pid stays the node's). */
    List<String> inSlot(int slot, List<String> command) {
        if (!namespaces) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", namespace(slot)));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Drops every packet between slots {@code a} and {@code b}, both ways. */
    void cut(int a, int b) throws IOException, InterruptedException {
        requirePartitions();
        drop(a, b);
        drop(b, a);
    }

    /** Cuts {@code slot} off from each of {@code others}. */
    void isolate(int slot, Collection<Integer> others) throws IOException, InterruptedException {
        for (int other : others) {
            if (other != slot) {
                cut(slot, other);
            }
        }
    }

    /** Removes every cut. */
    void heal() throws IOException, InterruptedException {
        for (int slot : List.copyOf(withRules)) {
            run("ip", "netns", "exec", namespace(slot), "iptables", "-F");
            withRules.remove(slot);
        }
    }

    private void drop(int from, int to) throws IOException, InterruptedException {
        String ns = namespace(from);
        run("ip", "netns", "exec", ns, "iptables", "-A", "OUTPUT", "-d", host(to), "-j", "DROP");
        run("ip", "netns", "exec", ns, "iptables", "-A", "INPUT", "-s", host(to), "-j", "DROP");
        withRules.add(from);
    }

    private void requirePartitions() {
        if (!namespaces) {
            throw new IllegalStateException("no network namespaces here (not root, or no ip/iptables): links cannot be cut");
        }
    }

    private String namespace(int slot) {
        return "mst" + subnet + "-" + slot;
    }

    private String bridge() {
        return "mstbr" + subnet;
    }

    /** Deletes the namespaces (their veth ends go with them) and the bridge. */
    @Override
    public void close() {
        OPEN.remove(this);
        for (String ns : namespacesCreated) {
            quietly("ip", "netns", "del", ns);
        }
        namespacesCreated.clear();
        if (bridgeCreated) {
            quietly("ip", "link", "del", bridge());
            bridgeCreated = false;
        }
    }

    private static void quietly(String... command) {
        try {
            succeeds(command);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in 30 s");
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + process.exitValue() + "): " + output.strip());
        }
    }

    private static boolean succeeds(String... command) throws InterruptedException {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException notInstalled) {
            return false;
        }
    }
}
