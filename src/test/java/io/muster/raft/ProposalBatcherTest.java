package io.muster.raft;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.core.BatchResult;
import io.muster.core.Command;
import io.muster.core.PutResult;
import io.muster.core.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * Proves how the batcher groups writes: a lone write leaves at once; writes that arrive while the
 * pipe is full leave together; two writes on one key never share an entry; sizes are bounded; and
 * each caller gets its own result or the entry's failure.
 */
class ProposalBatcherTest {

    private final List<Command> proposed = new ArrayList<>();
    private final List<CompletableFuture<Result>> replies = new ArrayList<>();
    private final ProposalBatcher batcher = new ProposalBatcher(entry -> {
        CompletableFuture<Result> reply = new CompletableFuture<>();
        proposed.add(entry);
        replies.add(reply);
        return reply;
    }, 1_000, Runnable::run);

    private static Command.Put put(String key) {
        return new Command.Put(key, "v".getBytes(UTF_8), "text/plain", Command.ANY);
    }

    private void fillThePipe() {
        for (int i = 0; i < ProposalBatcher.MAX_IN_FLIGHT; i++) {
            batcher.propose(put("fill/" + i), 20);
        }
    }

    @Test
    void aLoneWriteLeavesAtOnceAndAlone() throws Exception {
        CompletableFuture<Result> own = batcher.propose(put("a"), 20);

        assertThat(proposed).containsExactly(put("a"));
        replies.get(0).complete(new PutResult(7, "a", 7, 7, 1, true));
        assertThat(own.get()).isEqualTo(new PutResult(7, "a", 7, 7, 1, true));
    }

    @Test
    void writesArrivingWhileThePipeIsFullLeaveTogetherAndGetTheirOwnResults() throws Exception {
        fillThePipe();
        CompletableFuture<Result> a = batcher.propose(put("a"), 20);
        CompletableFuture<Result> b = batcher.propose(put("b"), 20);
        assertThat(proposed).hasSize(ProposalBatcher.MAX_IN_FLIGHT);

        replies.get(0).complete(new PutResult(1, "fill/0", 1, 1, 1, true));

        assertThat(proposed.get(ProposalBatcher.MAX_IN_FLIGHT)).isEqualTo(new Command.Batch(List.of(put("a"), put("b"))));
        replies.get(ProposalBatcher.MAX_IN_FLIGHT).complete(new BatchResult(9, List.of(
                new PutResult(9, "a", 9, 9, 1, true), new PutResult(9, "b", 9, 9, 1, true))));
        assertThat(a.get()).isEqualTo(new PutResult(9, "a", 9, 9, 1, true));
        assertThat(b.get()).isEqualTo(new PutResult(9, "b", 9, 9, 1, true));
    }

    @Test
    void twoWritesOnOneKeyNeverShareAnEntry() {
        fillThePipe();
        batcher.propose(put("same"), 20);
        batcher.propose(put("other"), 20);
        batcher.propose(put("same"), 20);

        replies.get(0).complete(new PutResult(1, "fill/0", 1, 1, 1, true));
        replies.get(1).complete(new PutResult(2, "fill/1", 2, 2, 1, true));

        List<Command> batches = proposed.subList(ProposalBatcher.MAX_IN_FLIGHT, proposed.size());
        assertThat(batches).containsExactly(new Command.Batch(List.of(put("same"), put("other"))), put("same"));
    }

    @Test
    void aBatchStaysWithinTheByteLimit() {
        fillThePipe();
        for (int i = 0; i < 5; i++) {
            batcher.propose(put("big/" + i), 400);
        }

        replies.get(0).complete(new PutResult(1, "fill/0", 1, 1, 1, true));

        Command.Batch first = (Command.Batch) proposed.get(ProposalBatcher.MAX_IN_FLIGHT);
        assertThat(first.commands()).hasSize(2);
    }

    @Test
    void aFailedEntryFailsEveryWriteItCarried() {
        fillThePipe();
        CompletableFuture<Result> a = batcher.propose(put("a"), 20);
        CompletableFuture<Result> b = batcher.propose(put("b"), 20);
        replies.get(0).complete(new PutResult(1, "fill/0", 1, 1, 1, true));

        replies.get(ProposalBatcher.MAX_IN_FLIGHT).completeExceptionally(new IllegalStateException("no quorum"));

        for (CompletableFuture<Result> own : List.of(a, b)) {
            assertThat(own).isCompletedExceptionally();
            try {
                own.get();
            } catch (ExecutionException | InterruptedException e) {
                assertThat(e).hasRootCauseMessage("no quorum");
            }
        }
    }
}
