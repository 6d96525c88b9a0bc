package io.muster.raft;

import java.util.List;

/**
 * What this node knows about itself and its group, read without any RPC.
 *
 * @param alive        whether this node's Raft division is running (a division stops itself on a
 *                     broken invariant)
 * @param role         LEADER, FOLLOWER, CANDIDATE, LISTENER, or UNKNOWN when not running
 * @param leaderId     the leader this node knows of, {@code null} when none
 * @param commitIndex  the highest log index this node knows to be committed
 * @param appliedIndex the highest log index this node has applied
 * @param snapshotIndex the index of this node's latest snapshot, -1 when none
 * @param logStartIndex the first index still in this node's log (earlier ones were purged)
 */
public record NodeStatus(String clusterName, String groupId, String nodeId, boolean alive, String role,
        String leaderId, long term, long commitIndex, long appliedIndex, long snapshotIndex, long logStartIndex,
        List<Member> members) {

    public NodeStatus {
        members = List.copyOf(members);
    }

    /** A voter of the current Raft configuration. */
    public record Member(String id, String address) {
    }
}
