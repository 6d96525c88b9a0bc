package io.muster.raft;

import io.muster.core.BatchResult;
import io.muster.core.Command;
import io.muster.core.CommandRules;
import io.muster.core.Rejected;
import io.muster.core.Result;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Carries concurrent writes in shared log entries (group commit one level above Raft's).
 *
 * <p>Raft's cost is per log entry, not per key: a transaction of ten puts commits as fast as one put.
 * So while {@link #MAX_IN_FLIGHT} entries are on their way, new writes wait and then leave together
 * as one {@link Command.Batch}. A write that finds the pipe free leaves at once, alone, so a lone
 * client sees no added latency. Two writes touching the same key never share a batch: every key
 * still changes at most once per revision, and a compare-and-set on a modRevision keeps its meaning.
 *
 * <p>Thread-safe. An entry ends on whatever thread completes its reply (in Ratis, its state machine
 * updater), so results are delivered and the next entries proposed on {@code handoff} instead:
 * proposing from the updater thread would deadlock it.
 */
final class ProposalBatcher {

    /** Entries in flight before writes start to queue: keeps Raft pipelined while batches fill. */
    static final int MAX_IN_FLIGHT = 4;
    /** The most commands in one batch (each is validated again on apply). */
    static final int MAX_BATCH_COMMANDS = 256;

    private final Function<Command, CompletableFuture<Result>> proposer;
    private final int maxBatchBytes;
    private final Executor handoff;
    private final Deque<Pending> queue = new ArrayDeque<>();
    private int inFlight;

    /**
     * @param proposer      proposes one log entry and completes with the result of applying it
     * @param maxBatchBytes the largest encoded batch the leader accepts
     * @param handoff       runs what follows the end of an entry
     */
    ProposalBatcher(Function<Command, CompletableFuture<Result>> proposer, int maxBatchBytes, Executor handoff) {
        this.proposer = proposer;
        this.maxBatchBytes = maxBatchBytes;
        this.handoff = handoff;
    }

    /** Proposes {@code command} (encoded in {@code encodedBytes}) alone or in company; completes with its own result. */
    CompletableFuture<Result> propose(Command command, int encodedBytes) {
        Pending pending = new Pending(command, encodedBytes, CommandRules.touchedKeys(command), new CompletableFuture<>());
        synchronized (this) {
            queue.addLast(pending);
        }
        dispatch();
        return pending.result;
    }

    private void dispatch() {
        List<List<Pending>> ready = new ArrayList<>();
        synchronized (this) {
            while (inFlight < MAX_IN_FLIGHT && !queue.isEmpty()) {
                ready.add(takeBatch());
                inFlight++;
            }
        }
        ready.forEach(this::send);
    }

    /** The oldest waiting writes that fit together: disjoint keys, within the size limits. */
    private List<Pending> takeBatch() {
        List<Pending> batch = new ArrayList<>();
        TreeSet<String> touched = new TreeSet<>();
        int bytes = 0;
        for (Iterator<Pending> waiting = queue.iterator(); waiting.hasNext() && batch.size() < MAX_BATCH_COMMANDS; ) {
            Pending next = waiting.next();
            boolean fits = batch.isEmpty() || bytes + next.encodedBytes + 8 <= maxBatchBytes;
            if (fits && next.keys.stream().noneMatch(touched::contains)) {
                waiting.remove();
                batch.add(next);
                touched.addAll(next.keys);
                bytes += next.encodedBytes + 8;
            }
        }
        return batch;
    }

    private void send(List<Pending> batch) {
        Command entry = batch.size() == 1 ? batch.get(0).command
                : new Command.Batch(batch.stream().map(Pending::command).toList());
        CompletableFuture<Result> proposed;
        try {
            proposed = proposer.apply(entry);
        } catch (RuntimeException e) {
            proposed = CompletableFuture.failedFuture(e);
        }
        proposed.whenCompleteAsync((result, failure) -> {
            deliver(batch, result, failure);
            synchronized (this) {
                inFlight--;
            }
            dispatch();
        }, handoff);
    }

    private static void deliver(List<Pending> batch, Result result, Throwable failure) {
        for (int i = 0; i < batch.size(); i++) {
            CompletableFuture<Result> own = batch.get(i).result;
            if (failure != null) {
                own.completeExceptionally(failure);
            } else if (batch.size() == 1) {
                own.complete(result);
            } else if (result instanceof BatchResult carried) {
                own.complete(carried.results().get(i));
            } else if (result instanceof Rejected rejected) {
                own.complete(rejected);
            } else {
                own.completeExceptionally(new IllegalStateException("a batch answered " + result));
            }
        }
    }

    private record Pending(Command command, int encodedBytes, List<String> keys, CompletableFuture<Result> result) {
    }
}
