package io.muster.raft;

import io.muster.MusterProperties;
import io.muster.raft.MembershipException.Reason;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.protocol.exceptions.ServerNotReadyException;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
import org.apache.ratis.protocol.exceptions.TransferLeadershipException;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Changes who is in the Raft group, one change at a time, from any node.
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
    private final MusterProperties.Membership settings;
    private final Duration electionTimeoutMax;
    private final AtomicBoolean changing = new AtomicBoolean();
    private final AtomicBoolean promoting = new AtomicBoolean();
    private final ClientId promoterId = ClientId.randomId();
    private final AtomicLong promoterCalls = new AtomicLong();

    public Membership(RaftNode node) {
        this.node = node;
        this.settings = node.properties().membership();
        this.electionTimeoutMax = node.properties().raft().electionTimeoutMax();
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
            RaftPeer newcomer = RaftPeer.newBuilder().setId(id).setAddress(peer.address())
                    .setStartupRole(voting ? RaftPeerRole.FOLLOWER : RaftPeerRole.LISTENER).build();
            Configuration current = configuration();
            List<RaftPeer> listeners = new ArrayList<>(current.listeners());
            listeners.add(newcomer);
            setConfiguration(status, current, current.voters(), listeners);
            log.info("added {} at {} as a listener{}", id, peer.address(), voting ? ", to be promoted to voter" : "");
            return node.status().members().stream().filter(member -> member.id().equals(id)).findFirst()
                    .orElseThrow(() -> new MembershipException(Reason.OUTCOME_UNKNOWN,
                            "member " + id + " was added but this node does not see it yet"));
        });
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
            Configuration current = configuration();
            Predicate<RaftPeer> others = peer -> !peer.getId().toString().equals(id);
            setConfiguration(status, current, current.voters().stream().filter(others).toList(),
                    current.listeners().stream().filter(others).toList());
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
        long deadline = System.nanoTime() + settings.changeTimeout().toNanos();
        for (int attempt = 1; ; attempt++) {
            NodeStatus status = runningStatus();
            NodeStatus.Member member = member(status, id);
            if (!member.voting()) {
                throw new MembershipException(Reason.NOT_A_VOTER, "member " + id + " is a listener; only a voter can lead");
            }
            if (id.equals(status.leaderId())) {
                return;
            }
            long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
            try (RaftClient admin = node.adminClient(status.leaderId())) {
                RaftClientReply reply = admin.admin().transferLeadership(RaftPeerId.valueOf(id), Math.max(1, leftMillis));
                if (reply.isSuccess()) {
                    return;
                }
                if (!(reply.getException() instanceof TransferLeadershipException) || attempt == TRANSFER_ATTEMPTS
                        || System.nanoTime() > deadline) {
                    requireSuccess(reply, "transferring leadership to " + id);
                }
            } catch (TransferLeadershipException e) {
                if (attempt == TRANSFER_ATTEMPTS || System.nanoTime() > deadline) {
                    throw translate(e, "transferring leadership to " + id);
                }
            } catch (IOException e) {
                throw translate(e, "transferring leadership to " + id);
            }
            log.info("transferring leadership to {} failed (attempt {}); trying again", id, attempt);
        }
    }

    /** Takes a snapshot of this node's state now, unless one already covers it; answers its index. */
    public long snapshot() {
        runningStatus();
        MusterStateMachine stateMachine = node.stateMachine();
        try {
            RaftServer.Division division = node.division();
            stateMachine.snapshots().nextSynchronously(true);
            SnapshotManagementRequest request = SnapshotManagementRequest.newCreate(promoterId, division.getId(),
                    division.getGroup().getGroupId(), promoterCalls.incrementAndGet(),
                    settings.changeTimeout().toMillis(), 1);
            RaftClientReply reply = node.server().snapshotManagement(request);
            requireSuccess(reply, "taking a snapshot");
            return reply.getLogIndex();
        } catch (IOException e) {
            throw translate(e, "taking a snapshot");
        } finally {
            stateMachine.snapshots().nextSynchronously(false); // when the latest covered everything, none was taken
        }
    }

    /**
     * On the leader: promotes every voter-to-be that has caught up and was heard from within an
     * election timeout. Runs on the node's maintenance thread; one promotion at a time.
     */
    void promoteCaughtUpListeners() {
        NodeStatus status = node.status();
        if (!status.alive() || !"LEADER".equals(status.role()) || promoting.get()) {
            return;
        }
        status.members().stream()
                .filter(member -> member.promoting() && member.lag() != null && member.lag() <= settings.promotionLag()
                        && member.lastContactMillis() != null
                        && member.lastContactMillis() <= electionTimeoutMax.toMillis())
                .findFirst()
                .ifPresent(this::promote);
    }

    private void promote(NodeStatus.Member member) {
        Configuration current;
        RaftServer.Division division;
        try {
            current = configuration();
            division = node.division();
        } catch (MembershipException | IOException e) {
            return;
        }
        if (!current.stable()) {
            return;
        }
        List<RaftPeer> voters = new ArrayList<>(current.voters());
        List<RaftPeer> listeners = new ArrayList<>();
        for (RaftPeer peer : current.listeners()) {
            if (peer.getId().toString().equals(member.id())) {
                voters.add(peer);
            } else {
                listeners.add(peer);
            }
        }
        SetConfigurationRequest request = new SetConfigurationRequest(promoterId, division.getId(),
                division.getGroup().getGroupId(), promoterCalls.incrementAndGet(), arguments(current, voters, listeners));
        promoting.set(true);
        log.info("promoting {} to voter (it trails the log by {} entries)", member.id(), member.lag());
        try {
            node.server().setConfigurationAsync(request)
                    .orTimeout(settings.changeTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((reply, failure) -> {
                        promoting.set(false);
                        if (failure != null || !reply.isSuccess()) {
                            log.warn("promoting {} failed; will retry: {}", member.id(),
                                    failure != null ? failure.toString() : reply.getException());
                        } else {
                            log.info("promoted {} to voter", member.id());
                        }
                    });
        } catch (IOException | RuntimeException e) {
            promoting.set(false);
            log.warn("promoting {} failed; will retry: {}", member.id(), e.toString());
        }
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

    /** The configuration this node knows, as Ratis peers. */
    private Configuration configuration() {
        try {
            RaftConfiguration conf = node.division().getRaftConf();
            return new Configuration(List.copyOf(conf.getCurrentPeers(RaftPeerRole.FOLLOWER)),
                    List.copyOf(conf.getCurrentPeers(RaftPeerRole.LISTENER)),
                    conf.getPreviousPeers(RaftPeerRole.FOLLOWER).isEmpty());
        } catch (IOException e) {
            throw new MembershipException(Reason.UNAVAILABLE, "node is not running; nothing was changed", e);
        }
    }

    private void setConfiguration(NodeStatus status, Configuration current, List<RaftPeer> voters,
            List<RaftPeer> listeners) {
        try (RaftClient admin = node.adminClient(status.leaderId())) {
            RaftClientReply reply = admin.admin().setConfiguration(arguments(current, voters, listeners));
            requireSuccess(reply, "changing the configuration");
        } catch (IOException e) {
            throw translate(e, "changing the configuration");
        }
    }

    private static SetConfigurationRequest.Arguments arguments(Configuration current, List<RaftPeer> voters,
            List<RaftPeer> listeners) {
        return SetConfigurationRequest.Arguments.newBuilder()
                .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                .setServersInCurrentConf(current.voters())
                .setListenersInCurrentConf(current.listeners())
                .setServersInNewConf(voters)
                .setListenersInNewConf(listeners)
                .build();
    }

    private static void requireSuccess(RaftClientReply reply, String what) {
        if (!reply.isSuccess()) {
            throw translate(reply.getException() != null ? reply.getException()
                    : new IOException("no reason given"), what);
        }
    }

    static MembershipException translate(Throwable failure, String what) {
        Throwable cause = failure;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ReconfigurationInProgressException || cause instanceof SetConfigurationException) {
            return new MembershipException(Reason.CHANGE_IN_PROGRESS, what + " was refused: the configuration is "
                    + "changing or changed meanwhile; read GET /v1/cluster and retry (" + cause.getMessage() + ")", cause);
        }
        if (cause instanceof NotLeaderException || cause instanceof LeaderNotReadyException
                || cause instanceof ServerNotReadyException || cause instanceof TransferLeadershipException) {
            return new MembershipException(Reason.UNAVAILABLE, what + " failed: " + cause.getMessage(), cause);
        }
        if (cause instanceof TimeoutException) {
            return new MembershipException(Reason.OUTCOME_UNKNOWN, what + " was not confirmed in time", cause);
        }
        return new MembershipException(Reason.OUTCOME_UNKNOWN, what + " was not confirmed: " + cause, cause);
    }

    private record Configuration(List<RaftPeer> voters, List<RaftPeer> listeners, boolean stable) {
    }
}
