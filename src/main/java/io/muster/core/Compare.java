package io.muster.core;

import java.util.Arrays;

/**
 * A condition of a {@link Command.Txn}: {@code target(key) operator operand}.
 *
 * <p>An absent key has modRevision, createRevision and version 0, does not exist, and has no value:
 * a {@link Target#VALUE} compare against it holds only for {@link Operator#NOT_EQUAL}.
 *
 * @param number the operand for revision and version targets; 1 (exists) or 0 (absent) for
 *               {@link Target#EXISTS}; unused for {@link Target#VALUE}
 * @param value  the operand for {@link Target#VALUE}, compared as unsigned bytes; empty otherwise
 */
public record Compare(String key, Target target, Operator operator, long number, byte[] value) {

    public enum Target { MOD_REVISION, CREATE_REVISION, VERSION, EXISTS, VALUE }

    public enum Operator { EQUAL, NOT_EQUAL, GREATER, LESS }

    public static Compare number(String key, Target target, Operator operator, long number) {
        return new Compare(key, target, operator, number, new byte[0]);
    }

    public static Compare exists(String key, boolean exists) {
        return new Compare(key, Target.EXISTS, Operator.EQUAL, exists ? 1 : 0, new byte[0]);
    }

    public static Compare value(String key, Operator operator, byte[] value) {
        return new Compare(key, Target.VALUE, operator, 0, value);
    }

    /** Returns why this compare can never be evaluated, or {@code null}. */
    String problem() {
        if (target == Target.EXISTS && (number < 0 || number > 1 || !isEquality())) {
            return "an EXISTS compare takes EQUAL or NOT_EQUAL and 1 or 0";
        }
        return null;
    }

    /** Evaluates this compare against the key's entry, {@code null} when the key is absent. */
    boolean holds(Entry entry) {
        return switch (target) {
            case MOD_REVISION -> test(Long.compare(entry == null ? 0 : entry.modRevision(), number));
            case CREATE_REVISION -> test(Long.compare(entry == null ? 0 : entry.createRevision(), number));
            case VERSION -> test(Long.compare(entry == null ? 0 : entry.version(), number));
            case EXISTS -> test(Long.compare(entry == null ? 0 : 1, number));
            case VALUE -> entry == null ? operator == Operator.NOT_EQUAL
                    : test(Arrays.compareUnsigned(entry.value(), value));
        };
    }

    private boolean isEquality() {
        return operator == Operator.EQUAL || operator == Operator.NOT_EQUAL;
    }

    private boolean test(int comparison) {
        return switch (operator) {
            case EQUAL -> comparison == 0;
            case NOT_EQUAL -> comparison != 0;
            case GREATER -> comparison > 0;
            case LESS -> comparison < 0;
        };
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Compare that && key.equals(that.key) && target == that.target
                && operator == that.operator && number == that.number && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return key.hashCode() * 31 + target.hashCode();
    }

    @Override
    public String toString() {
        return "Compare[" + key + " " + target + " " + operator + " "
                + (target == Target.VALUE ? value.length + " bytes" : Long.toString(number)) + "]";
    }
}
