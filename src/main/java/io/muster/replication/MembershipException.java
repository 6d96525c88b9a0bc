package io.muster.replication;

/**
 * A membership change that was not made. Each reason says why; nothing was changed in any case
 * except {@link Reason#OUTCOME_UNKNOWN}.
 */
public final class MembershipException extends RuntimeException {

    /** Why a change was not made. */
    public enum Reason {
        /** The request itself is malformed (an address that is not host:port). */
        INVALID,
        /** No member has that id. */
        UNKNOWN_MEMBER,
        /** A member with that id or address already exists. */
        ALREADY_MEMBER,
        /** Another change is under way: a joint configuration, or a voter-to-be not yet promoted. */
        CHANGE_IN_PROGRESS,
        /** The change would leave fewer voters than a quorum of the current configuration. */
        QUORUM_AT_RISK,
        /** Leadership can only go to a voter. */
        NOT_A_VOTER,
        /** No leader answered: nothing was changed. */
        UNAVAILABLE,
        /** The change was sent but not confirmed in time; read {@code GET /v1/cluster} to learn its fate. */
        OUTCOME_UNKNOWN,
        /** The node to add runs a build that does not support the cluster's version: it could not apply the log. */
        TOO_OLD
    }

    private final Reason reason;

    public MembershipException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public MembershipException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
