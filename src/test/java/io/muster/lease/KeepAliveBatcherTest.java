package io.muster.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Proves how a follower forwards keep-alives: one alone leaves at once; those that arrive while a
 * batch is on its way leave together in the next; each gets its own answer; a failed round fails
 * exactly its own keep-alives.
 */
class KeepAliveBatcherTest {

    private final ExecutorService sender = Executors.newSingleThreadExecutor();
    private final List<List<Long>> rounds = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        sender.shutdownNow();
    }

    @Test
    void keepAlivesArrivingDuringARoundLeaveTogetherInTheNext() throws Exception {
        CountDownLatch firstSent = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        KeepAliveBatcher batcher = new KeepAliveBatcher(ids -> {
            rounds.add(ids);
            if (rounds.size() == 1) {
                firstSent.countDown();
                await(release);
            }
            List<LeaseQuery.Answer> answers = new ArrayList<>();
            ids.forEach(id -> answers.add(new LeaseQuery.Answer(LeaseQuery.Status.ALIVE, id * 1000, id)));
            return answers;
        }, sender);

        CompletableFuture<LeaseQuery.Answer> first = batcher.keepAlive(1);
        assertThat(firstSent.await(5, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<LeaseQuery.Answer>> waiting = List.of(batcher.keepAlive(2), batcher.keepAlive(3),
                batcher.keepAlive(4));
        release.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS).remainingMillis()).isEqualTo(1);
        for (int i = 0; i < waiting.size(); i++) {
            assertThat(waiting.get(i).get(5, TimeUnit.SECONDS).ttlMillis()).isEqualTo((i + 2) * 1000L);
        }
        assertThat(rounds).containsExactly(List.of(1L), List.of(2L, 3L, 4L));
    }

    @Test
    void aFailedRoundFailsItsKeepAlivesAndTheNextRoundStillGoes() throws Exception {
        KeepAliveBatcher batcher = new KeepAliveBatcher(ids -> {
            rounds.add(ids);
            if (rounds.size() == 1) {
                throw new IllegalStateException("no leader");
            }
            return List.of(LeaseQuery.Answer.GONE);
        }, sender);

        CompletableFuture<LeaseQuery.Answer> failed = batcher.keepAlive(1);
        assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("no leader");

        assertThat(batcher.keepAlive(2).get(5, TimeUnit.SECONDS).status()).isEqualTo(LeaseQuery.Status.GONE);
    }

    @Test
    void batchesAndTheirAnswersSurviveTheirEncoding() {
        LeaseQuery.Batch batch = LeaseQuery.Batch.keepAlives(List.of(5L, 9L, 12L));
        List<LeaseQuery.Answer> answers = List.of(new LeaseQuery.Answer(LeaseQuery.Status.ALIVE, 10_000, 9_999),
                LeaseQuery.Answer.GONE, LeaseQuery.Answer.NOT_LEADER);

        assertThat(LeaseQuery.kindOf(batch.encode())).isEqualTo(LeaseQuery.Kind.KEEP_ALIVE_MANY);
        assertThat(LeaseQuery.Batch.decode(batch.encode())).isEqualTo(batch);
        assertThat(LeaseQuery.Batch.decodeAnswers(LeaseQuery.Batch.encodeAnswers(answers))).isEqualTo(answers);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
