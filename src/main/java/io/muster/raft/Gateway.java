package io.muster.raft;

import io.muster.support.DaemonThreads;
import io.muster.support.Deadline;
import io.micrometer.core.instrument.Timer;
import io.muster.MusterProperties;
import io.muster.core.Command;
import io.muster.core.CommandCodec;
import io.muster.core.KvStore;
import io.muster.core.Rejected;
import io.muster.core.RejectedException;
import io.muster.core.Result;
import io.muster.core.ResultCodec;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Turns commands into replicated writes and reads into consistent reads, on any node.
 *
 * <p>On the leader, writes are submitted to the local Raft server in-process; elsewhere (or when the
 * local leader was not ready) they go through the node's shared Raft client, which finds the leader
 * and retries within the write timeout. The reply carries the result the leader applied.
 *
 * <p>Linearizable reads pass a read barrier (ReadIndex: the leader confirms its leadership and this
 * node waits until it has applied the leader's commit index), shared by concurrent reads, and then
 * read local memory.
 *
 * <p>Thread-safe; calls block the calling (request) thread, for at most the write or read timeout. A
 * read with a {@code minRevision} this node has not applied would also wait (up to
 * {@code muster.read.min-revision-timeout}); the API waits for {@link #applied} without a thread first
 * ({@code io.muster.wait.MinRevisionFilter}), so that it never does.
 */
@Component
public class Gateway implements DisposableBean {

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
    private final CommandAuthor author;

    public Gateway(RaftNode node, MusterProperties properties, CommandAuthor author) {
        this.node = node;
        this.author = author;
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
     * A client's write: replicates {@code command}, authored by the caller of the current request (the
     * {@link CommandAuthor} names it, or refuses the command), and returns the result it declares. A
     * write outside any request is a programming error and fails closed (the author throws): nothing
     * goes out with Muster's own rights by accident.
     *
     * @throws RejectedException                     when the store rejected it
     * @throws GatewayException.ProposalRefused    when the leader refused it (nothing was logged)
     * @throws GatewayException.WriteOutcomeUnknown when no answer came in time (it may still commit)
     */
    public <R extends Result, C extends Command & Command.Returns<R>> R write(C command) {
        return accepted(proposeAuthored(author.author(command)));
    }

    /**
     * As {@link #write}, but the write waits on a thread of {@code executor}: the command is authored
     * here, on the calling (request) thread, whose caller it names, and that thread is free at once.
     * For requests that must not hold a server thread while a write commits (a lock acquisition among
     * hundreds). The future fails with what {@link #write} would throw.
     */
    public <R extends Result, C extends Command & Command.Returns<R>> CompletableFuture<R> writeFrom(Executor executor,
            C command) {
        Command authored = author.author(command);
        return CompletableFuture.supplyAsync(() -> accepted(proposeAuthored(authored)), executor);
    }

    /**
     * Muster's own write (lease expiry, the bootstrap token, the desired voters, undoing a lock wait):
     * proposed without an author, with the rights of the cluster itself, whatever thread it runs on.
     *
     * @throws RejectedException when the store rejected it
     */
    public <R extends Result, C extends Command & Command.Returns<R>> R writeAsMuster(C command) {
        return accepted(proposeAuthored(command));
    }

    @SuppressWarnings("unchecked") // each command declares its result type; SimulationTest checks apply keeps to it
    private static <R extends Result> R accepted(Result result) {
        if (result instanceof Rejected rejected) {
            throw new RejectedException(rejected);
        }
        return (R) result;
    }

    private Result proposeAuthored(Command authored) {
        Message message = Message.valueOf(ByteString.copyFrom(CommandCodec.encodeCommand(authored)));
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
        return ResultCodec.decode(reply.getMessage().getContent().toByteArray());
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

    /** Whether {@link #askLeader} would be answered in process: this node leads and answers leader queries. */
    public boolean leaderIsLocal() {
        return node.stateMachine().leaderQueries() != null && node.isLeader();
    }

    /**
     * Asks the leader a {@link LeaderQueries} question without touching the log: answered in process
     * when this node leads, otherwise sent to the leader as a non-linearizable read, which only the
     * leader serves (the client follows it and retries within the read timeout).
     *
     * @throws GatewayException.ReadUnavailable when no leader answered
     */
    public byte[] askLeader(byte[] query) {
        LeaderQueries local = node.stateMachine().leaderQueries();
        if (local != null && node.isLeader()) {
            return local.answer(query);
        }
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

    /**
     * Reads with the given consistency, if this node has applied {@code minRevision} (0: any revision).
     * It does not wait for it: a request that must wait does so without a thread before it gets here
     * (the {@code wait} package's filter), so a revision still missing now is answered at once.
     *
     * @throws GatewayException.RevisionNotReached when {@code minRevision} is not applied
     * @throws GatewayException.ReadUnavailable     when a linearizable read finds no leader in time
     */
    public <T> Reading<T> read(Consistency consistency, long minRevision, Function<KvStore, T> reader) {
        long applied = appliedRevision();
        if (minRevision > applied) {
            throw new GatewayException.RevisionNotReached(minRevision, applied);
        }
        if (consistency == Consistency.LINEARIZABLE) {
            readBarrier();
        }
        return node.stateMachine().read(store -> new Reading<>(reader.apply(store), store.revision()));
    }

    /** The revision this node has applied. */
    public long appliedRevision() {
        return node.stateMachine().appliedIndex().get();
    }

    /**
     * Completes (with the revision then applied) once this node has applied {@code revision}. It
     * completes on the apply thread, so what follows must be quick or go elsewhere; it never fails or
     * times out on its own.
     */
    public CompletableFuture<Long> applied(long revision) {
        return node.stateMachine().appliedIndex().await(revision);
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
     * Waits for a ReadIndex confirmed by the leader: first through the shared in-process barrier (one
     * round for all reads that began before it started), then, if that round failed fast, through the
     * client, which retries within the read timeout. Reads are idempotent, so the fallback is safe.
     */
    private void readBarrier() {
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
