package io.muster.core;

/** A write the store rejected: thrown by a typed write in place of the result it declared. */
public final class RejectedException extends RuntimeException {

    private final transient Rejected rejected;

    public RejectedException(Rejected rejected) {
        super(rejected.reason() + ": " + rejected.detail(), null, false, false);
        this.rejected = rejected;
    }

    public Rejected rejected() {
        return rejected;
    }
}
