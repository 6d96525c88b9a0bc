package io.muster.locks;

import io.muster.core.Lock;
import io.muster.replication.Reading;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The requests waiting on this node for one lock, and the one subscription to the lock's changes
 * that serves them all: at each change the lock is read once from the applied state, the waiter it
 * now belongs to is answered, and waiters no longer in its queue (their lease ended) withdraw. One
 * read per change, whatever the number of waiters, so that 500 waiters cost 500 handovers, not
 * 500 × 500 wake-ups.
 *
 * <p>Thread-safe: the set of waits is concurrent; subscribing and retiring happen under this
 * object's lock. Checks may overlap; what they decide is idempotent.
 */
final class LockQueue {

    private final String name;
    private final LockService locks;
    private final Set<LockWait> waits = ConcurrentHashMap.newKeySet();
    private boolean subscribed;
    private boolean retired;

    LockQueue(String name, LockService locks) {
        this.name = name;
        this.locks = locks;
    }

    /**
     * Adds {@code wait}; {@code false} when this queue was retired meanwhile (ask the service for a new
     * one). A check follows, so a change that came before the wait was added is not missed.
     */
    synchronized boolean add(LockWait wait) {
        if (retired) {
            return false;
        }
        waits.add(wait);
        wait.answer().whenComplete((held, failure) -> waits.remove(wait));
        locks.continuations().execute(this::check);
        return true;
    }

    /** Reads the lock once and settles every wait it decides; then follows its next change, or retires. */
    private void check() {
        Reading<Lock> now = locks.current(name);
        Lock lock = now.value();
        Set<String> queued = new HashSet<>();
        if (lock != null) {
            lock.waiters().forEach(waiter -> queued.add(LockWait.key(waiter.lease(), waiter.owner())));
        }
        for (LockWait wait : waits) {
            if (now.revision() >= wait.queuedAt() && !wait.servedBy(lock) && !queued.contains(wait.queueKey())) {
                // dropped from the queue (its lease ended): the withdrawal tells the caller so
                locks.continuations().execute(() -> wait.withdraw(locks));
            }
        }
        follow(now.revision());
    }

    private synchronized void follow(long revision) {
        if (subscribed) {
            return;
        }
        if (waits.isEmpty()) {
            retired = true;
            locks.retire(name, this);
            return;
        }
        subscribed = true;
        locks.changedAfter(name, revision).thenRunAsync(this::changed, locks.continuations());
    }

    private void changed() {
        synchronized (this) {
            subscribed = false;
        }
        check();
    }
}
