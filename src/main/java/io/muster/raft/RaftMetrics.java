package io.muster.raft;

import io.muster.replication.NodeStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Muster's Raft meters, named {@code muster.raft.*} (Prometheus: {@code muster_raft_*}). Gauges read
 * the node's status, at most once per {@link #STATUS_TTL_NANOS} however many gauges a scrape reads.
 *
 * <p>Thread-safe.
 */
public final class RaftMetrics {

    private static final long STATUS_TTL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final List<String> ROLES = List.of("LEADER", "FOLLOWER", "CANDIDATE", "LISTENER");

    private final MeterRegistry registry;
    private final Supplier<NodeStatus> statusSource;
    private final Counter leaderChanges;
    private final Timer proposals;
    private final Timer applies;
    private final DistributionSummary applyBatches;
    private final Timer snapshots;
    private final Timer snapshotCaptures;
    private final AtomicLong snapshotBytes = new AtomicLong();
    private final AtomicInteger pendingProposals = new AtomicInteger();
    private final Set<String> lagGauges = ConcurrentHashMap.newKeySet();
    private volatile long firstTerm = -1;
    private volatile NodeStatus cached;
    private volatile long cachedAt;

    RaftMetrics(MeterRegistry registry, Supplier<NodeStatus> statusSource, Path raftDirectory) {
        this.registry = registry;
        this.statusSource = statusSource;
        Gauge.builder("muster.raft.term", () -> status().term()).description("The current Raft term").register(registry);
        Gauge.builder("muster.raft.commit.index", () -> status().commitIndex())
                .description("The highest log index this node knows committed").register(registry);
        Gauge.builder("muster.raft.applied.index", () -> status().appliedIndex())
                .description("The highest log index this node applied (the revision it serves)").register(registry);
        for (String role : ROLES) {
            Gauge.builder("muster.raft.role", () -> role.equals(status().role()) ? 1 : 0).tag("role", role.toLowerCase())
                    .description("1 for this node's current Raft role, 0 for the others").register(registry);
        }
        FunctionCounter.builder("muster.raft.elections", this, RaftMetrics::elections)
                .description("Elections held since this node started (each one starts a new term)").register(registry);
        leaderChanges = Counter.builder("muster.raft.leader.changes")
                .description("Times this node saw the leader change").register(registry);
        proposals = Timer.builder("muster.raft.proposal").publishPercentileHistogram()
                .description("Time from proposing a write to its applied result, on the node that took the request")
                .register(registry);
        applies = Timer.builder("muster.raft.apply").publishPercentileHistogram()
                .description("Time to apply one committed entry to the state").register(registry);
        applyBatches = DistributionSummary.builder("muster.raft.apply.batch")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096)
                .description("Committed entries found waiting each time the apply thread caught up").register(registry);
        snapshots = Timer.builder("muster.raft.snapshot").description("Time to write a snapshot").register(registry);
        snapshotCaptures = Timer.builder("muster.raft.snapshot.capture")
                .description("Time the apply thread spent copying the state for a snapshot (writes wait this long)")
                .register(registry);
        Gauge.builder("muster.raft.snapshot.size", snapshotBytes, AtomicLong::get).baseUnit("bytes")
                .description("Size of the latest snapshot this node wrote").register(registry);
        Gauge.builder("muster.raft.log.size", () -> logBytes(raftDirectory)).baseUnit("bytes")
                .description("Size of the Raft log on disk").register(registry);
        Gauge.builder("muster.raft.proposals.pending", pendingProposals, AtomicInteger::get)
                .description("Writes proposed through this node and not yet answered").register(registry);
    }

    /** Registers a lag gauge for every member this node has seen; called when the configuration changes. */
    void membersChanged() {
        for (NodeStatus.Member member : statusSource.get().members()) {
            if (lagGauges.add(member.id())) {
                Gauge.builder("muster.raft.follower.lag", () -> lag(member.id())).tag("member", member.id())
                        .description("Log entries a member trails the leader's log by (on the leader; NaN elsewhere)")
                        .register(registry);
            }
        }
    }

    /** The term this node recovered from its storage: elections are counted from there. */
    void started(long recoveredTerm) {
        firstTerm = recoveredTerm;
    }

    void leaderChanged() {
        leaderChanges.increment();
    }

    void applied(long nanos) {
        applies.record(nanos, TimeUnit.NANOSECONDS);
    }

    void applyBatch(long entries) {
        applyBatches.record(entries);
    }

    void snapshotCaptured(long nanos) {
        snapshotCaptures.record(nanos, TimeUnit.NANOSECONDS);
    }

    void snapshotTaken(long nanos, long bytes) {
        snapshots.record(nanos, TimeUnit.NANOSECONDS);
        snapshotBytes.set(bytes);
    }

    /** Starts timing a proposal; the returned sample is stopped by {@link #proposalEnded}. */
    Timer.Sample proposalStarted() {
        pendingProposals.incrementAndGet();
        return Timer.start(registry);
    }

    void proposalEnded(Timer.Sample sample) {
        pendingProposals.decrementAndGet();
        sample.stop(proposals);
    }

    private double lag(String memberId) {
        return status().members().stream().filter(member -> member.id().equals(memberId) && member.lag() != null)
                .findFirst().map(member -> (double) member.lag()).orElse(Double.NaN);
    }

    private double elections() {
        return firstTerm < 0 ? 0 : Math.max(0, status().term() - firstTerm);
    }

    private NodeStatus status() {
        NodeStatus status = cached;
        long now = System.nanoTime();
        if (status == null || now - cachedAt > STATUS_TTL_NANOS) {
            status = statusSource.get();
            cached = status;
            cachedAt = now;
        }
        return status;
    }

    private static double logBytes(Path raftDirectory) {
        if (!Files.isDirectory(raftDirectory)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(raftDirectory)) {
            return files.filter(path -> path.getParent() != null && path.getParent().getFileName().toString()
                    .equals("current") && path.getFileName().toString().startsWith("log_"))
                    .mapToLong(RaftMetrics::size).sum();
        } catch (IOException | UncheckedIOException e) {
            return Double.NaN;
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // purged between the listing and the size
        }
    }
}
