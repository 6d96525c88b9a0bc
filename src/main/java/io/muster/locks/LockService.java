package io.muster.locks;

import io.muster.support.DaemonThreads;
import io.muster.core.Command;
import io.muster.core.RejectedException;
import io.muster.core.InstanceRules;
import io.muster.core.Keys;
import io.muster.core.Lock;
import io.muster.core.LockResult;
import io.muster.core.Token;
import io.muster.lease.KnownLeases;
import io.muster.replication.Consistency;
import io.muster.replication.Gateway;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import io.muster.MusterProperties;
import io.muster.security.Caller;
import io.muster.wait.WaitingRequests;
import io.muster.watch.WatchFilter;
import io.muster.watch.WatchHub;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Acquires, waits for, releases and reads locks for the lock and election APIs. A request that waits
 * holds no thread: it becomes a {@link LockWait} in the {@link LockQueue} of its lock, which follows
 * the lock's changes on the watch hub and answers when the caller reaches the front of the queue or is
 * dropped from it; a timer withdraws it when its wait runs out. Thread-safe.
 */
@Component
class LockService implements DisposableBean {

    /**
     * The longest a request may wait for a lock. A minute, not more: a waiting request holds a
     * connection and a wait slot, and proxies and load balancers commonly cut a request that has been
     * silent for 60 s; a waiter whose client was cut off would still take the lock when its turn came,
     * and hold it, unused, until its lease ended. A client that wants to wait longer asks again.
     */
    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    /**
     * Threads that commit acquisitions and withdrawals and follow lock changes: enough for Raft to batch
     * many writes at once, few enough that lock traffic cannot take the server's threads.
     */
    private static final int CONTINUATION_THREADS = 16;

    private final Gateway gateway;
    private final WatchHub hub;
    private final WaitingRequests waiting;
    /** Where waits continue after a change or their deadline: reading the lock, proposing a withdrawal. */
    private final ExecutorService continuations;
    /** The lock queues that have requests waiting on this node, by lock name. */
    private final Map<String, LockQueue> queues = new ConcurrentHashMap<>();

    LockService(Gateway gateway, WatchHub hub, WaitingRequests waiting, MusterProperties properties) {
        this.gateway = gateway;
        this.hub = hub;
        this.waiting = waiting;
        this.continuations = Executors.newFixedThreadPool(CONTINUATION_THREADS,
                DaemonThreads.numbered("muster-lock-wait-" + properties.nodeId()));
    }

    /** A lock that is held, and by whom. */
    record Held(Lock lock, long revision) {
    }

    /**
     * Takes lock {@code name} for {@code owner} under {@code lease}, waiting up to {@code wait} in the
     * queue behind its holder without holding the calling thread.
     *
     * @return the lock, held by the caller; or a failure with {@code lock-held} (409) when the wait ran
     *         out (the caller has left the queue by then)
     * @throws ProblemException at once for a bad request, and when the caller may not wait now:
     *                          {@code rate-limited} (429) or {@code too-many-waits} (503)
     */
    CompletableFuture<Held> acquire(String name, long lease, String owner, Duration wait) {
        check(name, owner);
        KnownLeases.requireNotGone(gateway, lease);
        if (wait.isZero()) {
            return acquireNow(name, lease, owner);
        }
        Caller caller = Caller.current();
        Runnable slot = waiting.enter(caller == null ? Command.Authored.ANONYMOUS : caller.principal());
        CompletableFuture<Held> answer;
        try {
            // Even the write that queues the caller commits off the request's thread: 500 acquisitions at
            // once would otherwise take every server thread for as long as their writes take.
            answer = gateway.writeFrom(continuations, new Command.AcquireLock(name, lease, owner))
                    .thenCompose(result -> queued(name, result, lease, owner, caller, wait))
                    .thenApplyAsync(held -> keptFor(caller, name, held), continuations);
        } catch (RuntimeException refused) {
            slot.run();
            throw refused;
        }
        answer.whenComplete((held, failure) -> slot.run());
        return answer;
    }

    /**
     * An acquisition that does not wait: a write like any other, on the request's thread; a caller it
     * queued leaves the queue at once.
     */
    private CompletableFuture<Held> acquireNow(String name, long lease, String owner) {
        LockResult result = gateway.write(new Command.AcquireLock(name, lease, owner));
        if (result.position() == 0) {
            return CompletableFuture.completedFuture(new Held(result.lock(), result.revision()));
        }
        try {
            return CompletableFuture.completedFuture(withdraw(name, lease, owner, Duration.ZERO, false));
        } catch (ProblemException | RejectedException busy) {
            return CompletableFuture.failedFuture(busy); // answered on the async dispatch, which re-checks the token
        }
    }

    /** Where a waiting acquisition that {@code result} answered goes next: held, or into the lock's queue. */
    private CompletableFuture<Held> queued(String name, LockResult result, long lease, String owner, Caller caller,
            Duration wait) {
        if (result.position() == 0) {
            return CompletableFuture.completedFuture(new Held(result.lock(), result.revision()));
        }
        LockWait lockWait = new LockWait(name, lease, owner, wait, result.revision());
        CompletableFuture.delayedExecutor(wait.toNanos(), TimeUnit.NANOSECONDS, continuations)
                .execute(() -> lockWait.withdraw(this));
        while (!queues.computeIfAbsent(name, ignored -> new LockQueue(name, this)).add(lockWait)) {
            Thread.onSpinWait(); // that queue just retired and is leaving the map: take the next one
        }
        return lockWait.answer();
    }

