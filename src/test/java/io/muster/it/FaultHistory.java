package io.muster.it;

import io.muster.check.CounterChecker;
import io.muster.check.LinearizabilityChecker;
import io.muster.check.Operation;
import io.muster.check.SetChecker;
import io.muster.check.WatchChecker;
import io.muster.it.ProcessNode.Answer;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import tools.jackson.databind.JsonNode;

/**
 * One recorded history: a cluster of {@link ProcessNode}s, clients on every node, a fault schedule run
 * until the history's length is up, then healing and the checks.
 *
 * <p>The clients: four on a register of four keys (read, write, compare-and-set, delete; linearizability),
 * two adding unique elements to a set (each retried with its own Idempotency-Key; no acknowledged element
 * may be missing, nothing never added may appear), two incrementing a counter by compare-and-set, each
 * increment carried by one Idempotency-Key until it has a definite answer (every acknowledged increment
 * counted exactly once), and two watchers of the register keys that move to another node whenever
 * theirs stops answering (every committed change seen once, in order). An operation whose answer never
 * came is recorded as unknown, never as failed.
 *
 * <p>The faults are the methods a schedule calls ({@link #kill}, {@link #pause}, {@link #isolate},
 * {@link #split}, {@link #bridge}, {@link #removeAndReadd}, {@link #replace}, {@link #keepBehind},
 * {@link #transferLeadership}); each heals what it broke or leaves it to {@link #healAll}, which runs when
 * the length is up.
 */
final class FaultHistory implements AutoCloseable {

    /** What a schedule does with a running history. */
    @FunctionalInterface
    interface Schedule {
        void inject(FaultHistory history) throws Exception;
    }

    /** The figures and the verdict of one history. */
    record Report(String name, double seconds, int nodes, long operations, long watchEvents,
            Map<String, Integer> faults, int violations, long lost, long doubled, double maxWriteGap,
            List<Double> leaderKillGaps, List<Double> catchUps, List<Double> boots, double convergence,
            int snapshotInstalls,
            String detail, List<String> problems) {

        boolean passed() {
            return problems.isEmpty();
        }
    }

    static final Duration CONVERGENCE = Duration.ofSeconds(30);
    static final double MAX_WRITE_GAP_SECONDS = 15;
    /**
     * From a restarted node's first answer to its having applied what the leader had committed when it
     * was restarted. Its JVM's boot before that is bounded apart ({@link #MAX_BOOT}): on this two-core
     * machine the boot is paced by how busy the peers and the clients keep the CPU (3.5 s idle, 15-33 s
     * here), while catching up is what Raft and Muster control (about a second; Ratis' default appender
     * back-off made it 10-16 s before RatisSettings capped it, which this limit catches).
     */
    static final double MAX_CATCH_UP_SECONDS = 8;
    static final Duration MAX_BOOT = Duration.ofSeconds(60);
    /** How many times a follower is kept behind the purged log before the history gives up on an install. */
    static final int KEEP_BEHIND_ATTEMPTS = 3;
    private static final List<String> KEYS = List.of("r/0", "r/1", "r/2", "r/3");
    private static final String COUNTER = "counter/c";
    private static final HttpClient WATCH_CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String name;
    private final Path root;
    private final int voters;
    private final int slots;
    private final Map<String, String> settings;
    private final Duration length;
    private final Random random;
    private final List<ProcessNode> nodes = new ArrayList<>();
    private NetLab lab;
    private volatile List<ProcessNode> members = List.of();
    private long deadline;

    private final ConcurrentLinkedQueue<Operation> registerOps = new ConcurrentLinkedQueue<>();
    private final Map<String, Operation.Outcome> adds = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<long[]> okWrites = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<WatchChecker.Event> acknowledgedChanges = new ConcurrentLinkedQueue<>();
    private final Map<String, Set<String>> attempted = new ConcurrentHashMap<>();
    private final AtomicLong increments = new AtomicLong();
    private final AtomicLong unknownIncrements = new AtomicLong();
    private final Map<String, Integer> faults = Collections.synchronizedMap(new TreeMap<>());
    private final List<Long> leaderKills = Collections.synchronizedList(new ArrayList<>());
    private final List<Double> catchUps = Collections.synchronizedList(new ArrayList<>());
    private final List<Double> boots = Collections.synchronizedList(new ArrayList<>());
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private int snapshotInstalls;

    /**
     * @param voters  the cluster's size; {@code slots - voters} spare nodes stand by for {@link #replace}
     * @param seed    drives every random choice of the clients and the schedule
     */
    FaultHistory(String name, Path root, int voters, int slots, Map<String, String> settings, Duration length,
            long seed) {
        this.name = name;
        this.root = root;
        this.voters = voters;
        this.slots = slots;
        this.settings = settings;
        this.length = length;
        this.random = new Random(seed);
    }

    /** Creates the network and the nodes (none started: a schedule may skew a node's clock first). */
    FaultHistory prepare() throws IOException, InterruptedException {
        lab = NetLab.create(slots);
        for (int slot = 1; slot <= slots; slot++) {
            nodes.add(new ProcessNode(lab, slot, root.resolve("f" + slot), settings));
        }
        return this;
    }

