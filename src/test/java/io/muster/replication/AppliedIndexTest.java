package io.muster.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Waits for an applied index complete when it is reached, and a wait its reader gives up (a timeout)
 * is forgotten once nobody else wants that index: waits for indexes never written leave nothing behind.
 */
class AppliedIndexTest {

    @Test
    void aWaitCompletesWhenItsIndexIsApplied() {
        AppliedIndex index = new AppliedIndex();
        CompletableFuture<Long> wait = index.await(3);
        index.advance(2);
        assertThat(wait).isNotDone();
        index.advance(5);
        assertThat(wait).isCompletedWithValue(5L);
        assertThat(index.waitedIndexes()).isZero();
        assertThat(index.await(4)).isCompletedWithValue(5L);
    }

    @Test
    void aWaitGivenUpIsForgottenOnceNobodyWantsItsIndex() {
        AppliedIndex index = new AppliedIndex();
        CompletableFuture<Long> patient = index.await(1_000_000);
        CompletableFuture<Long> impatient = index.await(1_000_000);
        impatient.completeExceptionally(new java.util.concurrent.TimeoutException());
        assertThat(index.waitedIndexes()).as("another reader still waits").isOne();
        patient.cancel(false);
        assertThat(index.waitedIndexes()).isZero();
    }

    @Test
    void aReaderThatGivesUpDoesNotCancelTheOthers() {
        AppliedIndex index = new AppliedIndex();
        CompletableFuture<Long> gaveUp = index.await(7);
        CompletableFuture<Long> stays = index.await(7);
        gaveUp.cancel(false);
        index.advance(7);
        assertThat(stays).isCompletedWithValue(7L);
    }
}