    /**
     * The lock a waiting request was served, if its token is still what it was when the request came in.
     * A token revoked (or changed) while the request waited gets 401, as its streams would end, and the
     * lock goes back at once (Muster's own release): nobody who may still use it knows its fencing token.
     */
    private Held keptFor(Caller caller, String name, Held held) {
        Token token = caller == null ? null : caller.token();
        if (token == null || token.equals(gateway.read(Consistency.STALE, 0, store -> store.token(token.name()))
                .value())) {
            return held;
        }
        gateway.writeAsMuster(new Command.ReleaseLock(name, held.lock().holder().token()));
        throw new ProblemException(ProblemType.UNAUTHORIZED, "The bearer token was revoked or changed while the "
                + "request waited for '" + name + "'; the lock it was served has been released")
                .withHeader("WWW-Authenticate", "Bearer realm=\"muster\", error=\"invalid_token\"");
    }

    /** Forgets the queue of lock {@code name}: it has no waits left. */
    void retire(String name, LockQueue queue) {
        queues.remove(name, queue);
    }

    /**
     * Completes with the revision of the next change to lock {@code name} after {@code revision}: a wait
     * of Muster's own, which no token's revoke ends (a waiter's token is checked when it is served).
     */
    CompletableFuture<Long> changedAfter(String name, long revision) {
        return hub.changedAfter(WatchFilter.lock(name), null, revision);
    }

    /** Lock {@code name} in this node's applied state now, without waiting for anything. */
    io.muster.replication.Reading<Lock> current(String name) {
        return gateway.read(Consistency.STALE, 0, store -> store.lock(name));
    }

    Executor continuations() {
        return continuations;
    }

    /**
     * Withdraws {@code owner} from the queue of lock {@code name}. A waiter whose wait ran out withdraws
     * with Muster's own command ({@code ours}, off the request's thread): it only undoes the queueing
     * the request did, and it must go through even when the caller's token was revoked meanwhile (a
     * withdrawal in the token's name would be refused, and the waiter would stay queued, to be served a
     * lock nobody holds for). An acquisition that does not wait withdraws on the request's thread, in its
     * caller's name.
     *
     * @return the caller's lock when it was served meanwhile
     * @throws ProblemException  {@code lock-held} (409) when it was not
     * @throws RejectedException when the withdrawal was refused (its author's token was revoked meanwhile)
     */
    Held withdraw(String name, long lease, String owner, Duration wait, boolean ours) {
        Command.CancelLockWait withdrawal = new Command.CancelLockWait(name, lease, owner);
        LockResult cancelled = ours ? gateway.writeAsMuster(withdrawal) : gateway.write(withdrawal);
        if (cancelled.position() == 0) {
            return new Held(cancelled.lock(), cancelled.revision());
        }
        Lock lock = cancelled.lock();
        ProblemException busy = new ProblemException(ProblemType.LOCK_HELD, "'" + name + "' is held by "
                + (lock.holder() == null ? "nobody now" : "'" + lock.holder().owner() + "'")
                + " and was not acquired within " + wait.toMillis() + " ms; the request left the queue");
        if (lock.holder() != null) {
            busy.with("holder", lock.holder().owner()).with("fencingToken", lock.holder().token());
        }
        throw busy.with("revision", cancelled.revision());
    }

    @Override
    public void destroy() {
        continuations.shutdownNow();
    }

    /** Lets go of lock {@code name} held with {@code token}; {@code false} when the token is not the holder's. */
    LockResult release(String name, long token) {
        checkName(name);
        if (token <= 0) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "token must be a fencing token (positive)")
                    .with("field", "token");
        }
        return gateway.write(new Command.ReleaseLock(name, token));
    }

    /** Lock {@code name} as this node reads it with {@code consistency}; {@code null} when nobody wants it. */
    io.muster.replication.Reading<Lock> read(String name, Consistency consistency) {
        checkName(name);
        return gateway.read(consistency, 0, store -> store.lock(name));
    }

    static Duration waitOf(Long waitSeconds) {
        if (waitSeconds == null) {
            return Duration.ZERO;
        }
        if (waitSeconds < 0 || waitSeconds > MAX_WAIT.toSeconds()) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "waitSeconds must be within 0.."
                    + MAX_WAIT.toSeconds()).with("field", "waitSeconds");
        }
        return Duration.ofSeconds(waitSeconds);
    }

    /** @throws ProblemException {@code invalid-key} when {@code name} is not a valid lock name */
    static void checkName(String name) {
        String problem = Keys.problem(name);
        if (problem != null) {
            throw new ProblemException(ProblemType.INVALID_KEY, problem).with("field", "name");
        }
    }

    private static void check(String name, String owner) {
        checkName(name);
        String problem = InstanceRules.ownerProblem(owner);
        if (problem != null) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, problem).with("field", "holder");
        }
    }
}