    /** Node {@code slot} (1-based), before or after it starts: a schedule may skew its clock first. */
    ProcessNode node(int slot) {
        return nodes.get(slot - 1);
    }

    boolean partitions() {
        return lab.partitions();
    }

    Random random() {
        return random;
    }

    /** Starts the voters, runs the workload under {@code schedule} for the history's length, heals, and checks. */
    Report run(Schedule schedule) throws Exception {
        members = List.copyOf(nodes.subList(0, voters));
        String peers = members.stream().map(ProcessNode::peerEntry).collect(Collectors.joining(","));
        for (ProcessNode node : members) {
            node.start(peers);
        }
        leader();
        Waits.until("every node serving the admin token", TestCluster.DEADLINE,
                () -> members.stream().allMatch(node -> node.status() != null) ? true : null);
        long from = leader().get("/v1/cluster/digest").path("revision").asLong() + 1;

        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean stopWatching = new AtomicBoolean();
        ExecutorService clients = Executors.newCachedThreadPool();
        for (int id = 0; id < 4; id++) {
            int process = id;
            clients.submit(() -> registerClient(process, new Random(random.nextLong()), stop));
        }
        for (int id = 0; id < 2; id++) {
            int adder = id;
            clients.submit(() -> setClient(adder, new Random(random.nextLong()), stop));
            clients.submit(() -> counterClient(adder, new Random(random.nextLong()), stop));
        }
        ExecutorService watching = Executors.newCachedThreadPool();
        List<WatchClient> watchers = List.of(new WatchClient("watcher-1", from), new WatchClient("watcher-2", from));
        for (WatchClient watcher : watchers) {
            Random choices = new Random(random.nextLong());
            watching.submit(() -> watcher.watch(choices, stopWatching));
        }

        long started = System.nanoTime();
        deadline = started + length.toNanos();
        long healed;
        boolean scheduled = false;
        try {
            try {
                schedule.inject(this);
            } finally {
                healAll();
            }
            healed = System.nanoTime();
            TimeUnit.SECONDS.sleep(2); // healed, still under load: the clients' writes must succeed again
            scheduled = true;
        } finally {
            stop.set(true);
            clients.shutdown();
            if (!clients.awaitTermination(60, TimeUnit.SECONDS)) {
                problems.add("clients still running 60 s after the end");
                clients.shutdownNow();
            }
            if (!scheduled) {
                stopWatching.set(true); // the schedule failed: nothing of this history may outlive it
                watching.shutdown();
            }
        }
        long stopped = System.nanoTime();

        double convergence = Double.NaN;
        long finalRevision = -1;
        try {
            finalRevision = converge();
            convergence = (System.nanoTime() - healed) / 1e9;
        } catch (AssertionError e) {
            problems.add("no convergence within " + CONVERGENCE.toSeconds() + " s of healing: " + e.getMessage());
        }
        long caughtUp = finalRevision;
        try {
            Waits.until("the watchers at revision " + caughtUp, Duration.ofSeconds(30),
                    () -> watchers.stream().allMatch(watcher -> watcher.compacted || watcher.through >= caughtUp) ? true
                            : null);
        } catch (AssertionError e) {
            problems.add("watchers behind after healing: " + watchers.stream()
                    .map(watcher -> watcher.name + " at " + watcher.through).toList());
        }
        stopWatching.set(true);
        watching.shutdown();
        watching.awaitTermination(30, TimeUnit.SECONDS);
        return check(started, stopped, convergence, watchers);
    }

    // ---------------------------------------------------------------------------------------- checks

