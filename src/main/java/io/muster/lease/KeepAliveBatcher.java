package io.muster.lease;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Forwards a follower's keep-alives to the leader in batches: while one batch is on its way, the
 * keep-alives that arrive wait for the next, which leaves as soon as the first is answered. Under load
 * the leader answers one request per round trip instead of one per keep-alive (etcd streams its
 * keep-alives for the same reason); alone, a keep-alive leaves at once.
 *
 * <p>Thread-safe. Rounds run one at a time on {@code sender}.
 */
final class KeepAliveBatcher {

    private final Function<List<Long>, List<LeaseQuery.Answer>> leader;
    private final Executor sender;
    private List<Pending> queued = new ArrayList<>();
    private boolean inFlight;

    private record Pending(long id, CompletableFuture<LeaseQuery.Answer> answer) {
    }

    /**
     * @param leader asks the leader to keep the given leases alive, answering in the same order
     *               (blocking; may throw, which fails the whole batch)
     */
    KeepAliveBatcher(Function<List<Long>, List<LeaseQuery.Answer>> leader, Executor sender) {
        this.leader = leader;
        this.sender = sender;
    }

    /** Completes with the leader's answer for lease {@code id}. */
    CompletableFuture<LeaseQuery.Answer> keepAlive(long id) {
        CompletableFuture<LeaseQuery.Answer> answer = new CompletableFuture<>();
        boolean start;
        synchronized (this) {
            queued.add(new Pending(id, answer));
            start = !inFlight;
            inFlight = true;
        }
        if (start) {
            sender.execute(this::rounds);
        }
        return answer;
    }

    /** Sends batches until nothing is queued. */
    private void rounds() {
        while (true) {
            List<Pending> batch;
            synchronized (this) {
                if (queued.isEmpty()) {
                    inFlight = false;
                    return;
                }
                if (queued.size() <= LeaseQuery.MAX_BATCH) {
                    batch = queued;
                    queued = new ArrayList<>();
                } else {
                    batch = new ArrayList<>(queued.subList(0, LeaseQuery.MAX_BATCH));
                    queued = new ArrayList<>(queued.subList(LeaseQuery.MAX_BATCH, queued.size()));
                }
            }
            send(batch);
        }
    }

    private void send(List<Pending> batch) {
        List<Long> ids = new ArrayList<>(batch.size());
        batch.forEach(pending -> ids.add(pending.id()));
        try {
            List<LeaseQuery.Answer> answers = leader.apply(ids);
            if (answers.size() != batch.size()) {
                throw new IllegalStateException("the leader answered " + answers.size() + " of " + batch.size()
                        + " keep-alives");
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).answer().complete(answers.get(i));
            }
        } catch (RuntimeException e) {
            batch.forEach(pending -> pending.answer().completeExceptionally(e));
        }
    }
}
