package io.muster.raft;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The last log index this node has applied, and the readers waiting for it to reach an index.
 *
 * <p>Replaces Ratis' {@code BaseStateMachine.queryStale} waiters, which never complete in normal
 * flow (RATIS-GUIDE §3.5). Thread-safe: one thread advances, any thread awaits.
 */
final class AppliedIndex {

    private final ConcurrentSkipListMap<Long, CompletableFuture<Long>> waiting = new ConcurrentSkipListMap<>();
    private volatile long applied;

    long get() {
        return applied;
    }

    /** Completes (with the applied index) once this node has applied {@code index}. */
    CompletableFuture<Long> await(long index) {
        long now = applied;
        if (now >= index) {
            return CompletableFuture.completedFuture(now);
        }
        CompletableFuture<Long> future = waiting.computeIfAbsent(index, key -> new CompletableFuture<>());
        if (applied >= index) {
            drain();
        }
        return future.copy();
    }

    /** Moves the applied index forward to {@code index}; never back. Called by one thread at a time. */
    void advance(long index) {
        if (index > applied) {
            applied = index;
        }
        drain();
    }

    private void drain() {
        long now = applied;
        Map.Entry<Long, CompletableFuture<Long>> first;
        while ((first = waiting.firstEntry()) != null && first.getKey() <= now) {
            if (waiting.remove(first.getKey(), first.getValue())) {
                first.getValue().complete(now);
            }
        }
    }
}