    private Report check(long started, long stopped, double convergence, List<WatchClient> watchers) {
        List<Operation> operations = List.copyOf(registerOps);
        LinearizabilityChecker.Verdict linear = LinearizabilityChecker.check(operations);
        SetChecker.Verdict set = SetChecker.check(adds, readSet());
        long counter = readCounter();
        CounterChecker.Verdict count = CounterChecker.check(increments.get(), unknownIncrements.get(), counter);
        List<WatchChecker.Stream> streams = watchers.stream().map(WatchClient::stream).toList();
        WatchChecker.Verdict watch = WatchChecker.check(streams, List.copyOf(acknowledgedChanges), attempted);

        linear.violations().forEach((key, violation) -> problems.add("not linearizable, key " + key + ": " + violation));
        if (!linear.undecided().isEmpty()) {
            problems.add("linearizability undecided (search too large) for " + linear.undecided());
        }
        set.lost().forEach(element -> problems.add("acknowledged set element lost: " + element));
        set.unexpected().forEach(element -> problems.add("set element never (successfully) added: " + element));
        if (!count.valid()) {
            problems.add("counter " + counter + " outside [" + count.acknowledged() + ", "
                    + (count.acknowledged() + count.unknown()) + "]");
        }
        watch.outOfOrder().forEach(problem -> problems.add("watch out of order: " + problem));
        watch.missed().forEach(problem -> problems.add("watch missed: " + problem));
        watch.phantoms().forEach(problem -> problems.add("watch phantom: " + problem));
        watch.disagreements().forEach(problem -> problems.add("watch streams disagree: " + problem));

        List<long[]> writes = new ArrayList<>(okWrites);
        writes.sort((a, b) -> Long.compare(a[1], b[1]));
        double maxGap = maxGap(writes, started, stopped);
        if (maxGap > MAX_WRITE_GAP_SECONDS) {
            problems.add(String.format("no successful write for %.1f s while a majority was healthy", maxGap));
        }
        if (writes.size() < 50) {
            problems.add("only " + writes.size() + " writes succeeded");
        }
        List<Double> killGaps = new ArrayList<>();
        for (long kill : List.copyOf(leaderKills)) {
            killGaps.add(writes.stream().filter(write -> write[0] >= kill).mapToLong(write -> write[1] - kill).min()
                    .orElse(stopped - kill) / 1e9);
        }

        long lost = set.lost().size() + Math.max(0, count.acknowledged() - counter) + watch.missed().size();
        long doubled = set.unexpected().size() + Math.max(0, counter - count.acknowledged() - count.unknown())
                + watch.outOfOrder().size();
        Map<String, Long> outcomes = new TreeMap<>();
        operations.forEach(operation -> outcomes.merge(operation.kind() + " " + operation.outcome(), 1L, Long::sum));
        String detail = "register " + operations.size() + " ops on " + linear.keys() + " keys " + outcomes + "; set "
                + set.acknowledged() + " acknowledged, " + set.unknown() + " unknown, " + set.read() + " read; counter "
                + counter + " (" + count.acknowledged() + " acknowledged, " + count.unknown() + " unknown); watch "
                + watch.events() + " events on " + watch.streams() + " streams, " + watch.checkedWrites()
                + " acknowledged changes checked, reconnects " + watchers.stream().map(w -> w.reconnects).toList()
                + (watchers.stream().anyMatch(w -> w.compacted) ? ", compacted" : "");
        long checked = operations.size() + adds.size() + count.acknowledged() + count.unknown();
        return new Report(name, (stopped - started) / 1e9, voters, checked, watch.events(), new TreeMap<>(faults),
                linear.violations().size(), lost, doubled, maxGap, killGaps, List.copyOf(catchUps), List.copyOf(boots),
                convergence,
                snapshotInstalls, detail, List.copyOf(problems));
    }

    private static double maxGap(List<long[]> writes, long started, long stopped) {
        long previous = started;
        long max = 0;
        for (long[] write : writes) {
            max = Math.max(max, write[1] - previous);
            previous = Math.max(previous, write[1]);
        }
        return Math.max(max, stopped - previous) / 1e9;
    }

    /** Every member at one revision, with one state digest, and its view reflecting that revision's content. */
    private long converge() {
        Map<String, String> lastSeen = new TreeMap<>();
        try {
            return Waits.until("every member at one revision with one state digest and a matching view", CONVERGENCE,
                    () -> {
                        List<JsonNode> digests = new ArrayList<>();
                        for (ProcessNode node : members) {
                            JsonNode digest = node.get("/v1/cluster/digest");
                            lastSeen.put(node.id, "revision " + digest.path("revision").asLong() + " sha256 "
                                    + digest.path("sha256").asString() + " content " + digest.path("contentSha256").asString()
                                    + ", view at " + digest.at("/view/revision").asLong() + " content "
                                    + digest.at("/view/contentSha256").asString());
                            digests.add(digest);
                        }
                        JsonNode first = digests.get(0);
                        for (JsonNode digest : digests) {
                            boolean same = digest.path("revision").asLong() == first.path("revision").asLong()
                                    && digest.path("sha256").asString().equals(first.path("sha256").asString())
                                    && digest.at("/view/revision").asLong() == first.path("revision").asLong()
                                    && digest.at("/view/contentSha256").asString()
                                            .equals(first.path("contentSha256").asString());
                            if (!same) {
                                return null;
                            }
                        }
                        return first.path("revision").asLong();
                    });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen: " + lastSeen, e);
        }
    }

    private List<String> readSet() {
        List<String> read = new ArrayList<>();
        String after = "";
        do {
            String page = "/v1/kv?prefix=set/&limit=1000" + (after.isEmpty() ? "" : "&after=" + after);
            JsonNode members = Waits.until("a page of the set", TestCluster.DEADLINE, () -> anyMember().get(page));
            members.path("items").forEach(item -> read.add(item.path("key").asString().substring("set/".length())));
            after = members.path("next").isString() ? members.path("next").asString() : "";
        } while (!after.isEmpty());
        return read;
    }

    private long readCounter() {
        return Waits.until("the counter", TestCluster.DEADLINE, () -> {
            Answer answer = anyMember().send("GET", "/v1/kv/" + COUNTER, null, null);
            return answer.status() == 200 ? Long.valueOf(answer.body()) : answer.status() == 404 ? 0L : null;
        });
    }

    // --------------------------------------------------------------------------------------- clients

