package io.muster.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.replication.GatewayException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Proves the batched time-left question of {@code GET /v1/leases}: it has a kind of its own (so a
 * leader never takes it for keep-alives, which would reset the timers), survives its encoding up to a
 * whole page of 10,000 leases, and an asker answers without the times, rather than failing, when the
 * leader cannot be asked or refuses the question as a leader of an older build does.
 */
class LeaseQueryTest {

    private static final LeaseQuery.Answer ALIVE = new LeaseQuery.Answer(LeaseQuery.Status.ALIVE, 10_000, 4_000);

    @Test
    void aTimeLeftBatchIsItsOwnKindAndSurvivesItsEncoding() {
        LeaseQuery.Batch batch = LeaseQuery.Batch.timeLeft(List.of(5L, 9L, 12L));
        byte[] bytes = batch.encode();

        assertThat(bytes[0]).as("format").isEqualTo((byte) LeaseQuery.FORMAT);
        assertThat(bytes[1]).as("kind code, never reused").isEqualTo((byte) 4);
        assertThat(LeaseQuery.kindOf(bytes)).isEqualTo(LeaseQuery.Kind.TIME_LEFT_MANY);
        assertThat(LeaseQuery.Batch.decode(bytes)).isEqualTo(batch);
        assertThat(LeaseQuery.Batch.decode(LeaseQuery.Batch.keepAlives(List.of(5L)).encode()).kind())
                .isEqualTo(LeaseQuery.Kind.KEEP_ALIVE_MANY);
    }

    @Test
    void aTimeLeftBatchCarriesAWholePageButKeepAlivesStayCapped() {
        List<Long> page = LongStream.rangeClosed(1, LeaseQuery.MAX_TIME_LEFT_BATCH).boxed().toList();
        List<LeaseQuery.Answer> answers = page.stream().map(id -> ALIVE).toList();

        assertThat(LeaseQuery.Batch.decode(LeaseQuery.Batch.timeLeft(page).encode()).ids()).hasSize(10_000);
        assertThat(LeaseQuery.Batch.decodeAnswers(LeaseQuery.Batch.encodeAnswers(answers))).hasSize(10_000);
        byte[] tooManyKeepAlives = LeaseQuery.Batch.keepAlives(page.subList(0, LeaseQuery.MAX_BATCH + 1)).encode();
        assertThatThrownBy(() -> LeaseQuery.Batch.decode(tooManyKeepAlives)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnknownKindIsRefusedNotGuessed() {
        // What a leader of an older build does with TIME_LEFT_MANY (code 4): Kind.of refuses the code, the
        // leader's query answerer turns that into a failed query, and the asker's Gateway into ReadUnavailable.
        byte[] unknown = {LeaseQuery.FORMAT, 99, 0, 0, 0, 0};
        assertThatThrownBy(() -> LeaseQuery.kindOf(unknown)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown lease query 99");
        assertThatThrownBy(() -> LeaseQuery.Batch.decode(unknown)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLeaderThatRefusesTheQuestionGivesNoTimesInsteadOfAFailure() {
        Optional<List<LeaseQuery.Answer>> times = Lessor.timesLeft(2, () -> {
            throw new GatewayException.ReadUnavailable(
                    "no leader answered: StateMachineException: leader query failed: unknown lease query 4", null);
        }, () -> true);

        assertThat(times).isEmpty();
    }

    @Test
    void aLeaderThatMovedIsAskedAgainUntilOneAnswersOrTimeRunsOut() {
        Deque<List<LeaseQuery.Answer>> replies = new ArrayDeque<>(List.of(
                List.of(LeaseQuery.Answer.NOT_LEADER, LeaseQuery.Answer.NOT_LEADER), List.of(ALIVE, LeaseQuery.Answer.GONE)));
        AtomicInteger retries = new AtomicInteger();

        assertThat(Lessor.timesLeft(2, replies::poll, () -> retries.incrementAndGet() < 5))
                .contains(List.of(ALIVE, LeaseQuery.Answer.GONE));
        assertThat(retries).hasValue(1);
        assertThat(Lessor.timesLeft(2, () -> List.of(LeaseQuery.Answer.NOT_LEADER, LeaseQuery.Answer.NOT_LEADER),
                () -> false)).as("out of time").isEmpty();
        assertThat(Lessor.timesLeft(2, () -> List.of(ALIVE), () -> true)).as("an answer of the wrong size").isEmpty();
    }
}
