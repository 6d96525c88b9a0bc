package io.muster.cluster;

import io.muster.core.ClusterVersion;
import io.muster.replication.Consensus;
import io.muster.replication.ReplicatedState;
import java.util.OptionalInt;
import io.muster.MusterProperties;
import io.muster.raft.ConfigurationChanges;
import io.muster.replication.MembershipException;
import io.muster.replication.MembershipException.Reason;
import io.muster.replication.NodeStatus;
import io.muster.raft.Peer;
import io.muster.raft.RaftNode;
import io.muster.support.Deadline;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Changes who is in the Raft group, one change at a time, from any node: the rules of a change here,
 * the change itself through {@link ConfigurationChanges}.
 *
 * <p>A new voter joins first as a listener (it receives the log but neither votes nor counts towards
 * commit), so a slow newcomer cannot cost the cluster its quorum. Its intent travels in the
 * configuration itself: the listener's Ratis {@code startupRole} is FOLLOWER. Whichever node leads
 * runs {@link #promoteCaughtUpListeners()} every {@code muster.membership.promotion-period} and promotes such a listener once it trails
 * the leader's log by at most {@code muster.membership.promotion-lag} entries. Because the intent is
 * replicated, a leader change does not strand it, and every node sees that a change is in progress.
 *
 * <p>Every change is a compare-and-set against the configuration this node read, so two changes made
 * through different nodes cannot both succeed. Thread-safe.
 */
@Component
public class Membership {

    private static final Logger log = LoggerFactory.getLogger(Membership.class);

    private static final int TRANSFER_ATTEMPTS = 5;

    private final RaftNode node;
    private final ConfigurationChanges changes;
    private final Consensus consensus;
    private final ReplicatedState state;
    private final MusterProperties.Membership settings;
    private final Duration electionTimeoutMax;
    private final AtomicBoolean changing = new AtomicBoolean();

    public Membership(RaftNode node, ConfigurationChanges changes, Consensus consensus, ReplicatedState state,
            MusterProperties properties) {
        this.node = node;
        this.changes = changes;
        this.consensus = consensus;
        this.state = state;
        this.settings = properties.membership();
        this.electionTimeoutMax = properties.raft().electionTimeoutMax();
        node.every(settings.promotionPeriod(), this::promoteCaughtUpListeners);
    }

    /**
     * Adds a member: a listener that stays one when {@code voting} is false, and is promoted to voter
     * once caught up when it is true.
     *
     * @return the member as the configuration now holds it
     */
    public NodeStatus.Member add(String id, String address, boolean voting) {
        Peer peer = parseAddress(id, address);
        return exclusively(() -> {
            NodeStatus status = runningStatus();
            for (NodeStatus.Member member : status.members()) {
                if (member.id().equals(id) || member.address().equals(peer.address())) {
                    throw new MembershipException(Reason.ALREADY_MEMBER, "member " + member.id() + " at "
                            + member.address() + " is already in the configuration");
                }
            }
            refuseWhileChanging(status);
            refuseTooOld(id, peer.address());
            changes.addListener(status, id, peer.address(), voting);
            log.info("added {} at {} as a listener{}", id, peer.address(), voting ? ", to be promoted to voter" : "");
            return node.status().members().stream().filter(member -> member.id().equals(id)).findFirst()
                    .orElseThrow(() -> new MembershipException(Reason.OUTCOME_UNKNOWN,
                            "member " + id + " was added but this node does not see it yet"));
        });
    }

    /**
     * Refuses a node whose build says it does not support the cluster's version: it would stop at the
     * first entry it cannot apply. A node that does not answer (not started yet) is added as before.
     */
    private void refuseTooOld(String id, String address) {
        int clusterVersion = state.clusterVersion();
        if (clusterVersion == ClusterVersion.BASELINE) {
            return;
        }
        OptionalInt supported = consensus.supportedLevel(id, address);
        if (supported.isPresent() && supported.getAsInt() < clusterVersion) {
            throw new MembershipException(Reason.TOO_OLD, id + " at " + address + " supports cluster version "
                    + supported.getAsInt() + ", and the cluster runs at " + clusterVersion + ", which never falls: "
                    + "start it with a build that supports " + clusterVersion + " and add it again");
        }
    }

    /** Removes a member (a voter, a listener, or a voter-to-be still catching up). */
    public void remove(String id) {
        exclusively(() -> {
            NodeStatus status = runningStatus();
            NodeStatus.Member member = member(status, id);
            if (!member.promoting()) {
                refuseWhileChanging(status);
            }
            if (member.voting()) {
                refuseQuorumLoss(status, id);
            }
            changes.remove(status, id);
            log.info("removed member {}", id);
            return null;
        });
    }

    /**
     * Moves leadership to the voter {@code id}; returns once it leads. Under write load the target can
     * fall behind between being caught up and asking for votes, and lose the election it was told to
     * start; the transfer is then tried again, a few times within the change timeout.
     */
    public void transferLeadership(String id) {
        Deadline deadline = Deadline.after(settings.changeTimeout());
        for (int attempt = 1; ; attempt++) {
            NodeStatus status = runningStatus();
            NodeStatus.Member member = member(status, id);
            if (!member.voting()) {
                throw new MembershipException(Reason.NOT_A_VOTER, "member " + id + " is a listener; only a voter can lead");
            }
            if (id.equals(status.leaderId())) {
                return;
            }
            if (changes.transferLeadership(id, status.leaderId(), deadline, attempt == TRANSFER_ATTEMPTS)) {
                return;
            }
            log.info("transferring leadership to {} failed (attempt {}); trying again", id, attempt);
        }
    }

    /** Takes a snapshot of this node's state now, unless one already covers it; answers its index. */
    public long snapshot() {
        runningStatus();
        return changes.snapshot();
    }

    /**
     * On the leader: promotes every voter-to-be that has caught up and was heard from within an
     * election timeout. Runs on the node's maintenance thread; one promotion at a time.
     */
    void promoteCaughtUpListeners() {
        NodeStatus status = node.status();
        if (!status.alive() || !"LEADER".equals(status.role()) || changes.promoting()) {
            return;
        }
        status.members().stream()
                .filter(member -> member.promoting() && member.lag() != null && member.lag() <= settings.promotionLag()
                        && member.lastContactMillis() != null
                        && member.lastContactMillis() <= electionTimeoutMax.toMillis())
                .findFirst()
                .ifPresent(changes::promote);
    }

    private <T> T exclusively(Supplier<T> change) {
        if (!changing.compareAndSet(false, true)) {
            throw new MembershipException(Reason.CHANGE_IN_PROGRESS,
                    "another membership change is being made through this node");
        }
        try {
            return change.get();
        } finally {
            changing.set(false);
        }
    }

    private NodeStatus runningStatus() {
        NodeStatus status = node.status();
        if (!status.alive() || status.leaderId() == null) {
            throw new MembershipException(Reason.UNAVAILABLE,
                    "node " + status.nodeId() + " knows no leader; nothing was changed");
        }
        return status;
    }

    private static NodeStatus.Member member(NodeStatus status, String id) {
        return status.members().stream().filter(member -> member.id().equals(id)).findFirst()
                .orElseThrow(() -> new MembershipException(Reason.UNKNOWN_MEMBER, "no member has id '" + id + "'"));
    }

    private static void refuseWhileChanging(NodeStatus status) {
        if (status.changeInProgress()) {
            String pending = status.members().stream().filter(NodeStatus.Member::promoting)
                    .map(NodeStatus.Member::id).findFirst()
                    .map(id -> "member " + id + " is still being added as a voter (remove it to cancel)")
                    .orElse("the configuration is changing");
            throw new MembershipException(Reason.CHANGE_IN_PROGRESS, pending + "; one change at a time");
        }
    }

    /**
     * Refuses to remove a voter when fewer voters than a quorum of the current configuration would
     * remain, and, on the leader (the only node that knows who answers), when fewer reachable voters
     * than the new configuration's quorum would remain.
     */
    private void refuseQuorumLoss(NodeStatus status, String id) {
        List<NodeStatus.Member> voters = status.voters();
        int remaining = voters.size() - 1;
        int quorum = voters.size() / 2 + 1;
        if (remaining < quorum) {
            throw new MembershipException(Reason.QUORUM_AT_RISK, "removing voter " + id + " would leave " + remaining
                    + " voter(s), fewer than the " + quorum + " a quorum of the current " + voters.size() + " needs");
        }
        if ("LEADER".equals(status.role())) {
            long reachable = voters.stream().filter(member -> !member.id().equals(id) && member.lastContactMillis() != null
                    && member.lastContactMillis() <= electionTimeoutMax.toMillis()).count();
            int newQuorum = remaining / 2 + 1;
            if (reachable < newQuorum) {
                throw new MembershipException(Reason.QUORUM_AT_RISK, "removing voter " + id + " would leave "
                        + reachable + " reachable voter(s), fewer than the " + newQuorum + " the new configuration needs");
            }
        }
    }

    private static Peer parseAddress(String id, String address) {
        try {
            return Peer.of(id, address);
        } catch (IllegalArgumentException e) {
            throw new MembershipException(Reason.INVALID, "address: " + e.getMessage());
        }
    }
}