    private ProcessNode anyMember(Random choices) {
        List<ProcessNode> current = members;
        return current.get(choices.nextInt(current.size()));
    }

    private ProcessNode anyMember() {
        return anyMember(new Random());
    }

    private Void registerClient(int process, Random choices, AtomicBoolean stop) {
        for (int sequence = 0; sequence < 1_000_000 && !stop.get(); sequence++) {
            registerOps.add(operate(process, choices, anyMember(choices), sequence));
        }
        return null;
    }

    /** One random register operation by client {@code process} through {@code node}, recorded with its outcome. */
    private Operation operate(int process, Random choices, ProcessNode node, int sequence) {
        String key = KEYS.get(choices.nextInt(KEYS.size()));
        String value = "p" + process + "-" + sequence;
        int kind = choices.nextInt(10);
        long invoked = System.nanoTime();
        if (kind < 4) {
            Answer answer = node.send("GET", "/v1/kv/" + key, null, null);
            long completed = System.nanoTime();
            if (answer.status() == 200 || answer.status() == 404) {
                return Operation.read(process, key, answer.status() == 200 ? answer.body() : null, invoked, completed);
            }
            return new Operation(process, Operation.Kind.READ, key, null, null, Operation.Outcome.FAIL, false, invoked,
                    completed);
        }
        if (kind < 9) {
            attempted.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(value);
        }
        if (kind < 7) {
            Answer answer = node.send("PUT", "/v1/kv/" + key, value, "text/plain");
            long completed = System.nanoTime();
            Operation.Outcome outcome = writeOutcome(answer);
            if (outcome == Operation.Outcome.OK) {
                acknowledge(invoked, completed, new WatchChecker.Event(answer.json().path("revision").asLong(), "put",
                        key, value));
            }
            return Operation.write(process, key, value, outcome, invoked, completed);
        }
        if (kind < 9) {
            String expected = choices.nextBoolean() ? null : "p" + choices.nextInt(4) + "-" + Math.max(0, sequence - 1);
            String compare = expected == null ? "{\"key\":\"" + key + "\",\"target\":\"exists\",\"exists\":false}"
                    : "{\"key\":\"" + key + "\",\"target\":\"value\",\"value\":\"" + expected + "\"}";
            Answer answer = node.send("POST", "/v1/txn", "{\"compare\":[" + compare + "],\"then\":[{\"op\":\"put\","
                    + "\"key\":\"" + key + "\",\"value\":\"" + value + "\"}]}", "application/json");
            long completed = System.nanoTime();
            Operation.Outcome outcome = writeOutcome(answer);
            boolean failed = outcome == Operation.Outcome.OK && !answer.json().path("succeeded").asBoolean();
            if (outcome == Operation.Outcome.OK && !failed) {
                acknowledge(invoked, completed, new WatchChecker.Event(answer.json().path("revision").asLong(), "put",
                        key, value));
            }
            return Operation.cas(process, key, expected, value, outcome, failed, invoked, completed);
        }
        Answer answer = node.send("DELETE", "/v1/kv/" + key, null, null);
        long completed = System.nanoTime();
        Operation.Outcome outcome = writeOutcome(answer);
        if (outcome == Operation.Outcome.OK && answer.json().path("deleted").asBoolean()) {
            acknowledge(invoked, completed, new WatchChecker.Event(answer.json().path("revision").asLong(), "delete",
                    key, null));
        }
        return Operation.delete(process, key, outcome, invoked, completed);
    }

    private void acknowledge(long invoked, long completed, WatchChecker.Event change) {
        okWrites.add(new long[] {invoked, completed});
        acknowledgedChanges.add(change);
    }

    private Void setClient(int adder, Random choices, AtomicBoolean stop) {
        for (int i = 0; i < 1_000_000 && !stop.get(); i++) {
            String element = "a" + adder + "-" + i;
            adds.put(element, add(element, choices, stop));
        }
        return null;
    }

    /**
     * Adds {@code element} to the set (a create-only key under {@code set/}) through random nodes, with one
     * Idempotency-Key for all its attempts: it ends acknowledged exactly once, refused, or (when the run
     * ends first) unknown.
     */
    private Operation.Outcome add(String element, Random choices, AtomicBoolean stop) {
        Operation.Outcome outcome = Operation.Outcome.FAIL;
        for (int tries = 0; tries < 10; tries++) {
            long invoked = System.nanoTime();
            Answer answer = anyMember(choices).send("PUT", "/v1/kv/set/" + element, element, "text/plain",
                    "Idempotency-Key", "add-" + element, "If-None-Match", "*");
            Operation.Outcome attempt = writeOutcome(answer);
            if (attempt == Operation.Outcome.OK) {
                okWrites.add(new long[] {invoked, System.nanoTime()});
                return Operation.Outcome.OK;
            }
            if (attempt == Operation.Outcome.UNKNOWN) {
                outcome = Operation.Outcome.UNKNOWN;
            } else if (outcome != Operation.Outcome.UNKNOWN && answer.status() >= 400 && answer.status() < 500
                    && answer.status() != 401 && answer.status() != 429) {
                return Operation.Outcome.FAIL;
            }
            if (stop.get()) {
                break;
            }
        }
        return outcome;
    }

