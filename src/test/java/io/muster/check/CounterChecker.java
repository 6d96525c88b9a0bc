package io.muster.check;

/**
 * The counter workload's check: each increment carries its own Idempotency-Key and is retried with it
 * until it gets an answer, so every acknowledged increment must be counted exactly once. The final
 * value must lie between the acknowledged increments (fewer: an increment was lost) and those plus the
 * ones whose outcome stayed unknown (more: one was applied twice).
 */
public final class CounterChecker {

    private CounterChecker() {
    }

    public record Verdict(long acknowledged, long unknown, long finalValue) {

        public boolean lostIncrement() {
            return finalValue < acknowledged;
        }

        public boolean doubleApplied() {
            return finalValue > acknowledged + unknown;
        }

        public boolean valid() {
            return !lostIncrement() && !doubleApplied();
        }
    }

    public static Verdict check(long acknowledged, long unknown, long finalValue) {
        return new Verdict(acknowledged, unknown, finalValue);
    }
}
