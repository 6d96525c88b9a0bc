package io.muster.replication;

/**
 * Why the gateway could not give an answer. Each subtype is one distinct outcome the API reports
 * with its own problem type.
 */
public abstract sealed class GatewayException extends RuntimeException {

    GatewayException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A write that was proposed but not confirmed in time: it may still commit. Never report it as
     * failed.
     */
    public static final class WriteOutcomeUnknown extends GatewayException {
        public WriteOutcomeUnknown(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The leader refused the command before logging it: nothing was written. */
    public static final class ProposalRefused extends GatewayException {
        public ProposalRefused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A linearizable read could not be confirmed with a leader in time; nothing was read. */
    public static final class ReadUnavailable extends GatewayException {
        public ReadUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Refused at once, before anything was proposed or read: this node has heard from no leader for
     * longer than the election timeout (see {@link Replica#leaderless}). Nothing was written.
     */
    public static final class LeaderUnreachable extends GatewayException {
        private final Replica.Leaderless leaderless;

        public LeaderUnreachable(Replica.Leaderless leaderless) {
            super(leaderless.describe(), null);
            this.leaderless = leaderless;
        }

        public Replica.Leaderless leaderless() {
            return leaderless;
        }
    }

    /**
     * A client's command of a feature level ({@code io.muster.core.ClusterVersion}) above the cluster's:
     * some member may not be able to apply it yet. Nothing was proposed.
     */
    public static final class FeatureNotEnabled extends GatewayException {
        private final int required;
        private final int clusterVersion;

        public FeatureNotEnabled(int required, int clusterVersion) {
            super("this needs cluster version " + required + ", and the cluster runs at " + clusterVersion, null);
            this.required = required;
            this.clusterVersion = clusterVersion;
        }

        public int required() {
            return required;
        }

        public int clusterVersion() {
            return clusterVersion;
        }
    }

    /** This node did not apply the requested revision within the wait allowed. */
    public static final class RevisionNotReached extends GatewayException {
        private final long requested;
        private final long applied;

        public RevisionNotReached(long requested, long applied) {
            super("revision " + requested + " not applied on this node in time (applied: " + applied + ")", null);
            this.requested = requested;
            this.applied = applied;
        }

        public long requested() {
            return requested;
        }

        public long applied() {
            return applied;
        }
    }
}