    private Void counterClient(int id, Random choices, AtomicBoolean stop) {
        for (int i = 0; i < 1_000_000 && !stop.get(); i++) {
            Operation.Outcome outcome = increment(id + "-" + i, choices, stop);
            if (outcome == Operation.Outcome.OK) {
                increments.incrementAndGet();
            } else if (outcome == Operation.Outcome.UNKNOWN) {
                unknownIncrements.incrementAndGet();
            }
        }
        return null;
    }

    /**
     * One increment: read the counter, compare-and-set it one higher under an Idempotency-Key, and resend
     * that same request until its answer is definite. A definite "compare failed" (or a refusal while no
     * attempt is in doubt) means it did not happen: read again and try with a new key.
     */
    private Operation.Outcome increment(String name, Random choices, AtomicBoolean stop) {
        for (int round = 0; round < 50 && !stop.get(); round++) {
            Answer read = anyMember(choices).send("GET", "/v1/kv/" + COUNTER, null, null);
            if (read.status() != 200 && read.status() != 404) {
                continue;
            }
            long current = read.status() == 200 ? Long.parseLong(read.body()) : 0;
            String compare = current == 0 ? "{\"key\":\"" + COUNTER + "\",\"target\":\"exists\",\"exists\":false}"
                    : "{\"key\":\"" + COUNTER + "\",\"target\":\"value\",\"value\":\"" + current + "\"}";
            String txn = "{\"compare\":[" + compare + "],\"then\":[{\"op\":\"put\",\"key\":\"" + COUNTER
                    + "\",\"value\":\"" + (current + 1) + "\"}]}";
            boolean inDoubt = false;
            for (int tries = 0; tries < 10; tries++) {
                long invoked = System.nanoTime();
                Answer answer = anyMember(choices).send("POST", "/v1/txn", txn, "application/json", "Idempotency-Key",
                        "inc-" + name + "-" + round);
                Operation.Outcome outcome = writeOutcome(answer);
                if (outcome == Operation.Outcome.OK) {
                    if (answer.json().path("succeeded").asBoolean()) {
                        okWrites.add(new long[] {invoked, System.nanoTime()});
                        return Operation.Outcome.OK;
                    }
                    inDoubt = false;
                    break;
                }
                inDoubt |= outcome == Operation.Outcome.UNKNOWN;
                if (!inDoubt || stop.get() && tries >= 2) {
                    break;
                }
            }
            if (inDoubt) {
                return Operation.Outcome.UNKNOWN;
            }
        }
        return Operation.Outcome.FAIL;
    }

    /**
     * A write's outcome from its answer: 2xx happened; a refusal before anything was proposed (4xx, a
     * connection never made, 503 leader-unreachable from a node that heard from no leader) did not;
     * everything else (503 write-outcome-unknown, a timeout, a reset) may have. Taking leader-unreachable
     * as "did not" lets the checker catch a node that proposed what it said it refused.
     */
    static Operation.Outcome writeOutcome(Answer answer) {
        if (answer.status() >= 200 && answer.status() < 300) {
            return Operation.Outcome.OK;
        }
        if ((answer.status() >= 400 && answer.status() < 500) || answer.neverConnected()
                || (answer.status() == 503 && answer.body().contains("urn:muster:problem:leader-unreachable"))) {
            return Operation.Outcome.FAIL;
        }
        return Operation.Outcome.UNKNOWN;
    }

    /** A watcher of the register keys that resumes on another node after its stream ends or goes quiet. */
    private final class WatchClient {
        final String name;
        final long from;
        final List<WatchChecker.Event> events = Collections.synchronizedList(new ArrayList<>());
        volatile long through;
        volatile int reconnects;
        volatile boolean compacted;

        WatchClient(String name, long from) {
            this.name = name;
            this.from = from;
            this.through = from - 1;
        }

        WatchChecker.Stream stream() {
            return new WatchChecker.Stream(name, from, through, List.copyOf(events));
        }

        Void watch(Random choices, AtomicBoolean stop) throws InterruptedException {
            int refusedAsCompacted = 0;
            while (!stop.get()) {
                ProcessNode node = anyMember(choices);
                HttpRequest request = HttpRequest.newBuilder(node.uri("/v1/watch?prefix=r/&fromRevision=" + (through + 1)))
                        .timeout(ProcessNode.REQUEST_TIMEOUT).header("Authorization", Http.bearer(TestNode.ADMIN_TOKEN))
                        .header("Accept", "text/event-stream").GET().build();
                HttpResponse<InputStream> response;
                try {
                    response = WATCH_CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
                } catch (IOException e) {
                    Thread.sleep(100);
                    continue;
                }
                try (SseStream stream = SseStream.reading(response)) {
                    if (response.statusCode() == 410 && ++refusedAsCompacted > 20) {
                        compacted = true;
                        return null;
                    }
                    if (response.statusCode() != 200) {
                        Thread.sleep(100);
                        continue;
                    }
                    read(stream, stop);
                }
                reconnects++;
            }
            return null;
        }

