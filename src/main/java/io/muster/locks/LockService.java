package io.muster.locks;

import io.muster.core.Command;
import io.muster.core.InstanceRules;
import io.muster.core.Keys;
import io.muster.core.Lock;
import io.muster.core.LockResult;
import io.muster.lease.KnownLeases;
import io.muster.raft.Consistency;
import io.muster.raft.Gateway;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import io.muster.web.Rejections;
import java.time.Duration;
import org.springframework.stereotype.Component;

/** Acquires, waits for, releases and reads locks for the lock and election APIs. Thread-safe. */
@Component
class LockService {

    /** The longest a request may wait for a lock. */
    static final Duration MAX_WAIT = Duration.ofMinutes(5);
    private static final Duration POLL = Duration.ofMillis(10);

    private final Gateway gateway;

    LockService(Gateway gateway) {
        this.gateway = gateway;
    }

    /** A lock that is held, and by whom. */
    record Held(Lock lock, long revision) {
    }

    /**
     * Takes lock {@code name} for {@code owner} under {@code lease}, waiting up to {@code wait} in the
     * queue behind its holder.
     *
     * @return the lock, held by the caller
     * @throws ProblemException {@code lock-held} (409) when the wait ran out; the caller has left the queue
     */
    Held acquire(String name, long lease, String owner, Duration wait) {
        check(name, owner);
        KnownLeases.requireNotGone(gateway, lease);
        LockResult result = propose(new Command.AcquireLock(name, lease, owner));
        if (result.position() == 0) {
            return new Held(result.lock(), result.revision());
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            Lock lock = gateway.read(Consistency.STALE, result.revision(), store -> store.lock(name)).value();
            int position = lock == null ? -1 : lock.position(lease, owner);
            if (position == 0) {
                return new Held(lock, lock.holder().token());
            }
            if (position < 0) {
                break; // dropped from the queue: its lease ended
            }
            pause();
        }
        LockResult cancelled = propose(new Command.CancelLockWait(name, lease, owner));
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

    /** Lets go of lock {@code name} held with {@code token}; {@code false} when the token is not the holder's. */
    LockResult release(String name, long token) {
        checkName(name);
        if (token <= 0) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "token must be a fencing token (positive)")
                    .with("field", "token");
        }
        return propose(new Command.ReleaseLock(name, token));
    }

    /** Lock {@code name} as this node reads it with {@code consistency}; {@code null} when nobody wants it. */
    io.muster.raft.Reading<Lock> read(String name, Consistency consistency) {
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

    private LockResult propose(Command command) {
        return (LockResult) Rejections.accepted(gateway.propose(command));
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

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProblemException(ProblemType.UNAVAILABLE, "interrupted while waiting for the lock");
        }
    }
}
