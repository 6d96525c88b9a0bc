package io.muster.raft;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Shares read barriers between concurrent linearizable reads without weakening them.
 *
 * <p>A read may only use a barrier that started after the read itself began. So a read that arrives
 * while no barrier is in flight starts one; reads that arrive while one is in flight all wait for the
 * next barrier, which starts when the current one ends. Under load this sends about one ReadIndex
 * round per round trip instead of one per read (etcd batches its linearizable reads the same way).
 *
 * <p>Thread-safe. A round ends on whatever thread completes the barrier (in Ratis, its state machine
 * updater, holding its read-index lock), so the waiters are released and the next round is started on
 * {@code handoff} instead: starting a read there would deadlock the updater.
 */
final class CoalescingBarrier {

    private final Supplier<CompletableFuture<Void>> barrier;
    private final Executor handoff;
    private boolean inFlight;
    private CompletableFuture<Void> next;

    /**
     * @param barrier starts one real barrier, completing when it is passed
     * @param handoff runs what follows the end of a round
     */
    CoalescingBarrier(Supplier<CompletableFuture<Void>> barrier, Executor handoff) {
        this.barrier = barrier;
        this.handoff = handoff;
    }

    /** Completes once a barrier that started after this call has passed (or fails with it). */
    synchronized CompletableFuture<Void> await() {
        if (!inFlight) {
            inFlight = true;
            CompletableFuture<Void> started = new CompletableFuture<>();
            start(started);
            return started;
        }
        if (next == null) {
            next = new CompletableFuture<>();
        }
        return next;
    }

    private void start(CompletableFuture<Void> waiters) {
        CompletableFuture<Void> passed;
        try {
            passed = barrier.get();
        } catch (RuntimeException e) {
            passed = CompletableFuture.failedFuture(e);
        }
        passed.whenCompleteAsync((ignored, failure) -> {
            if (failure == null) {
                waiters.complete(null);
            } else {
                waiters.completeExceptionally(failure);
            }
            startNext();
        }, handoff);
    }

    private void startNext() {
        CompletableFuture<Void> waiting;
        synchronized (this) {
            waiting = next;
            next = null;
            inFlight = waiting != null;
        }
        if (waiting != null) {
            start(waiting);
        }
    }
}