        /** Reads until the stream ends, or says nothing for 4 s (its node paused or cut off: progress comes every 1 s). */
        private void read(SseStream stream, AtomicBoolean stop) throws InterruptedException {
            while (!stop.get()) {
                SseStream.Message message = stream.poll(Duration.ofSeconds(4));
                if (message == null || message == SseStream.END) {
                    return;
                }
                if (message.event().equals("change")) {
                    for (JsonNode event : message.json().path("events")) {
                        String type = event.path("type").asString();
                        events.add(new WatchChecker.Event(message.revision(), type, event.path("key").asString(),
                                type.equals("delete") ? null : event.at("/entry/value").asString()));
                    }
                    through = Math.max(through, message.revision());
                } else if (message.event().equals("progress")) {
                    through = Math.max(through, message.revision());
                } else {
                    return; // compacted or closed: resume elsewhere
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------- faults

    /** Whether the schedule should go on: the history's length is not up. */
    boolean running() {
        return System.nanoTime() < deadline;
    }

    /** Lets the workload run for {@code seconds} (cut short at the end of the history). */
    void hold(double seconds) throws InterruptedException {
        long until = Math.min(System.nanoTime() + (long) (seconds * 1e9), Math.max(deadline, System.nanoTime()));
        long left = until - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** The member that leads in the highest term, waiting for one. */
    ProcessNode leader() {
        return Waits.until("a leader", TestCluster.DEADLINE, () -> {
            ProcessNode leader = null;
            long term = -1;
            for (ProcessNode node : members) {
                JsonNode status = node.alive() && !node.paused() ? node.status() : null;
                if (status != null && "LEADER".equals(status.path("role").asString())
                        && status.path("term").asLong() > term) {
                    leader = node;
                    term = status.path("term").asLong();
                }
            }
            return leader;
        });
    }

    /** A random running member other than the leader. */
    ProcessNode follower() {
        ProcessNode leader = leader();
        List<ProcessNode> others = members.stream().filter(node -> node != leader && node.alive()).toList();
        return others.get(random.nextInt(others.size()));
    }

    List<ProcessNode> members() {
        return members;
    }

    void count(String fault) {
        faults.merge(fault, 1, Integer::sum);
    }

    /** kill -9 of {@code node}; {@code what} names the fault in the report. */
    void kill(ProcessNode node, String what) {
        boolean leading = node == leader();
        node.kill();
        if (leading) {
            leaderKills.add(System.nanoTime());
        }
        count("kill -9 " + what);
    }

    /**
     * Restarts a killed member and waits until it has applied what the leader had committed when it
     * restarted; the time that took is a catch-up figure.
     */
    void restart(ProcessNode node) throws IOException {
        long committed = leader().status().path("commitIndex").asLong();
        long begun = System.nanoTime();
        node.start(members.stream().map(ProcessNode::peerEntry).collect(Collectors.joining(",")));
        long answering;
        try {
            answering = Waits.until(node + " answering", MAX_BOOT, () -> node.status() != null ? System.nanoTime() : null);
        } catch (AssertionError e) {
            problems.add(node + " restarted but did not answer within " + MAX_BOOT.toSeconds() + " s");
            return;
        }
        try {
            Waits.until(node + " caught up to " + committed, Duration.ofSeconds(60), () -> {
                JsonNode status = node.status();
                return status != null && status.path("appliedIndex").asLong() >= committed ? true : null;
            });
            long caughtUp = System.nanoTime();
            catchUps.add((caughtUp - begun) / 1e9);
            boots.add((answering - begun) / 1e9);
            if ((caughtUp - answering) / 1e9 > MAX_CATCH_UP_SECONDS) {
                problems.add(String.format("%s took %.1f s to catch up once it answered", node, (caughtUp - answering) / 1e9));
            }
        } catch (AssertionError e) {
            problems.add(node + " answered but had not caught up to " + committed + " 60 s later");
        }
    }

    /**
     * Closes {@code node}'s Raft division underneath it, keeping its storage, as Ratis 3.3.0 does on the
     * late-append race after a snapshot install: Ratis' own group-remove request, sent to that node only
     * (over its Raft port), so the node stays up and a member of the configuration. Then acts as its
     * supervisor (kubelet's liveness probe): once the node's liveness says DOWN, kills and restarts it and
     * waits for it to catch up. A node whose liveness never goes DOWN is a problem of the history.
     */
    void closeDivisionAndSupervise(ProcessNode node) throws IOException, InterruptedException {
        JsonNode status = node.status();
        if (status == null) {
            return;
        }
        RaftPeerId id = RaftPeerId.valueOf(node.id);
        RaftGroupId group = RaftGroupId.valueOf(UUID.fromString(status.path("groupId").asString()));
        try (RaftClient client = RaftClient.newBuilder().setProperties(new RaftProperties())
                .setRaftGroup(RaftGroup.valueOf(group, RaftPeer.newBuilder().setId(id).setAddress(node.raftAddress())
                        .build())).build()) {
            client.getGroupManagementApi(id).remove(group, false, false);
        }
        count("division closed underneath a follower");
        long closed = System.nanoTime();
        try {
            Waits.until(node + " liveness DOWN", Duration.ofSeconds(20), Duration.ofMillis(100), () -> {
                try {
                    HttpResponse<Void> liveness = WATCH_CLIENT.send(HttpRequest.newBuilder(
                            node.uri("/actuator/health/liveness")).timeout(ProcessNode.REQUEST_TIMEOUT).GET().build(),
                            HttpResponse.BodyHandlers.discarding());
                    return liveness.statusCode() == 503 ? true : null;
                } catch (IOException e) {
                    return null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            });
        } catch (AssertionError e) {
            problems.add(node + "'s division closed underneath it, and its liveness did not go DOWN within 20 s");
            return;
        }
        System.out.printf("[faults] %s: %s's division closed underneath it; liveness DOWN after %.1f s%n", name, node,
                (System.nanoTime() - closed) / 1e9);
        node.kill();
        restart(node);
    }

    /** SIGSTOP for {@code seconds}, then SIGCONT. */
    void pause(ProcessNode node, double seconds, String what) throws IOException, InterruptedException {
        node.pause();
        count("pause " + what);
        try {
            TimeUnit.MILLISECONDS.sleep((long) (seconds * 1000));
        } finally {
            node.resume();
        }
    }

    /** Cuts {@code node} off from every other member. */
    void isolate(ProcessNode node, String what) throws IOException, InterruptedException {
        lab.isolate(node.slot, members.stream().map(member -> member.slot).toList());
        count("partition: isolate " + what);
    }

    /** Cuts every link between {@code minority} and the other members. */
    void split(Set<ProcessNode> minority) throws IOException, InterruptedException {
        for (ProcessNode inside : minority) {
            for (ProcessNode outside : members) {
                if (!minority.contains(outside)) {
                    lab.cut(inside.slot, outside.slot);
                }
            }
        }
        count("partition: majority/minority " + (members.size() - minority.size()) + "/" + minority.size());
    }

    /**
     * A bridge: the members split into two halves that cannot reach each other and one node that reaches
     * both (with three members: the two nodes either side of the bridge cannot talk).
     */
    void bridge() throws IOException, InterruptedException {
        List<ProcessNode> shuffled = new ArrayList<>(members);
        Collections.shuffle(shuffled, random);
        int half = (shuffled.size() - 1) / 2;
        for (ProcessNode left : shuffled.subList(0, half)) {
            for (ProcessNode right : shuffled.subList(half + 1, shuffled.size())) {
                lab.cut(left.slot, right.slot);
            }
        }
        count("partition: bridge through " + shuffled.get(half));
    }

    void healNetwork() throws IOException, InterruptedException {
        lab.heal();
    }

    /** Asks the cluster for leadership to move to {@code node}. */
    void transferLeadership(ProcessNode node) {
        admin("POST", "/v1/cluster/leader", "{\"id\":\"" + node.id + "\"}", 200, null);
        count("transfer leadership");
    }

    /**
     * Removes {@code node} from the cluster under load, wipes it, and adds it back as a new voter that
     * joins, catches up and is promoted.
     */
    void removeAndReadd(ProcessNode node) throws IOException {
        remove(node);
        node.wipe();
        add(node);
        count("membership: remove and re-add a voter");
    }

    /** Adds a fresh node from a spare slot, then removes {@code node} (killed and wiped after). */
    void replace(ProcessNode node) throws IOException {
        ProcessNode fresh = nodes.stream().filter(spare -> !members.contains(spare)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no spare slot to replace " + node + " with"));
        fresh.wipe();
        add(fresh);
        remove(node);
        node.wipe();
        count("membership: replace a voter");
    }

    private void add(ProcessNode node) throws IOException {
        node.start("");
        admin("POST", "/v1/cluster/members", "{\"id\":\"" + node.id + "\",\"address\":\"" + node.raftAddress()
                + "\",\"voting\":true}", 202, "member-exists");
        Waits.until(node + " promoted to voter", Duration.ofSeconds(60), () -> {
            JsonNode status = leader().status();
            for (JsonNode member : status.path("members")) {
                if (member.path("id").asString().equals(node.id) && member.path("voting").asBoolean()
                        && !member.path("promoting").asBoolean()) {
                    return true;
                }
            }
            return null;
        });
        List<ProcessNode> grown = new ArrayList<>(members);
        grown.add(node);
        members = List.copyOf(grown);
    }

    private void remove(ProcessNode node) {
        admin("DELETE", "/v1/cluster/members/" + node.id, null, 204, "member-not-found");
        members = members.stream().filter(member -> member != node).toList();
    }

    /**
     * Sends an administrative request to a running member, one attempt at a time (each may take as long
     * as the change does), until an answer says it is done: {@code expected}, or {@code alreadyDone}
     * (the problem type an earlier attempt that timed out on the client side leaves behind).
     */
    private void admin(String method, String path, String body, int expected, String alreadyDone) {
        Random choices = new Random(random.nextLong());
        Waits.until(method + " " + path + " answered " + expected, Duration.ofSeconds(90), Duration.ofMillis(250), () -> {
            List<ProcessNode> running = members.stream().filter(node -> node.alive() && !node.paused()).toList();
            Answer answer = running.get(choices.nextInt(running.size())).send(Duration.ofSeconds(60), method, path, body,
                    body == null ? null : "application/json");
            return answer.status() == expected || alreadyDone != null && answer.body().contains(alreadyDone)
                    ? answer : null;
        });
    }

    /**
     * Keeps {@code node} behind (cut off, or paused where links cannot be cut) until the other members
     * have purged their logs past the end of its log, then lets it back: it can only catch up by
     * installing a snapshot, which it must have done. The end of its log, not what it applied: a
     * follower holds entries it was sent but had not learnt were committed when it was cut off, and
     * catches up past those from its own log (CI saw that three times while this compared with the
     * applied index).
     */
    void keepBehind(ProcessNode node) throws IOException, InterruptedException {
        List<String> without = new ArrayList<>();
        for (int attempt = 1; attempt <= KEEP_BEHIND_ATTEMPTS; attempt++) {
            String missed = keptBehindOnce(node);
            if (missed == null) {
                snapshotInstalls++;
                return;
            }
            without.add(missed);
        }
        problems.add(node + " never installed a snapshot in " + KEEP_BEHIND_ATTEMPTS + " attempts: " + without);
    }

    /**
     * One attempt of {@link #keepBehind}: {@code null} when the node caught up by installing a snapshot,
     * else how it caught up without one. A follower has now and then (three times in CI, never
     * explained) caught up from entries although every other member reported a log start past the
     * end of its log; the history then keeps it behind again rather than pass without an install.
     */
    private String keptBehindOnce(ProcessNode node) throws IOException, InterruptedException {
        long logEnd;
        if (lab.partitions()) {
            // Read after the cut: installing the rules takes a while under load (seconds, once), and a
            // node read before it kept receiving meanwhile, past the purge the wait below then saw.
            lab.isolate(node.slot, members.stream().map(member -> member.slot).toList());
            logEnd = settledLogEnd(node);
        } else {
            logEnd = node.status().path("lastLogIndex").asLong();
            node.pause();
        }
        count("snapshot: follower kept behind past the purged log");
        long logStart;
        try {
            // Every other member, not only today's leader: leadership may move while the node is away,
            // and a leader whose own log still held what the node lacks would send it entries instead.
            logStart = Waits.until("every other member purging past " + node, Duration.ofSeconds(60),
                    () -> purgedPast(node, logEnd));
        } finally {
            if (lab.partitions()) {
                lab.heal();
            } else {
                node.resume();
            }
        }
        long committed = leader().status().path("commitIndex").asLong();
        JsonNode caughtUp = Waits.until(node + " caught up by snapshot", Duration.ofSeconds(60), () -> {
            JsonNode status = node.status();
            return status != null && status.path("appliedIndex").asLong() >= committed ? status : null;
        });
        if (caughtUp.path("snapshotIndex").asLong() >= logStart - 1) {
            return null;
        }
        String missed = node + " caught up past the purged log start " + logStart + " without a snapshot (log end "
                + logEnd + ", snapshot " + caughtUp.path("snapshotIndex").asLong() + ")";
        System.out.println("[faults] " + name + ": " + missed + "; keeping it behind again");
        return missed;
    }

    /**
     * The lowest log start among the members other than {@code behind}, once every one of them has
     * purged the entry after {@code logEnd}; {@code null} before (or while one does not answer).
     */
    private Long purgedPast(ProcessNode behind, long logEnd) {
        long lowest = Long.MAX_VALUE;
        for (ProcessNode member : members) {
            if (member == behind) {
                continue;
            }
            JsonNode status = member.alive() && !member.paused() ? member.status() : null;
            if (status == null) {
                return null;
            }
            lowest = Math.min(lowest, status.path("logStartIndex").asLong());
        }
        return lowest > logEnd + 1 ? lowest : null;
    }

    /** The end of the log of a node cut off from its peers, once it stops moving (appends in flight may land). */
    private static long settledLogEnd(ProcessNode node) {
        long[] last = {-1};
        return Waits.until(node + " receiving nothing more", Duration.ofSeconds(10), Duration.ofMillis(300), () -> {
            long logEnd = node.status().path("lastLogIndex").asLong();
            long previous = last[0];
            last[0] = logEnd;
            return logEnd == previous ? logEnd : null;
        });
    }

    /** Resumes paused members, heals the network and restarts every member that is down. */
    void healAll() throws IOException, InterruptedException {
        for (ProcessNode node : members) {
            node.resume();
        }
        lab.heal();
        for (ProcessNode node : members) {
            if (!node.alive()) {
                restart(node);
            }
        }
    }

    @Override
    public void close() {
        nodes.forEach(ProcessNode::kill);
        if (lab != null) {
            lab.close();
        }
    }
}
