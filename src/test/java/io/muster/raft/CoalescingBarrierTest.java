package io.muster.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Proves that shared read barriers never let a read use a barrier that began before the read, and
 * that concurrent reads share one barrier per round.
 */
class CoalescingBarrierTest {

    private final List<CompletableFuture<Void>> issued = new ArrayList<>();
    private final CoalescingBarrier barrier = new CoalescingBarrier(() -> {
        CompletableFuture<Void> round = new CompletableFuture<>();
        issued.add(round);
        return round;
    }, Runnable::run);

    @Test
    void aReadArrivingDuringABarrierWaitsForTheNextOne() {
        CompletableFuture<Void> first = barrier.await();
        CompletableFuture<Void> second = barrier.await();
        CompletableFuture<Void> third = barrier.await();
        assertThat(issued).hasSize(1);

        issued.get(0).complete(null);

        assertThat(first).isCompleted();
        assertThat(second).as("began after the first barrier started").isNotDone();
        assertThat(third).isNotDone();
        assertThat(issued).as("one barrier shared by the waiting reads").hasSize(2);

        issued.get(1).complete(null);
        assertThat(second).isCompleted();
        assertThat(third).isCompleted();
    }

    @Test
    void anIdleBarrierStartsAFreshRoundForTheNextRead() {
        barrier.await();
        issued.get(0).complete(null);

        CompletableFuture<Void> later = barrier.await();

        assertThat(issued).hasSize(2);
        assertThat(later).isNotDone();
    }

    @Test
    void aFailedRoundFailsItsReadersAndTheNextRoundStillRuns() {
        CompletableFuture<Void> first = barrier.await();
        CompletableFuture<Void> second = barrier.await();

        issued.get(0).completeExceptionally(new IllegalStateException("no leader"));
        issued.get(1).complete(null);

        assertThat(first).isCompletedExceptionally();
        assertThat(second).isCompleted();
        assertThat(barrier.await()).isNotDone();
        assertThat(issued).hasSize(3);
    }
}
