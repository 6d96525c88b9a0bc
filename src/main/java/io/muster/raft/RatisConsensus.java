package io.muster.raft;

import io.muster.MusterProperties;
import io.muster.core.ClusterVersion;
import io.muster.replication.Consensus;
import io.muster.replication.GatewayException;
import io.muster.replication.LeaderQueries;
import io.muster.replication.Replica;
import io.muster.support.DaemonThreads;
import io.muster.support.Deadline;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The gateway's consensus over Ratis, on any node.
 *
 * <p>On the leader, writes are submitted to the local Raft server in-process; elsewhere (or when the
 * local leader was not ready) they go through the node's shared Raft client, which finds the leader
 * and retries within the write timeout. The reply carries the result the leader applied.
 *
 * <p>The read barrier is ReadIndex: the leader confirms its leadership and this node waits until it
 * has applied the leader's commit index; concurrent reads share one round.
 *
 * <p>Thread-safe; calls block the calling (request) thread, for at most the write or read timeout.
 */
@Component
class RatisConsensus implements Consensus, DisposableBean {

    private static final Message READ_BARRIER = Message.valueOf(ByteString.EMPTY);
    private static final RaftClientRequest.Type LINEARIZABLE_READ =
            RaftClientRequest.readRequestType(false, false, false);

    /** How long to wait before offering a write again to a cluster whose leader is handing off. */
    private static final Duration STEPPING_DOWN_PAUSE = Duration.ofMillis(20);

    private final RaftNode node;
    private final Duration writeTimeout;
    private final Duration readTimeout;
    private final ExecutorService handoff;
    private final CoalescingBarrier sharedBarrier;

    RatisConsensus(RaftNode node, MusterProperties properties) {
        this.node = node;
        this.writeTimeout = properties.raft().writeTimeout();
        this.readTimeout = properties.raft().readTimeout();
        this.handoff = Executors.newSingleThreadExecutor(DaemonThreads.named("muster-read-barrier-" + node.localId()));
        this.sharedBarrier = new CoalescingBarrier(this::localReadIndex, handoff);
    }

    /** Stops the thread that starts read-barrier rounds off Ratis' threads. */
    @Override
    public void destroy() {
        handoff.shutdownNow();
    }

    /**
     * Refuses at once on a node that has heard from no leader for longer than the election timeout:
     * waiting out the write or read timeout could not end any better.
     */
    private void refuseWhenLeaderless() {
        Optional<Replica.Leaderless> leaderless = node.leaderless();
        if (leaderless.isPresent()) {
            throw new GatewayException.LeaderUnreachable(leaderless.get());
        }
    }

    @Override
    public byte[] propose(byte[] command) {
        refuseWhenLeaderless();
        Message message = Message.valueOf(ByteString.copyFrom(command));
        Timer.Sample sample = node.metrics().proposalStarted();
        RaftClientReply reply;
        try {
            reply = node.isLeader() ? proposeLocally(message) : null;
            if (reply == null) {
                reply = proposeThroughClient(message);
            }
        } finally {
            node.metrics().proposalEnded(sample);
        }
        if (!reply.isSuccess()) {
            if (reply.getStateMachineException() != null) {
                throw new GatewayException.ProposalRefused(reply.getStateMachineException().getMessage(),
                        reply.getStateMachineException());
            }
            throw new GatewayException.WriteOutcomeUnknown("no commit confirmed: " + reply.getException(),
                    reply.getException());
        }
        return reply.getMessage().getContent().toByteArray();
    }

