package io.muster.lease;

import io.muster.support.DaemonThreads;
import io.muster.support.Deadline;
import io.muster.support.PeriodicDuty;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.muster.MusterProperties;
import io.muster.core.Applied;
import io.muster.core.Command;
import io.muster.core.RejectedException;
import io.muster.core.Lease;
import io.muster.replication.AppliedChanges;
import io.muster.replication.Gateway;
import io.muster.replication.GatewayException;
import io.muster.replication.LeaderQueries;
import io.muster.replication.Replica;
import io.muster.replication.ReplicatedState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Keeps lease time. Every node follows the applied leases into its {@link LeaseTimers}; only the
 * leader's timers count. The leader answers keep-alives from memory (followers forward theirs
 * through {@link Gateway#askLeader}) and, every {@code muster.lease.check-interval}, proposes the
 * expiry of leases whose time ran out as one logged command.
 *
 * <p>The bound this gives, stated in docs/api.md: a lease ends no earlier than its TTL after the last
 * keep-alive the leader received, and no later than that plus the check interval plus one commit,
 * unless leadership moves, which restarts every timer at its full TTL.
 *
 * <p>Threading: notifications arrive on the apply thread (under the state machine's write lock),
 * answers on Ratis' and request threads, ticks on this class's own thread; the timers are guarded by
 * this object's monitor, which is never held while taking the state machine's lock or proposing.
 */
@Component
public class Lessor extends PeriodicDuty implements AppliedChanges, LeaderQueries {

    private static final Logger log = LoggerFactory.getLogger(Lessor.class);
    /** How long to wait before asking again when the node asked turned out not to lead. */
    private static final Duration NOT_LEADER_PAUSE = Duration.ofMillis(20);

    private final Replica node;
    private final ReplicatedState state;
    private final Gateway gateway;
    private final Duration askTimeout;
    private final String nodeId;
    private final LeaseTimers timers = new LeaseTimers();
    private final InstanceCounts instances = new InstanceCounts();
    /** Guarded by this object's monitor, like the timers; published through {@link #guardState}. */
    private final ExpiryGuard guard;
    private volatile GuardState guardState = new GuardState(false, 0, 0, 0);
    private final Counter expired;
    private final Counter keepAlives;
    private volatile int count;
    private final ExecutorService forwarder;
    private final KeepAliveBatcher batcher;

    public Lessor(Replica node, ReplicatedState state, Gateway gateway, MusterProperties properties, MeterRegistry meterRegistry) {
        super("muster-lessor-" + properties.nodeId(), Replica.PHASE + 1, properties.lease().checkInterval(),
                properties.lease().checkInterval());
        this.node = node;
        this.state = state;
        this.gateway = gateway;
        this.askTimeout = properties.raft().readTimeout();
        this.nodeId = properties.nodeId();
        MusterProperties.Leases leases = properties.lease();
        this.guard = new ExpiryGuard(leases.guardShare(), leases.guardWindow().toNanos(), leases.guardMinInstances(),
                leases.guardMaxPause().toNanos());
        Gauge.builder("muster.lease.expiry.paused", this, lessor -> lessor.guardState.paused() ? 1 : 0)
                .description("1 while the mass-expiry guard holds back the expiry of leases carrying instances")
                .register(meterRegistry);
        Gauge.builder("muster.lease.expiry.held.instances", this, lessor -> lessor.guardState.heldInstances())
                .description("Instances whose overdue leases the mass-expiry guard holds").register(meterRegistry);
        this.expired = Counter.builder("muster.lease.expired").description("Leases this node expired as leader")
                .register(meterRegistry);
        this.keepAlives = Counter.builder("muster.lease.keepalives")
                .description("Keep-alives this node answered as leader (none of them is logged)").register(meterRegistry);
        Gauge.builder("muster.lease.count", this, lessor -> lessor.count).description("Leases in the applied state")
                .register(meterRegistry);
        this.forwarder = Executors.newSingleThreadExecutor(DaemonThreads.named("muster-keepalive-forwarder-" + nodeId));
        this.batcher = new KeepAliveBatcher(ids -> LeaseQuery.Batch.decodeAnswers(
                gateway.askLeader(LeaseQuery.Batch.keepAlives(ids).encode())), forwarder);
        state.answerLeaderQueries(this);
    }

    // ---- the applied state (apply thread) ----

    @Override
    public void applied(Applied applied) {
        if (applied.granted().isEmpty() && applied.ended().isEmpty() && applied.instances().isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        synchronized (this) {
            applied.granted().forEach(lease -> timers.granted(lease.id(), lease.ttlMillis(), now));
            applied.ended().forEach(timers::ended);
            instances.apply(applied.instances());
            count = timers.size();
        }
    }

    /** Called under the state machine's write lock, so reading the new state here sees exactly it. */
    @Override
    public void replaced(long revision) {
        List<Lease> leases = state.read(store -> List.copyOf(store.leases()));
        List<io.muster.core.Instance> registered = state.read(store -> List.copyOf(store.instances()));
        synchronized (this) {
            timers.reload(leases, System.nanoTime());
            instances.reload(registered);
            count = timers.size();
        }
    }

    // ---- keep-alives ----

    /**
     * Resets lease {@code id}'s timer on the leader, wherever this node is; never logged. A follower
     * forwards its keep-alives in batches ({@link KeepAliveBatcher}).
     */
    public LeaseQuery.Answer keepAlive(long id) {
        if (gateway.leaderIsLocal()) {
            return ask(new LeaseQuery.Question(LeaseQuery.Kind.KEEP_ALIVE, id));
        }
        return untilALeaderAnswers(id, deadline -> forwarded(id, deadline));
    }

    private LeaseQuery.Answer forwarded(long id, Deadline deadline) {
        try {
            return batcher.keepAlive(id).get(deadline.nanosLeft(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GatewayException gatewayException) {
                throw gatewayException;
            }
            throw new GatewayException.ReadUnavailable("keep-alive of lease " + id + " failed: " + e.getCause(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new GatewayException.ReadUnavailable("no leader answered for lease " + id + " within " + askTimeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException.ReadUnavailable("interrupted while asking the leader", e);
        }
    }

    /** How long lease {@code id} has left, by the leader's timer. */
    public LeaseQuery.Answer timeLeft(long id) {
        return ask(new LeaseQuery.Question(LeaseQuery.Kind.TIME_LEFT, id));
    }

    /**
     * How long each of {@code ids} has left by the leader's timers, in their order, asked in one trip and
     * resetting none; empty when no leader answered within the read timeout, or the leader refused the
     * question (a leader of a build from before {@link LeaseQuery.Kind#TIME_LEFT_MANY}, during an upgrade).
     * Nothing is logged or proposed.
     */
    public Optional<List<LeaseQuery.Answer>> timeLeft(List<Long> ids) {
        if (ids.isEmpty()) {
            return Optional.of(List.of());
        }
        byte[] question = LeaseQuery.Batch.timeLeft(ids).encode();
        Deadline deadline = Deadline.after(askTimeout);
        return timesLeft(ids.size(), () -> LeaseQuery.Batch.decodeAnswers(gateway.askLeader(question)), () -> {
            try {
                return deadline.pauseBeforeRetry(NOT_LEADER_PAUSE);
            } catch (InterruptedException e) {
                return false;
            }
        });
    }

    /**
     * Asks for the times left through {@code asking} (the answers to {@code count} leases) until a leader
     * answers, while {@code again} allows one more try after an answer that the node asked does not lead;
     * empty when no leader answered, or asking failed (no leader reachable; a leader of an older build,
     * which refuses the question; an answer of the wrong size).
     */
    static Optional<List<LeaseQuery.Answer>> timesLeft(int count, Supplier<List<LeaseQuery.Answer>> asking,
            BooleanSupplier again) {
        try {
            while (true) {
                List<LeaseQuery.Answer> answers = asking.get();
                if (answers.size() != count) {
                    log.warn("the leader answered {} times left for {} leases; answering without them", answers.size(),
                            count);
                    return Optional.empty();
                }
                if (answers.stream().noneMatch(answer -> answer.status() == LeaseQuery.Status.NOT_LEADER)) {
                    return Optional.of(answers);
                }
                if (!again.getAsBoolean()) {
                    return Optional.empty();
                }
            }
        } catch (GatewayException | IllegalArgumentException e) {
            log.debug("no times left from the leader: {}", e.getMessage());
            return Optional.empty();
        }
    }

    private LeaseQuery.Answer ask(LeaseQuery.Question question) {
        return untilALeaderAnswers(question.id(),
                deadline -> LeaseQuery.Answer.decode(gateway.askLeader(question.encode())));
    }

    /**
     * Asks again, after a short pause, while the node asked answers that it does not lead (leadership
     * is moving), until the read timeout.
     */
    private LeaseQuery.Answer untilALeaderAnswers(long id, Function<Deadline, LeaseQuery.Answer> asking) {
        Deadline deadline = Deadline.after(askTimeout);
        while (true) {
            LeaseQuery.Answer answer = asking.apply(deadline);
            if (answer.status() != LeaseQuery.Status.NOT_LEADER) {
                return answer;
            }
            boolean again;
            try {
                again = deadline.pauseBeforeRetry(NOT_LEADER_PAUSE);
            } catch (InterruptedException e) {
                throw new GatewayException.ReadUnavailable("interrupted while asking the leader", e);
            }
            if (!again) {
                throw new GatewayException.ReadUnavailable("no leader answered for lease " + id + " within "
                        + askTimeout, null);
            }
        }
    }

    /** Answers a question that reached this node as the leader (from itself or a follower). */
    @Override
    public byte[] answer(byte[] query) {
        LeaseQuery.Kind kind = LeaseQuery.kindOf(query);
        if (kind == LeaseQuery.Kind.KEEP_ALIVE_MANY || kind == LeaseQuery.Kind.TIME_LEFT_MANY) {
            return answerBatch(LeaseQuery.Batch.decode(query));
        }
        LeaseQuery.Question question = LeaseQuery.Question.decode(query);
        long leadingTerm = node.leadingTerm();
        LeaseQuery.Answer answer;
        synchronized (this) {
            long now = System.nanoTime();
            if (!timers.lead(leadingTerm, now)) {
                answer = LeaseQuery.Answer.NOT_LEADER;
            } else if (question.kind() == LeaseQuery.Kind.KEEP_ALIVE) {
                answer = timers.keepAlive(question.id(), now);
            } else {
                answer = timers.timeLeft(question.id(), now);
            }
        }
        if (question.kind() == LeaseQuery.Kind.KEEP_ALIVE && answer.status() == LeaseQuery.Status.ALIVE) {
            keepAlives.increment();
        }
        return answer.encode();
    }

    /** Keeps the batch's leases alive, or (a time-left batch) only reads their timers. */
    private byte[] answerBatch(LeaseQuery.Batch batch) {
        boolean keepAlive = batch.kind() == LeaseQuery.Kind.KEEP_ALIVE_MANY;
        long leadingTerm = node.leadingTerm();
        List<LeaseQuery.Answer> answers = new ArrayList<>(batch.ids().size());
        int alive = 0;
        synchronized (this) {
            long now = System.nanoTime();
            boolean leads = timers.lead(leadingTerm, now);
            for (long id : batch.ids()) {
                LeaseQuery.Answer answer = !leads ? LeaseQuery.Answer.NOT_LEADER
                        : keepAlive ? timers.keepAlive(id, now) : timers.timeLeft(id, now);
                alive += answer.alive() ? 1 : 0;
                answers.add(answer);
            }
        }
        if (keepAlive) {
            keepAlives.increment(alive);
        }
        return LeaseQuery.Batch.encodeAnswers(answers);
    }

    // ---- expiry (ticker thread) ----

    /** What the mass-expiry guard is doing, for health and metrics. */
    public record GuardState(boolean paused, long pausedForMillis, int heldInstances, long trips) {
    }

    public GuardState guardState() {
        return guardState;
    }

    void tick() {
        long leadingTerm = node.leadingTerm();
        ExpiryGuard.Decision decision;
        synchronized (this) {
            long now = System.nanoTime();
            if (!timers.lead(leadingTerm, now)) {
                return;
            }
            List<Long> due = timers.due(now, Lease.MAX_EXPIRED_PER_COMMAND);
            if (due.isEmpty() && !guard.paused()) {
                return;
            }
            // Decided in the same critical section that marked them due, so no keep-alive slips in between.
            boolean wasPaused = guard.paused();
            Map<Long, Integer> carried = instances.of(due);
            decision = guard.decide(now, due, carried, instances.total());
            timers.hold(decision.hold());
            timers.holding(guard.paused());
            if (guard.paused() != wasPaused) {
                log.warn(guard.paused() ? "mass-expiry guard tripped: holding back the leases of {} of {} instances"
                        : "mass-expiry guard let go: {} of {} instances' leases expire now",
                        carried.values().stream().mapToInt(Integer::intValue).sum(), instances.total());
            }
            publishGuard(now);
        }
        expire(decision.expire());
    }

    private void publishGuard(long now) {
        guardState = new GuardState(guard.paused(), guard.paused() ? (now - guard.pausedSince()) / 1_000_000 : 0,
                guard.heldInstances(), guard.trips());
    }

    private void expire(List<Long> due) {
        if (due.isEmpty()) {
            return;
        }
        try {
            gateway.writeAsMuster(new Command.ExpireLeases(due));
            expired.increment(due.size());
        } catch (GatewayException e) {
            log.warn("the expiry of {} lease(s) did not commit; they stay due: {}", due.size(), e.getMessage());
            synchronized (this) {
                timers.expiryFailed(due);
            }
        } catch (RejectedException e) {
            // The expiry was logged and refused (it broke a command rule): proposing it again would be refused again.
            log.error("the expiry of {} lease(s) was refused: {}", due.size(), e.rejected().detail());
        }
    }

    // ---- lifecycle: after the Raft node starts, before it stops ----

    @Override
    protected void runOnce() {
        tick();
    }

    @Override
    protected void failed(RuntimeException failure) {
        log.warn("lease check failed; trying again in {}", period(), failure);
    }

    @Override
    public void stop() {
        forwarder.shutdownNow();
        super.stop();
    }
}
