package io.muster.check;

import java.util.Objects;

/**
 * One client operation on one key of a register, as recorded: when it was invoked and when its answer
 * came (in one clock, e.g. {@link System#nanoTime()}), what it asked and what it got.
 *
 * <p>An {@link Outcome#UNKNOWN} operation (a timeout after it may have been proposed) may have taken
 * effect at any moment after its invocation, or never: the checker treats it so, and a recorder must
 * never turn it into {@link Outcome#FAIL}, which means "certainly had no effect".
 *
 * @param process  which client issued it (a client issues one operation at a time)
 * @param kind     what it did
 * @param key      the register
 * @param value    for WRITE the value written, for CAS the new value, for READ the value read ({@code null}:
 *                 absent)
 * @param expected for CAS, the value it required ({@code null}: absent)
 * @param outcome  how it ended; a CAS whose comparison failed is {@link Outcome#FAIL} only if it certainly
 *                 did not write: it is recorded as OK with {@code casFailed}
 * @param casFailed for an OK CAS, whether the comparison failed (the register held something else)
 */
public record Operation(int process, Kind kind, String key, String value, String expected, Outcome outcome,
        boolean casFailed, long invokedAt, long completedAt) {

    public enum Kind { READ, WRITE, CAS, DELETE }

    public enum Outcome { OK, FAIL, UNKNOWN }

    public Operation {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(outcome);
        if (outcome != Outcome.UNKNOWN && completedAt < invokedAt) {
            throw new IllegalArgumentException("an operation cannot complete before it is invoked");
        }
    }

    public static Operation read(int process, String key, String value, long invokedAt, long completedAt) {
        return new Operation(process, Kind.READ, key, value, null, Outcome.OK, false, invokedAt, completedAt);
    }

    public static Operation write(int process, String key, String value, Outcome outcome, long invokedAt,
            long completedAt) {
        return new Operation(process, Kind.WRITE, key, value, null, outcome, false, invokedAt, completedAt);
    }

    public static Operation cas(int process, String key, String expected, String value, Outcome outcome,
            boolean casFailed, long invokedAt, long completedAt) {
        return new Operation(process, Kind.CAS, key, value, expected, outcome, casFailed, invokedAt, completedAt);
    }

    public static Operation delete(int process, String key, Outcome outcome, long invokedAt, long completedAt) {
        return new Operation(process, Kind.DELETE, key, null, null, outcome, false, invokedAt, completedAt);
    }

    /** When the operation's effect must have happened by: never for an unknown outcome. */
    long deadline() {
        return outcome == Outcome.UNKNOWN ? Long.MAX_VALUE : completedAt;
    }

    @Override
    public String toString() {
        String what = switch (kind) {
            case READ -> "read " + key + " -> " + value;
            case WRITE -> "write " + key + " := " + value;
            case CAS -> "cas " + key + " " + expected + " -> " + value + (casFailed ? " (compare failed)" : "");
            case DELETE -> "delete " + key;
        };
        return "p" + process + " " + what + " [" + outcome + " " + invokedAt + ".." + completedAt + "]";
    }
}
