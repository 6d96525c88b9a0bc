package io.muster.raft;

import io.muster.core.BatchResult;
import io.muster.core.Command;
import io.muster.core.CommandCodec;
import io.muster.core.Rejected;
import io.muster.core.Result;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for client writes: while {@code inFlight} proposals of this node are being replicated,
 * later puts and deletes queue up, and the next request thread to get a slot proposes everything
 * queued as one {@link Command.Batch} entry. One entry costs Ratis the same whether it holds one write
 * or sixty-four (a client request, a log record, an append to each follower, a reply), so under load
 * the cost per write falls with the batch; a write that finds a slot free goes at once, alone, and
 * never waits for company.
 *
 * <p>A batch takes queued writes in arrival order and stops before a second write of a key or of a
 * principal's idempotency key (a batch never changes one thing twice at one revision), before the
 * command size limit, or at {@code maxCommands}. Each member gets its own result. When the leader
 * refuses the batch before logging it (a member broke a limit), each member is proposed again alone,
 * on its own request thread, so that only the culprit is refused. When the batch's outcome is unknown,
 * every member's is.
 *
 * <p>No threads of its own: the request threads that wait take turns proposing. Thread-safe.
 */
final class ProposalBatcher {

    /** The Gateway's way of proposing one command (batch or not) as one entry. */
    @FunctionalInterface
    interface Proposer {
        /** Replicates {@code command}; throws a {@link GatewayException} when it was refused or its outcome is unknown. */
        Result propose(Command command, byte[] encoded);
    }

    private final Proposer proposer;
    private final int maxCommands;
    private final int maxInFlight;
    private final int maxBytes;
    private final Duration patience;
    private final BatchSizes sizes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition turn = lock.newCondition();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int inFlight;

    /**
     * @param maxBytes the largest encoded batch (the leader's command size limit)
     * @param patience how long a queued write waits for a slot before it gives up without being proposed
     */
    ProposalBatcher(Proposer proposer, int maxCommands, int maxInFlight, int maxBytes, Duration patience,
            BatchSizes sizes) {
        this.proposer = proposer;
        this.maxCommands = Math.min(maxCommands, Command.Batch.MAX_COMMANDS);
        this.maxInFlight = maxInFlight;
        this.maxBytes = maxBytes;
        this.patience = patience;
        this.sizes = sizes;
    }

    /** Observes how many writes each proposal carried. */
    @FunctionalInterface
    interface BatchSizes {
        void proposed(int commands);
    }

    /**
     * Proposes {@code command} (already authored, encoded as {@code encoded}), in a batch when it may
     * be one and others are waiting, and returns its own result.
     */
    Result propose(Command command, byte[] encoded) {
        if (maxCommands < 2 || !Command.Batch.batchable(command)) {
            sizes.proposed(1);
            return proposer.propose(command, encoded);
        }
        Pending mine = new Pending(command, encoded);
        long deadline = System.nanoTime() + patience.toNanos();
        lock.lock();
        try {
            queue.add(mine);
            while (!mine.done) {
                if (inFlight < maxInFlight) {
                    List<Pending> batch = take();
                    inFlight++;
                    lock.unlock();
                    try {
                        run(batch);
                    } finally {
                        lock.lock();
                        inFlight--;
                        batch.forEach(pending -> pending.done = true);
                        turn.signalAll();
                    }
                } else if (!awaitTurn(deadline)) {
                    queue.remove(mine);
                    throw new GatewayException.WriteOutcomeUnknown("no proposal slot within " + patience
                            + "; the write was not proposed", null);
                }
            }
        } finally {
            lock.unlock();
        }
        if (mine.alone) {
            sizes.proposed(1);
            return proposer.propose(command, encoded);
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
        return mine.result;
    }

    private boolean awaitTurn(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        try {
            turn.awaitNanos(left);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException.WriteOutcomeUnknown("interrupted while waiting to propose", e);
        }
    }

    /** Takes the next batch off the queue, oldest first; called under the lock with a non-empty queue. */
    private List<Pending> take() {
        List<Pending> batch = new ArrayList<>(Math.min(queue.size(), maxCommands));
        Set<String> keys = new HashSet<>();
        Set<String> idempotencyKeys = new HashSet<>();
        int bytes = 8;
        while (!queue.isEmpty() && batch.size() < maxCommands) {
            Pending next = queue.peek();
            Command.Authored authored = (Command.Authored) next.command;
            boolean fits = batch.isEmpty() || (bytes + next.encoded.length + 8 <= maxBytes
                    && !keys.contains(Command.Batch.keyOf(authored))
                    && !(authored.idempotent() && idempotencyKeys.contains(idempotencySlot(authored))));
            if (!fits) {
                break;
            }
            queue.poll();
            batch.add(next);
            keys.add(Command.Batch.keyOf(authored));
            if (authored.idempotent()) {
                idempotencyKeys.add(idempotencySlot(authored));
            }
            bytes += next.encoded.length + 8;
        }
        return batch;
    }

    private static String idempotencySlot(Command.Authored authored) {
        return authored.principal() + '\n' + authored.idempotencyKey();
    }

    /** Proposes {@code batch} and records each member's outcome; never throws. */
    private void run(List<Pending> batch) {
        sizes.proposed(batch.size());
        if (batch.size() == 1) {
            Pending only = batch.get(0);
            try {
                only.result = proposer.propose(only.command, only.encoded);
            } catch (RuntimeException e) {
                only.failure = e;
            }
            return;
        }
        List<Command> members = new ArrayList<>(batch.size());
        List<byte[]> encoded = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            members.add(pending.command);
            encoded.add(pending.encoded);
        }
        Result result;
        try {
            result = proposer.propose(new Command.Batch(members), CommandCodec.encodeBatch(encoded));
        } catch (GatewayException.ProposalRefused refused) {
            // refused before it was logged: nothing applied; each goes alone and gets its own answer
            batch.forEach(pending -> pending.alone = true);
            return;
        } catch (RuntimeException e) {
            batch.forEach(pending -> pending.failure = e);
            return;
        }
        if (result instanceof BatchResult results && results.results().size() == batch.size()) {
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result = results.results().get(i);
            }
        } else if (result instanceof Rejected rejected) {
            // apply refused the batch as a whole (the same rules the leader checked): nothing changed
            batch.forEach(pending -> pending.result = rejected);
        } else {
            IllegalStateException broken = new IllegalStateException("a batch of " + batch.size()
                    + " writes was answered with " + result);
            batch.forEach(pending -> pending.failure = broken);
        }
    }

    /** One queued write; its outcome fields are written before {@code done} is set under the lock. */
    private static final class Pending {
        final Command command;
        final byte[] encoded;
        boolean done;
        boolean alone;
        Result result;
        RuntimeException failure;

        Pending(Command command, byte[] encoded) {
            this.command = command;
            this.encoded = encoded;
        }
    }

    /** For tests: how many writes wait for a slot. */
    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }
}
