package io.muster.replication;

import java.util.Optional;

/**
 * This node as a member of its group, as features see it: what it knows of the group and its own
 * place in it. The Ratis adapter ({@code io.muster.raft.RaftNode}) implements it; the state it holds is
 * {@link ReplicatedState}, and writes and consistent reads go through {@link Gateway}.
 *
 * <p>Thread-safe; every method returns at once.
 */
public interface Replica {

    /**
     * The lifecycle phase the replica starts in: below Spring Boot's web server lifecycles
     * ({@code Integer.MAX_VALUE - 2048} and {@code - 1024}), so the node replicates before it serves
     * and stops after the last request drained. Duties that need a running replica start in a later
     * phase ({@code PHASE + 1}).
     */
    int PHASE = Integer.MAX_VALUE - 4096;

    /** The few facts every API response carries, read without building a whole status. */
    Headline headline();

    /** The term this node leads in, or -1 when it does not lead (a hint: leadership can move at any moment). */
    long leadingTerm();

    /** This node's view of itself and its group. */
    NodeStatus status();

    /**
     * Whether this node's Raft division closed by itself while the node runs and is still a member of
     * its group (by the last configuration it applied): not a removal but a failure (Ratis closes a
     * division on some internal errors), which only a restart of the node repairs.
     */
    boolean divisionClosedWhileMember();

    /**
     * Present while this node has heard from no leader for longer than the election timeout
     * ({@code muster.raft.election-timeout-max}): it is cut off from the majority, or no majority is
     * left. Writes, linearizable reads, long polls and watches are then refused at once instead of
     * waiting out their timeouts. Empty while it leads or hears from a leader, and while it is not running.
     */
    Optional<Leaderless> leaderless();

    /** The revision this node has applied, its term, and the leader it knows ({@code null} if none). */
    record Headline(long revision, long term, String leaderId) {
    }

    /**
     * How long (at least) this node has heard from no leader, and the last leader it knew ({@code null}
     * if it never knew one since it started).
     */
    record Leaderless(long silentMillis, String lastLeader) {

        /** Says so in a sentence for a problem's detail. */
        public String describe() {
            return "this node has heard from no Raft leader for " + silentMillis + " ms"
                    + (lastLeader == null ? "" : " (the last it knew was " + lastLeader + ")");
        }
    }
}