    /**
     * On the leader, submits without a network hop. Returns {@code null} only when the local server
     * certainly did not log the command, so that sending it again through the client cannot apply it
     * twice: {@code LeaderNotReadyException} and {@code LeaderSteppingDownException} are raised before
     * anything is appended. A {@code NotLeaderException} is not such a proof (a leader that steps down
     * fails its pending, already appended requests with it, and the next leader may still commit
     * them), so it is reported as an unknown outcome.
     */
    private RaftClientReply proposeLocally(Message message) {
        RaftClientReply reply;
        try {
            reply = node.submitLocally(message, RaftClientRequest.writeRequestType())
                    .get(writeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new GatewayException.WriteOutcomeUnknown("no commit confirmed within " + writeTimeout, e);
        } catch (ExecutionException | IOException e) {
            throw new GatewayException.WriteOutcomeUnknown("no commit confirmed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException.WriteOutcomeUnknown("interrupted while waiting for the commit", e);
        }
        return notLogged(reply.getException()) ? null : reply;
    }

    /**
     * Sends through the client, which follows the leader and retries on its own. A leader handing off
     * leadership refuses new writes with {@code LeaderSteppingDownException} before logging them, and
     * the client does not retry that; this does, until the write timeout, since nothing was logged.
     */
    private RaftClientReply proposeThroughClient(Message message) {
        Deadline deadline = Deadline.after(writeTimeout);
        while (true) {
            try {
                return node.client().io().send(message);
            } catch (StateMachineException refused) {
                throw new GatewayException.ProposalRefused(refused.getMessage(), refused);
            } catch (LeaderSteppingDownException steppingDown) {
                if (!pausedBeforeRetry(deadline)) {
                    throw new GatewayException.WriteOutcomeUnknown("no leader took the write: " + steppingDown.getMessage(),
                            steppingDown);
                }
            } catch (IOException e) {
                throw new GatewayException.WriteOutcomeUnknown("no commit confirmed: " + e.getMessage(), e);
            }
        }
    }

    /** Exceptions a leader raises before it appends anything: the write can go elsewhere without a duplicate. */
    private static boolean notLogged(Throwable exception) {
        return exception instanceof LeaderNotReadyException || exception instanceof LeaderSteppingDownException;
    }

    private static boolean pausedBeforeRetry(Deadline deadline) {
        try {
            return deadline.pauseBeforeRetry(STEPPING_DOWN_PAUSE);
        } catch (InterruptedException e) {
            throw new GatewayException.WriteOutcomeUnknown("interrupted while waiting for a leader", e);
        }
    }

    @Override
    public OptionalInt supportedLevel(String memberId, String address) {
        if (memberId.equals(node.localId().toString())) {
            return OptionalInt.of(ClusterVersion.SUPPORTED);
        }
        // A client of its own that asks once and gives up after 2 s: the shared client would retry a stale
        // read forever, at once and again, against a member that is down.
        RaftPeer peer = RaftPeer.newBuilder().setId(memberId).setAddress(address).build();
        try (RaftClient probe = node.probe(peer)) {
            // minIndex -1: a node that has committed nothing yet (one waiting to be added) answers too.
            RaftClientReply reply = probe.io().sendStaleRead(StateQueries.LEVEL_QUESTION, -1, peer.getId());
            if (reply.isSuccess()) {
                OptionalInt level = StateQueries.level(reply.getMessage().getContent());
                return level.isPresent() ? level : OptionalInt.of(ClusterVersion.BASELINE);
            }
            return reply.getStateMachineException() != null ? levelOfRefusal(reply.getStateMachineException())
                    : OptionalInt.empty();
        } catch (StateMachineException refused) {
            return levelOfRefusal(refused);
        } catch (IOException | RuntimeException unreachable) {
            return OptionalInt.empty();
        }
    }

    /**
     * A build from before cluster versions hands the question to its lease answerer, which refuses it
     * with one of two fixed messages (they are history, and cannot change): that node supports the
     * baseline. Any other refusal says nothing of its build; a node that has committed nothing yet,
     * for one, cannot serve a stale read at all.
     */
    private static OptionalInt levelOfRefusal(StateMachineException refusal) {
        String message = String.valueOf(refusal.getMessage());
        return message.contains("leader query failed") || message.contains("answers no leader queries")
                ? OptionalInt.of(ClusterVersion.BASELINE) : OptionalInt.empty();
    }

    @Override
    public boolean leaderIsLocal() {
        return node.stateMachine().leaderQueries() != null && node.isLeader();
    }

    @Override
    public byte[] askLeader(byte[] query) {
        LeaderQueries local = node.stateMachine().leaderQueries();
        if (local != null && node.isLeader()) {
            return local.answer(query);
        }
        refuseWhenLeaderless();
        RaftClientReply reply;
        try {
            reply = node.client().io().sendReadOnlyNonLinearizable(Message.valueOf(ByteString.copyFrom(query)));
        } catch (IOException e) {
            throw new GatewayException.ReadUnavailable("no leader answered: " + e.getMessage(), e);
        }
        if (!reply.isSuccess()) {
            throw new GatewayException.ReadUnavailable("no leader answered: " + reply.getException(),
                    reply.getException());
        }
        return reply.getMessage().getContent().toByteArray();
    }

    /** One ReadIndex round through the local Raft server, without a network hop to itself. */
    private CompletableFuture<Void> localReadIndex() {
        try {
            return node.submitLocally(READ_BARRIER, LINEARIZABLE_READ).thenApply(reply -> {
                if (!reply.isSuccess()) {
                    throw new IllegalStateException("read index refused: " + reply.getException());
                }
                return null;
            });
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * First through the shared in-process barrier (one round for all reads that began before it
     * started), then, if that round failed fast, through the client, which retries within the read
     * timeout. Reads are idempotent, so the fallback is safe.
     */
    @Override
    public void readBarrier() {
        refuseWhenLeaderless();
        try {
            sharedBarrier.await().get(readTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return;
        } catch (ExecutionException e) {
            // a round failed fast (no leader known yet, leadership moving): the client retries below
        } catch (TimeoutException e) {
            throw new GatewayException.ReadUnavailable("no leader confirmed the read within " + readTimeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException.ReadUnavailable("interrupted while waiting for the read index", e);
        }
        RaftClientReply reply;
        try {
            reply = node.client().io().sendReadOnly(READ_BARRIER, node.localId());
        } catch (IOException e) {
            throw new GatewayException.ReadUnavailable("no leader confirmed the read: " + e.getMessage(), e);
        }
        if (!reply.isSuccess()) {
            throw new GatewayException.ReadUnavailable("no leader confirmed the read: " + reply.getException(),
                    reply.getException());
        }
    }
}
