package io.muster.check;

import static io.muster.check.Operation.Outcome.FAIL;
import static io.muster.check.Operation.Outcome.OK;
import static io.muster.check.Operation.Outcome.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The set and counter checks catch a lost write, a phantom element and a double apply, and accept unknowns. */
class SetAndCounterCheckerTest {

    @Test
    void everyAcknowledgedElementMustBeReadAndNothingThatFailed() {
        Map<String, Operation.Outcome> adds = Map.of("a", OK, "b", OK, "c", UNKNOWN, "d", FAIL);
        assertThat(SetChecker.check(adds, List.of("a", "b")).valid()).as("unknown c absent").isTrue();
        assertThat(SetChecker.check(adds, List.of("a", "b", "c")).valid()).as("unknown c present").isTrue();

        SetChecker.Verdict lost = SetChecker.check(adds, List.of("a", "c"));
        assertThat(lost.valid()).isFalse();
        assertThat(lost.lost()).containsExactly("b");

        SetChecker.Verdict phantom = SetChecker.check(adds, List.of("a", "b", "d", "z"));
        assertThat(phantom.unexpected()).containsExactly("d", "z");
    }

    @Test
    void theCounterCountsEveryAcknowledgedIncrementExactlyOnce() {
        assertThat(CounterChecker.check(10, 2, 10).valid()).isTrue();
        assertThat(CounterChecker.check(10, 2, 12).valid()).isTrue();
        assertThat(CounterChecker.check(10, 2, 9).lostIncrement()).isTrue();
        assertThat(CounterChecker.check(10, 2, 13).doubleApplied()).isTrue();
    }
}
