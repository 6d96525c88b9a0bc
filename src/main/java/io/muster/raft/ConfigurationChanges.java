package io.muster.raft;

import io.muster.MusterProperties;
import io.muster.replication.MembershipException;
import io.muster.replication.NodeStatus;
import io.muster.replication.MembershipException.Reason;
import io.muster.support.Deadline;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
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
 * Ratis' side of changing who is in the group: each call makes one change as asked, as a
 * compare-and-set against the configuration this node read, and reports a failure as a
 * {@link MembershipException}. Whether a change is allowed, and when, is {@code io.muster.cluster.Membership}'s
 * business (the rules live there); nothing here refuses a change for its consequences.
 *
 * <p>A voter-to-be joins as a listener whose Ratis {@code startupRole} is FOLLOWER, so that its intent
 * travels in the replicated configuration. Thread-safe.
 */
@Component
public class ConfigurationChanges {

    private static final Logger log = LoggerFactory.getLogger(ConfigurationChanges.class);

    private final RaftNode node;
    private final long changeTimeoutMillis;
    private final AtomicBoolean promoting = new AtomicBoolean();
    private final ClientId promoterId = ClientId.randomId();
    private final AtomicLong promoterCalls = new AtomicLong();

    public ConfigurationChanges(RaftNode node, MusterProperties properties) {
        this.node = node;
        this.changeTimeoutMillis = properties.membership().changeTimeout().toMillis();
    }

    /** Adds {@code id} at {@code address} as a listener, to be promoted to voter when {@code voting}. */
    public void addListener(NodeStatus status, String id, String address, boolean voting) {
        RaftPeer newcomer = RaftPeer.newBuilder().setId(id).setAddress(address)
                .setStartupRole(voting ? RaftPeerRole.FOLLOWER : RaftPeerRole.LISTENER).build();
        Configuration current = configuration();
        List<RaftPeer> listeners = new ArrayList<>(current.listeners());
        listeners.add(newcomer);
        setConfiguration(status, current, current.voters(), listeners);
    }

    /** Removes the member {@code id}, voter or listener. */
    public void remove(NodeStatus status, String id) {
        Configuration current = configuration();
        Predicate<RaftPeer> others = peer -> !peer.getId().toString().equals(id);
        setConfiguration(status, current, current.voters().stream().filter(others).toList(),
                current.listeners().stream().filter(others).toList());
    }

    /**
     * Asks the leader ({@code leaderHint}) to hand leadership to {@code id} within the time
     * {@code deadline} leaves.
     *
     * @return whether it did; {@code false} when the target lost the election it was told to start and
     *         another attempt may succeed (never on the {@code lastAttempt} or past the deadline: then
     *         the failure is thrown)
     */
    public boolean transferLeadership(String id, String leaderHint, Deadline deadline, boolean lastAttempt) {
        String what = "transferring leadership to " + id;
        try (RaftClient admin = node.adminClient(leaderHint)) {
            RaftClientReply reply = admin.admin().transferLeadership(RaftPeerId.valueOf(id), deadline.millisLeft());
            if (reply.isSuccess()) {
                return true;
            }
            if (!(reply.getException() instanceof TransferLeadershipException) || lastAttempt || deadline.passed()) {
                requireSuccess(reply, what);
            }
        } catch (TransferLeadershipException e) {
            if (lastAttempt || deadline.passed()) {
                throw translate(e, what);
            }
        } catch (IOException e) {
            throw translate(e, what);
        }
        return false;
    }

    /** Takes a snapshot of this node's state now, unless one already covers it; answers its index. */
    public long snapshot() {
        MusterStateMachine stateMachine = node.stateMachine();
        try {
            RaftServer.Division division = node.division();
            stateMachine.snapshots().nextSynchronously(true);
            SnapshotManagementRequest request = SnapshotManagementRequest.newCreate(promoterId, division.getId(),
                    division.getGroup().getGroupId(), promoterCalls.incrementAndGet(), changeTimeoutMillis, 1);
            RaftClientReply reply = node.server().snapshotManagement(request);
            requireSuccess(reply, "taking a snapshot");
            return reply.getLogIndex();
        } catch (IOException e) {
            throw translate(e, "taking a snapshot");
        } finally {
            stateMachine.snapshots().nextSynchronously(false); // when the latest covered everything, none was taken
        }
    }

    /** Whether a promotion started by {@link #promote} is still under way. */
    public boolean promoting() {
        return promoting.get();
    }

    /**
     * On the leader: makes the listener {@code member} a voter, asynchronously; a failure is logged and
     * the member stays a voter-to-be. Does nothing while the configuration is changing.
     */
    public void promote(NodeStatus.Member member) {
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
                    .orTimeout(changeTimeoutMillis, TimeUnit.MILLISECONDS)
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
