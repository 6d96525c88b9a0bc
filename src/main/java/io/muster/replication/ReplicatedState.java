package io.muster.replication;

import io.muster.core.KvStore;
import java.util.function.Function;

/**
 * The state this node has applied, as features see it: local reads, the applied index, digests, and
 * the hooks through which the node's own duties follow it. The Ratis state machine
 * ({@code io.muster.raft.MusterStateMachine}) implements it.
 *
 * <p>Thread-safe; every method returns at once.
 */
public interface ReplicatedState {

    /**
     * Runs {@code reader} against the state this node has applied, serialised against apply: no read
     * barrier, so it may be behind the leader. For the node's own duties; the API reads through
     * {@link Gateway#read}.
     */
    <T> T read(Function<KvStore, T> reader);

    /** The index of the last entry this node applied, and a way to wait for a later one. */
    AppliedIndex appliedIndex();

    /** The cluster version in the applied state ({@code io.muster.core.ClusterVersion}). */
    default int clusterVersion() {
        return read(KvStore::clusterVersion);
    }

    /** Digests of the state and the revision they reflect, read atomically. */
    StateDigest digest();

    /**
     * Installs the answerer of questions only the leader can answer ({@link Gateway#askLeader}); one per
     * node, installed before it starts.
     */
    void answerLeaderQueries(LeaderQueries answerer);

    /** Subscribes a follower of the applied state; it hears every change from the next one on. */
    void subscribe(AppliedChanges follower);
}
