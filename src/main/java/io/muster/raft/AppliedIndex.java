package io.muster.raft;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The last log index a follower of the log has applied (this node's state machine, or its H2 view),
 * and the readers waiting for it to reach an index.
 *
 * <p>Replaces Ratis' {@code BaseStateMachine.queryStale} waiters, which never complete in normal
 * flow (RATIS-GUIDE §3.5). Thread-safe: one thread advances, any thread awaits; a future completes
 * on the advancing thread.
 */
public final class AppliedIndex {

    private final ConcurrentSkipListMap<Long, CompletableFuture<Long>> waiting = new ConcurrentSkipListMap<>();
    private volatile long applied;

    public long get() {
        return applied;
    }

    /** Completes (with the applied index) once this node has applied {@code index}. */
    public CompletableFuture<Long> await(long index) {
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
    public void advance(long index) {
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
