package io.muster.replication;

import io.muster.core.ClusterVersion;
import io.muster.core.Command;
import io.muster.core.CommandCodec;
import io.muster.core.KvStore;
import io.muster.core.Rejected;
import io.muster.core.RejectedException;
import io.muster.core.Result;
import io.muster.core.ResultCodec;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.springframework.stereotype.Component;

/**
 * What every feature writes and reads through, on any node: typed, authored writes that replicate
 * through the {@link Consensus} underneath, and reads of this node's {@link ReplicatedState} at the
 * consistency asked for.
 *
 * <p>Thread-safe; calls block the calling (request) thread, for at most the write or read timeout. A
 * read with a {@code minRevision} this node has not applied does not wait: the API waits for
 * {@link #applied} without a thread first ({@code io.muster.wait.MinRevisionFilter}).
 */
@Component
public class Gateway {

    private final Consensus consensus;
    private final ReplicatedState state;
    private final CommandAuthor author;

    public Gateway(Consensus consensus, ReplicatedState state, CommandAuthor author) {
        this.consensus = consensus;
        this.state = state;
        this.author = author;
    }

    /**
     * A client's write: replicates {@code command}, authored by the caller of the current request (the
     * {@link CommandAuthor} names it, or refuses the command), and returns the result it declares. A
     * write outside any request is a programming error and fails closed (the author throws): nothing
     * goes out with Muster's own rights by accident.
     *
     * @throws RejectedException                    when the store rejected it
     * @throws GatewayException.FeatureNotEnabled  when the command needs a higher cluster version
     * @throws GatewayException.ProposalRefused    when the leader refused it (nothing was logged)
     * @throws GatewayException.WriteOutcomeUnknown when no answer came in time (it may still commit)
     */
    public <R extends Result, C extends Command & Command.Returns<R>> R write(C command) {
        requireEnabled(command);
        return accepted(propose(author.author(command)));
    }

    /**
     * As {@link #write}, but the write waits on a thread of {@code executor}: the command is authored
     * here, on the calling (request) thread, whose caller it names, and that thread is free at once.
     * For requests that must not hold a server thread while a write commits (a lock acquisition among
     * hundreds). The future fails with what {@link #write} would throw.
     */
    public <R extends Result, C extends Command & Command.Returns<R>> CompletableFuture<R> writeFrom(Executor executor,
            C command) {
        requireEnabled(command);
        Command authored = author.author(command);
        return CompletableFuture.supplyAsync(() -> accepted(propose(authored)), executor);
    }

    /**
     * Muster's own write (lease expiry, the bootstrap token, the desired voters, undoing a lock wait):
     * proposed without an author, with the rights of the cluster itself, whatever thread it runs on.
     * Like a client's, it waits for the cluster version its command needs.
     *
     * @throws GatewayException.FeatureNotEnabled when a member may not be able to apply it yet
     * @throws RejectedException when the store rejected it
     */
    public <R extends Result, C extends Command & Command.Returns<R>> R writeAsMuster(C command) {
        if (!(command instanceof Command.RaiseClusterVersion)) {
            // A raise is what lifts the gate, proposed only once every member supports its level.
            requireEnabled(command);
        }
        return accepted(propose(command));
    }

    /**
     * Refuses a client's command that some member may not be able to apply: one of a feature level above
     * the cluster version this node has applied (a node that lags behind a raise refuses a little
     * longer; nothing is ever proposed that a member cannot decode).
     */
    private void requireEnabled(Command command) {
        int required = ClusterVersion.required(command);
        if (required > ClusterVersion.BASELINE) {
            int clusterVersion = state.clusterVersion();
            if (required > clusterVersion) {
                throw new GatewayException.FeatureNotEnabled(required, clusterVersion);
            }
        }
    }

    private Result propose(Command authored) {
        return ResultCodec.decode(consensus.propose(CommandCodec.encodeCommand(authored)));
    }

    @SuppressWarnings("unchecked") // each command declares its result type; SimulationTest checks apply keeps to it
    private static <R extends Result> R accepted(Result result) {
        if (result instanceof Rejected rejected) {
            throw new RejectedException(rejected);
        }
        return (R) result;
    }

    /** Whether {@link #askLeader} would be answered in process: this node leads and answers leader queries. */
    public boolean leaderIsLocal() {
        return consensus.leaderIsLocal();
    }

    /**
     * Asks the leader a {@link LeaderQueries} question without touching the log: answered in process
     * when this node leads, otherwise sent to the leader, which alone answers (retried within the read
     * timeout).
     *
     * @throws GatewayException.ReadUnavailable when no leader answered
     */
    public byte[] askLeader(byte[] query) {
        return consensus.askLeader(query);
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
            consensus.readBarrier();
        }
        return state.read(store -> new Reading<>(reader.apply(store), store.revision()));
    }

    /** The revision this node has applied. */
    public long appliedRevision() {
        return state.appliedIndex().get();
    }

    /**
     * Completes (with the revision then applied) once this node has applied {@code revision}. It
     * completes on the apply thread, so what follows must be quick or go elsewhere; it never fails or
     * times out on its own.
     */
    public CompletableFuture<Long> applied(long revision) {
        return state.appliedIndex().await(revision);
    }
}
