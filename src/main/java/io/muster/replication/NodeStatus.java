package io.muster.replication;

import java.util.List;

/**
 * What this node knows about itself and its group, read without any RPC.
 *
 * @param alive               whether this node's Raft division is running (a division stops itself on
 *                            a broken invariant, or when the node is removed from the configuration)
 * @param removed             whether this node was removed from the configuration
 * @param role                LEADER, FOLLOWER, CANDIDATE, LISTENER, or UNKNOWN when not running
 * @param leaderId            the leader this node knows of, {@code null} when none
 * @param commitIndex         the highest log index this node knows to be committed
 * @param appliedIndex        the highest log index this node has applied
 * @param snapshotIndex       the index of this node's latest snapshot, -1 when none
 * @param logStartIndex       the first index still in this node's log (earlier ones were purged)
 * @param lastLogIndex        the last index in this node's log, committed or not (-1 when not running):
 *                            a follower may hold entries it has not applied yet
 * @param leaderContactMillis milliseconds since this node last heard from the leader (0 on the
 *                            leader), {@code null} when it knows no leader
 * @param changeInProgress    whether a membership change is under way: a joint configuration, or a
 *                            listener waiting to be promoted to voter
 * @param members             the members of the current configuration, voters and listeners
 */
public record NodeStatus(String clusterName, String groupId, String nodeId, boolean alive, boolean removed,
        String role, String leaderId, long term, long commitIndex, long appliedIndex, long snapshotIndex,
        long logStartIndex, long lastLogIndex, Long leaderContactMillis, boolean changeInProgress, List<Member> members) {

    public NodeStatus {
        members = List.copyOf(members);
    }

    /** Whether this node is in the configuration at all (a node started to join is not, until added). */
    public boolean includesSelf() {
        return members.stream().anyMatch(member -> member.id().equals(nodeId));
    }

    /** The voting members. */
    public List<Member> voters() {
        return members.stream().filter(Member::voting).toList();
    }

    /**
     * A member of the configuration.
     *
     * @param role              LEADER, FOLLOWER (a voter) or LISTENER (a non-voting replica)
     * @param voting            whether it votes and counts towards commit
     * @param promoting         a listener that was added as a voter-to-be and is promoted once caught up
     * @param matchIndex        the highest index known replicated to it (leader's view; {@code null}
     *                          on other nodes)
     * @param lag               log entries it trails the leader's log by (leader's view, else {@code null})
     * @param lastContactMillis milliseconds since the leader last heard from it (leader's view, else
     *                          {@code null})
     */
    public record Member(String id, String address, String role, boolean voting, boolean promoting,
            Long matchIndex, Long lag, Long lastContactMillis) {
    }
}
