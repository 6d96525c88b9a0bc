package io.muster.replication;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The last log index a follower of the log has applied (this node's state machine, or its H2 view),
 * and the readers waiting for it to reach an index.
 *
 * <p>Replaces Ratis' {@code BaseStateMachine.queryStale} waiters, which never complete in normal
 * flow (docs/ratis-guide.md §3.5). Thread-safe: one thread advances, any thread awaits; a future completes
 * on the advancing thread.
 */
public final class AppliedIndex {

    /** The readers of one index: the future that index completes, and how many still want it. */
    private static final class Waiters {
        final CompletableFuture<Long> reached = new CompletableFuture<>();
        int readers;
    }

    /** Changed under its own lock; read in order by {@link #drain}. */
    private final ConcurrentSkipListMap<Long, Waiters> waiting = new ConcurrentSkipListMap<>();
    private volatile long applied;

    public long get() {
        return applied;
    }

    /**
     * Completes (with the applied index) once this node has applied {@code index}. Each caller gets a
     * future of its own: one that the caller completes first (a timeout, a cancel) stops waiting, and an
     * index nobody waits for any more is forgotten, so that waits for revisions never written (a
     * {@code minRevision} far ahead) leave nothing behind.
     */
    public CompletableFuture<Long> await(long index) {
        long now = applied;
        if (now >= index) {
            return CompletableFuture.completedFuture(now);
        }
        Waiters waiters;
        synchronized (waiting) {
            waiters = waiting.computeIfAbsent(index, key -> new Waiters());
            waiters.readers++;
        }
        CompletableFuture<Long> mine = waiters.reached.copy();
        mine.whenComplete((reached, failure) -> {
            if (failure != null) {
                leave(index, waiters);
            }
        });
        if (applied >= index) {
            drain();
        }
        return mine;
    }

    private void leave(long index, Waiters waiters) {
        synchronized (waiting) {
            if (--waiters.readers == 0) {
                waiting.remove(index, waiters);
            }
        }
    }

    /** Moves the applied index forward to {@code index}; never back. Called by one thread at a time. */
    public void advance(long index) {
        if (index > applied) {
            applied = index;
        }
        drain();
    }

    /** Whether anyone waits for an index not applied yet. */
    public boolean awaited() {
        return !waiting.isEmpty();
    }

    /** How many indexes someone waits for (for tests). */
    int waitedIndexes() {
        return waiting.size();
    }

    private void drain() {
        long now = applied;
        Map.Entry<Long, Waiters> first;
        while ((first = waiting.firstEntry()) != null && first.getKey() <= now) {
            boolean removed;
            synchronized (waiting) {
                removed = waiting.remove(first.getKey(), first.getValue());
            }
            if (removed) {
                first.getValue().reached.complete(now);
            }
        }
    }
}
