package io.muster.locks;

import io.muster.core.Lock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request waiting in a lock's queue, without a thread: what it waits for and the answer it will
 * get. Its {@link LockQueue} decides when the lock reached it or it was dropped from the queue; a
 * timer decides when its wait ran out. Ending it twice (the lock reaching it as its wait runs out)
 * ends it once.
 *
 * <p>Thread-safe.
 */
final class LockWait {

    private final String name;
    private final long lease;
    private final String owner;
    private final Duration wait;
    private final long queuedAt;
    private final CompletableFuture<LockService.Held> answer = new CompletableFuture<>();
    private final AtomicBoolean withdrawing = new AtomicBoolean();

    LockWait(String name, long lease, String owner, Duration wait, long queuedAt) {
        this.name = name;
        this.queuedAt = queuedAt;
        this.lease = lease;
        this.owner = owner;
        this.wait = wait;
    }

    String name() {
        return name;
    }

    /** Completes with the lock once the caller holds it, or with {@code lock-held} when it gave up. */
    CompletableFuture<LockService.Held> answer() {
        return answer;
    }

    /**
     * The revision at which the caller joined the queue. A state older than it (a follower that has not
     * applied the acquisition yet) says nothing about this wait.
     */
    long queuedAt() {
        return queuedAt;
    }

    /** The key the lock's queue knows the caller by. */
    String queueKey() {
        return key(lease, owner);
    }

    static String key(long lease, String owner) {
        return lease + "/" + owner;
    }

    /** Answers when {@code lock} (as applied now) is held by the caller; whether it is. */
    boolean servedBy(Lock lock) {
        Lock.Holder holder = lock == null ? null : lock.holder();
        if (holder == null || holder.lease() != lease || !holder.owner().equals(owner)) {
            return false;
        }
        answer.complete(new LockService.Held(lock, holder.token()));
        return true;
    }

    /**
     * Leaves the queue (the wait ran out, or the caller was dropped from it): proposes the withdrawal,
     * which answers the lock when it reached the caller meanwhile and {@code lock-held} otherwise. Runs
     * once, on a thread that may block for a write.
     */
    void withdraw(LockService locks) {
        if (answer.isDone() || !withdrawing.compareAndSet(false, true)) {
            return;
        }
        try {
            answer.complete(locks.withdraw(name, lease, owner, wait, true));
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        }
    }
}
