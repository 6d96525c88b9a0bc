package io.muster.replication;

import java.util.OptionalInt;

/**
 * What the {@link Gateway} needs of the consensus underneath it: a log to append commands to, a read
 * barrier, a line to the leader, and a question to any member about the cluster version it supports
 * (which {@code io.muster.cluster.VersionSteward} asks too). The Ratis adapter
 * ({@code io.muster.raft.RatisConsensus}) implements it.
 *
 * <p>Every method blocks the calling thread for at most the write or read timeout, and is thread-safe.
 */
public interface Consensus {

    /**
     * Appends an encoded command to the replicated log and returns the encoded result the state
     * machine applied for it.
     *
     * @throws GatewayException.LeaderUnreachable  at once, when this node has heard from no leader for
     *                                              longer than the election timeout (nothing was proposed)
     * @throws GatewayException.ProposalRefused    when the leader refused it (nothing was logged)
     * @throws GatewayException.WriteOutcomeUnknown when no answer came in time (it may still commit)
     */
    byte[] propose(byte[] command);

    /**
     * Returns once this node has applied everything the leader had committed when the call began
     * (ReadIndex), so that a read of local state that follows is linearizable.
     *
     * @throws GatewayException.LeaderUnreachable at once, when this node has heard from no leader for
     *                                             longer than the election timeout
     * @throws GatewayException.ReadUnavailable   when no leader confirmed it in time
     */
    void readBarrier();

    /**
     * Asks the leader's {@link LeaderQueries} a question, without touching the log.
     *
     * @throws GatewayException.LeaderUnreachable at once, when this node has heard from no leader for
     *                                             longer than the election timeout
     * @throws GatewayException.ReadUnavailable   when no leader answered
     */
    byte[] askLeader(byte[] query);

    /**
     * The highest cluster version the node {@code memberId} at Raft {@code address} says it supports,
     * asked over Raft without touching the log: a node that answers but does not know the question runs
     * a build from before cluster versions, and supports the baseline. Empty when it did not answer
     * (down, cut off). Asks once, and blocks for 2 s at most.
     */
    OptionalInt supportedLevel(String memberId, String address);

    /** Whether {@link #askLeader} would be answered in process: this node leads and answers leader queries. */
    boolean leaderIsLocal();
}
