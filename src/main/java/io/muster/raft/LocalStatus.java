package io.muster.raft;

import io.muster.replication.NodeStatus;
import io.muster.replication.Replica;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.LifeCycle;

/**
 * Reads what this node knows of itself and its group from its Raft division: the whole status, the
 * headline every response carries, and whether (and in which term) it leads. Answers for a node that
 * is not running too. Thread-safe; every answer is a snapshot that can be stale a moment later.
 */
final class LocalStatus {

    private final String clusterName;
    private final RaftPeerId localId;
    private final Supplier<RaftGroupId> groupId;
    /** The running server, or {@code null}. */
    private final Supplier<RaftServer> server;
    private final MusterStateMachine stateMachine;
    private final BooleanSupplier removed;
    /** When (System.nanoTime) this node last knew itself in contact with a leader; its start counts as one. */
    private final AtomicLong lastLeaderContact = new AtomicLong(System.nanoTime());
    /** The leader this node last knew (seen by {@link #leaderSilenceMillis}), or {@code null}. */
    private volatile String lastLeader;

    LocalStatus(String clusterName, RaftPeerId localId, Supplier<RaftGroupId> groupId, Supplier<RaftServer> server,
            MusterStateMachine stateMachine, BooleanSupplier removed) {
        this.clusterName = clusterName;
        this.localId = localId;
        this.groupId = groupId;
        this.server = server;
        this.stateMachine = stateMachine;
        this.removed = removed;
    }

    /** This node's Raft division. */
    RaftServer.Division division() throws IOException {
        RaftServer current = server.get();
        if (current == null) {
            throw new IOException("node " + localId + " is not running");
        }
        return current.getDivision(groupId.get());
    }

    Replica.Headline headline() {
        long applied = stateMachine.appliedIndex().get();
        try {
            DivisionInfo info = division().getInfo();
            RaftPeerId leader = info.getLeaderId();
            return new Replica.Headline(applied, info.getCurrentTerm(), leader == null ? null : leader.toString());
        } catch (IOException e) {
            return new Replica.Headline(applied, 0, null);
        }
    }

    long leadingTerm() {
        RaftServer current = server.get();
        try {
            DivisionInfo info = current == null ? null : current.getDivision(groupId.get()).getInfo();
            return info != null && info.isLeader() ? info.getCurrentTerm() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * How long this node has heard from no leader: 0 while it leads (or is not running); otherwise the
     * time since the last leader contact it observed (a follower's time since its leader's last call,
     * while it knows a leader), or since it started. Kept here rather than read from Ratis' role timers,
     * which start again each time the node turns from candidate back to follower (a pre-vote that found
     * no majority), so a cut-off node would look as if it had just heard from a leader. Called often (by
     * requests, and every 100 ms by the watch streams' check), which keeps the contact time fresh.
     */
    long leaderSilenceMillis() {
        RaftServer current = server.get();
        if (current == null) {
            return 0;
        }
        try {
            DivisionInfo info = current.getDivision(groupId.get()).getInfo();
            long now = System.nanoTime();
            if (info.isLeader()) {
                lastLeader = localId.toString();
                lastLeaderContact.accumulateAndGet(now, Math::max);
                return 0;
            }
            RoleInfoProto role = info.getRoleInfoProto();
            if (info.getLeaderId() != null) {
                lastLeader = info.getLeaderId().toString();
            }
            if (info.getLeaderId() != null && role.hasFollowerInfo()) {
                long elapsed = role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs();
                lastLeaderContact.accumulateAndGet(now - TimeUnit.MILLISECONDS.toNanos(elapsed), Math::max);
            }
            return TimeUnit.NANOSECONDS.toMillis(now - lastLeaderContact.get());
        } catch (IOException | IllegalStateException e) {
            return 0; // stopping, or a removed node's division closed: not this check's business
        }
    }

    /** The server started: the silence before it is not a silence of the leader. */
    void started() {
        lastLeaderContact.accumulateAndGet(System.nanoTime(), Math::max);
    }

    /** The leader this node last knew, as of the last {@link #leaderSilenceMillis}, or {@code null}. */
    String lastLeader() {
        return lastLeader;
    }

    /** Whether the division of a running server is gone or closing (it closed underneath the node). */
    boolean divisionClosed() {
        RaftServer current = server.get();
        if (current == null) {
            return false;
        }
        try {
            // Closed, not closing: a removed node's division closes first and says so a moment later.
            LifeCycle.State state = current.getDivision(groupId.get()).getInfo().getLifeCycleState();
            return state == LifeCycle.State.CLOSED || state == LifeCycle.State.EXCEPTION;
        } catch (IOException | IllegalStateException gone) {
            return true;
        }
    }

    boolean isLeader() {
        RaftServer current = server.get();
        try {
            return current != null && current.getDivision(groupId.get()).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    NodeStatus status() {
        String group = groupId.get().getUuid().toString();
        try {
            RaftServer.Division division = division();
            return StatusReader.read(clusterName, group, division, removed.getAsBoolean(), snapshotIndex());
        } catch (IOException | IllegalStateException e) {
            // not started, stopped, or closing underneath us (a removed node's division closes itself)
            return new NodeStatus(clusterName, group, localId.toString(), false, removed.getAsBoolean(), "UNKNOWN", null,
                    0, 0, stateMachine.appliedIndex().get(), snapshotIndex(), -1, -1, null, false, List.of());
        }
    }

    private long snapshotIndex() {
        var latest = stateMachine.getLatestSnapshot();
        return latest == null ? -1 : latest.getIndex();
    }
}
