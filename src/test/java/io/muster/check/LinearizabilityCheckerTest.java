package io.muster.check;

import static io.muster.check.Operation.Outcome.FAIL;
import static io.muster.check.Operation.Outcome.OK;
import static io.muster.check.Operation.Outcome.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The checker is only evidence if it catches what it must: hand-made histories with a stale read, a
 * lost write and a doubled compare-and-set are refused; legal concurrent histories, unknown outcomes
 * that did or did not happen, and failed operations are accepted; and a history generated from a real
 * register with random overlaps always passes.
 */
class LinearizabilityCheckerTest {

    @Test
    void aSequentialHistoryIsLinearizable() {
        assertThat(LinearizabilityChecker.check(List.of(
                Operation.write(1, "k", "a", OK, 0, 10),
                Operation.read(2, "k", "a", 11, 20),
                Operation.cas(1, "k", "a", "b", OK, false, 21, 30),
                Operation.read(2, "k", "b", 31, 40),
                Operation.delete(1, "k", OK, 41, 50),
                Operation.read(2, "k", null, 51, 60))).linearizable()).isTrue();
    }

    @Test
    void overlappingOperationsMayTakeEffectInEitherOrder() {
        // The read overlaps the write: it may see the old value or the new one.
        for (String seen : new String[] {"a", "b"}) {
            assertThat(LinearizabilityChecker.check(List.of(
                    Operation.write(1, "k", "a", OK, 0, 10),
                    Operation.write(1, "k", "b", OK, 20, 40),
                    Operation.read(2, "k", seen, 25, 35))).linearizable()).as("read " + seen).isTrue();
        }
    }

    @Test
    void aStaleReadIsCaught() {
        LinearizabilityChecker.Verdict verdict = LinearizabilityChecker.check(List.of(
                Operation.write(1, "k", "a", OK, 0, 10),
                Operation.write(1, "k", "b", OK, 20, 30),
                Operation.read(2, "k", "a", 40, 50)));
        assertThat(verdict.linearizable()).isFalse();
        assertThat(verdict.violations()).containsKey("k");
        assertThat(verdict.violations().get("k")).contains("read k -> a");
    }

    @Test
    void aLostWriteIsCaught() {
        // The write was acknowledged, yet a later read sees the register as if it never happened.
        assertThat(LinearizabilityChecker.check(List.of(
                Operation.write(1, "k", "a", OK, 0, 10),
                Operation.write(2, "k", "b", OK, 20, 30),
                Operation.read(3, "k", "a", 40, 50),
                Operation.read(3, "k", "a", 60, 70))).linearizable()).isFalse();
    }

    @Test
    void aDoubledCompareAndSetIsCaught() {
        // Two increments from the same value cannot both succeed.
        assertThat(LinearizabilityChecker.check(List.of(
                Operation.write(1, "c", "0", OK, 0, 10),
                Operation.cas(1, "c", "0", "1", OK, false, 20, 40),
                Operation.cas(2, "c", "0", "1", OK, false, 25, 45))).linearizable()).isFalse();
        // ... while one of them failing its comparison is fine.
        assertThat(LinearizabilityChecker.check(List.of(
                Operation.write(1, "c", "0", OK, 0, 10),
                Operation.cas(1, "c", "0", "1", OK, false, 20, 40),
                Operation.cas(2, "c", "0", "1", OK, true, 25, 45))).linearizable()).isTrue();
    }

    @Test
    void anUnknownOutcomeMayOrMayNotHaveHappenedButAFailedOneNeverDid() {
        List<Operation> seen = List.of(
                Operation.write(1, "k", "a", OK, 0, 10),
                Operation.write(2, "k", "b", UNKNOWN, 20, 0),
                Operation.read(3, "k", "b", 100, 110));
        assertThat(LinearizabilityChecker.check(seen).linearizable()).as("the unknown write happened").isTrue();
        List<Operation> unseen = List.of(
                Operation.write(1, "k", "a", OK, 0, 10),
                Operation.write(2, "k", "b", UNKNOWN, 20, 0),
                Operation.read(3, "k", "a", 100, 110));
        assertThat(LinearizabilityChecker.check(unseen).linearizable()).as("the unknown write never happened").isTrue();
        List<Operation> failedButSeen = List.of(
                Operation.write(1, "k", "a", OK, 0, 10),
                Operation.write(2, "k", "b", FAIL, 20, 30),
                Operation.read(3, "k", "b", 100, 110));
        assertThat(LinearizabilityChecker.check(failedButSeen).linearizable())
                .as("a write reported failed must not be seen").isFalse();
        List<Operation> seenBeforeInvoked = List.of(
                Operation.read(3, "k", "b", 0, 10),
                Operation.write(2, "k", "b", UNKNOWN, 20, 0));
        assertThat(LinearizabilityChecker.check(seenBeforeInvoked).linearizable())
                .as("nothing takes effect before it is invoked").isFalse();
    }

    @Test
    void historiesFromARealRegisterWithRandomOverlapsAlwaysPass() {
        Random random = new Random(42);
        for (int round = 0; round < 50; round++) {
            List<Operation> history = new ArrayList<>();
            String register = null;
            long time = 0;
            for (int i = 0; i < 60; i++) {
                // The effect happens at 'time'; invocation and completion are spread around it.
                time += 10;
                long invoked = time - random.nextInt(25);
                long completed = time + random.nextInt(25);
                int process = i % 5;
                switch (random.nextInt(4)) {
                    case 0 -> history.add(Operation.read(process, "k", register, invoked, completed));
                    case 1 -> {
                        register = "v" + i;
                        history.add(Operation.write(process, "k", register, OK, invoked, completed));
                    }
                    case 2 -> {
                        String expected = random.nextBoolean() ? register : "nope";
                        boolean matches = java.util.Objects.equals(expected, register);
                        if (matches) {
                            register = "c" + i;
                        }
                        history.add(Operation.cas(process, "k", expected, "c" + i, OK, !matches, invoked, completed));
                    }
                    default -> {
                        register = null;
                        history.add(Operation.delete(process, "k", OK, invoked, completed));
                    }
                }
            }
            assertThat(LinearizabilityChecker.check(history).linearizable()).as("round " + round).isTrue();
        }
    }
}
