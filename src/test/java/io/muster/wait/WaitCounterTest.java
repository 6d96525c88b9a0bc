package io.muster.wait;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.wait.WaitCounter.Admission;
import org.junit.jupiter.api.Test;

/**
 * The caps on waiting requests: a token gets at most its share, the node at most its total, a token
 * over its share is told so before a full node is, and every answered request gives its slot back
 * (and only its own).
 */
class WaitCounterTest {

    @Test
    void aTokenWaitsUpToItsCapAndThenIsRefusedAsTheTokenNotTheNode() {
        WaitCounter counter = new WaitCounter(2, 10);
        assertThat(counter.enter("a")).isEqualTo(Admission.ADMITTED);
        assertThat(counter.enter("a")).isEqualTo(Admission.ADMITTED);
        assertThat(counter.enter("a")).isEqualTo(Admission.TOKEN_FULL);
        assertThat(counter.enter("b")).as("another token is not held back").isEqualTo(Admission.ADMITTED);
        assertThat(counter.of("a")).isEqualTo(2);
        assertThat(counter.total()).as("a refused request takes no slot").isEqualTo(3);
    }

    @Test
    void theNodeAdmitsUpToItsCapAcrossTokens() {
        WaitCounter counter = new WaitCounter(2, 3);
        assertThat(counter.enter("a")).isEqualTo(Admission.ADMITTED);
        assertThat(counter.enter("b")).isEqualTo(Admission.ADMITTED);
        assertThat(counter.enter("c")).isEqualTo(Admission.ADMITTED);
        assertThat(counter.enter("d")).isEqualTo(Admission.NODE_FULL);
        assertThat(counter.enter("a")).isEqualTo(Admission.NODE_FULL);
        counter.enter("a"); // refused, still
        assertThat(counter.enter("b")).as("a token at neither cap waits for the node").isEqualTo(Admission.NODE_FULL);
    }

    @Test
    void aTokenOverItsCapIsToldSoEvenWhenTheNodeIsFull() {
        WaitCounter counter = new WaitCounter(1, 2);
        counter.enter("a");
        counter.enter("b");
        assertThat(counter.enter("a")).isEqualTo(Admission.TOKEN_FULL);
    }

    @Test
    void answeredRequestsGiveTheirSlotsBackAndLeaveNothingBehind() {
        WaitCounter counter = new WaitCounter(2, 2);
        counter.enter("a");
        counter.enter("a");
        assertThat(counter.enter("b")).isEqualTo(Admission.NODE_FULL);
        counter.leave("a");
        assertThat(counter.enter("b")).isEqualTo(Admission.ADMITTED);
        counter.leave("a");
        counter.leave("b");
        assertThat(counter.total()).isZero();
        assertThat(counter.tokens()).as("tokens with nothing waiting are forgotten").isZero();
        assertThatThrownBy(() -> counter.leave("a")).as("a slot cannot be given back twice")
                .isInstanceOf(IllegalStateException.class);
        assertThat(counter.total()).isZero();
    }

    @Test
    void capsMustBePositive() {
        assertThatThrownBy(() -> new WaitCounter(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WaitCounter(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
