package io.muster.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.core.Lease;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves the leader's lease clock on a fake time line: keep-alives push the deadline, a lease past its
 * deadline is never revived, only a leader's deadlines count, and a new term restarts every timer at
 * its full TTL.
 */
class LeaseTimersTest {

    private static final long MS = 1_000_000;

    private final LeaseTimers timers = new LeaseTimers();

    @Test
    void aKeepAlivePushesTheDeadlineToAFullTtlFromNow() {
        timers.lead(1, 0);
        timers.granted(7, 1_000, 0);

        assertThat(timers.keepAlive(7, 900 * MS).remainingMillis()).isEqualTo(1_000);
        assertThat(timers.due(1_500 * MS, 10)).isEmpty();
        assertThat(timers.timeLeft(7, 1_500 * MS).remainingMillis()).isEqualTo(400);
        assertThat(timers.due(1_900 * MS, 10)).containsExactly(7L);
    }

    @Test
    void aLeasePastItsDeadlineCannotBeKeptAliveAndIsDueOnlyOnce() {
        timers.lead(1, 0);
        timers.granted(7, 1_000, 0);

        assertThat(timers.keepAlive(7, 1_000 * MS).status()).isEqualTo(LeaseQuery.Status.GONE);
        assertThat(timers.due(1_000 * MS, 10)).containsExactly(7L);
        assertThat(timers.due(1_100 * MS, 10)).isEmpty();
        assertThat(timers.keepAlive(7, 1_100 * MS).status()).isEqualTo(LeaseQuery.Status.GONE);

        timers.expiryFailed(List.of(7L));
        assertThat(timers.due(1_200 * MS, 10)).containsExactly(7L);
    }

    @Test
    void aLeaseHeldByTheGuardStaysDueAndAKeepAliveRevivesIt() {
        timers.lead(1, 0);
        timers.granted(7, 1_000, 0);
        timers.granted(8, 1_000, 0);
        assertThat(timers.due(1_000 * MS, 10)).containsExactly(7L, 8L);

        timers.hold(List.of(7L, 8L));
        assertThat(timers.due(1_200 * MS, 10)).as("held leases are due again").containsExactly(7L, 8L);
        timers.hold(List.of(7L, 8L));

        assertThat(timers.keepAlive(7, 1_300 * MS).remainingMillis()).isEqualTo(1_000);
        assertThat(timers.due(1_400 * MS, 10)).containsExactly(8L);
    }

    @Test
    void aNewTermRestartsEveryTimerAtItsFullTtl() {
        timers.lead(1, 0);
        timers.granted(7, 1_000, 0);
        timers.granted(8, 5_000, 0);
        timers.due(2_000 * MS, 10);

        assertThat(timers.lead(-1, 2_000 * MS)).isFalse();
        assertThat(timers.lead(2, 3_000 * MS)).isTrue();

        assertThat(timers.timeLeft(7, 3_000 * MS).remainingMillis()).isEqualTo(1_000);
        assertThat(timers.timeLeft(8, 3_000 * MS).remainingMillis()).isEqualTo(5_000);
        assertThat(timers.due(3_999 * MS, 10)).isEmpty();
        assertThat(timers.due(4_000 * MS, 10)).containsExactly(7L);
    }

    @Test
    void theSameTermDoesNotRestartTimers() {
        timers.lead(3, 0);
        timers.granted(7, 1_000, 0);

        timers.lead(3, 900 * MS);

        assertThat(timers.timeLeft(7, 900 * MS).remainingMillis()).isEqualTo(100);
    }

    @Test
    void dueLeasesComeInIdOrderUpToTheLimit() {
        timers.lead(1, 0);
        for (long id = 10; id > 0; id--) {
            timers.granted(id, 1_000, 0);
        }

        assertThat(timers.due(2_000 * MS, 3)).containsExactly(1L, 2L, 3L);
        assertThat(timers.due(2_000 * MS, 100)).hasSize(7);
    }

    @Test
    void reloadingReplacesTheTimersWithTheStatesLeases() {
        timers.granted(1, 1_000, 0);
        timers.reload(List.of(new Lease(5, 2_000, 0)), 10 * MS);

        assertThat(timers.size()).isEqualTo(1);
        timers.lead(1, 10 * MS);
        assertThat(timers.timeLeft(1, 10 * MS).status()).isEqualTo(LeaseQuery.Status.GONE);
        assertThat(timers.timeLeft(5, 10 * MS).remainingMillis()).isEqualTo(2_000);
    }

    @Test
    void questionsAndAnswersSurviveTheirEncoding() {
        LeaseQuery.Question question = new LeaseQuery.Question(LeaseQuery.Kind.KEEP_ALIVE, 42);
        LeaseQuery.Answer answer = new LeaseQuery.Answer(LeaseQuery.Status.ALIVE, 15_000, 14_321);

        assertThat(LeaseQuery.Question.decode(question.encode())).isEqualTo(question);
        assertThat(LeaseQuery.Answer.decode(answer.encode())).isEqualTo(answer);
    }
}
