package io.muster.raft;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.core.BatchResult;
import io.muster.core.Command;
import io.muster.core.CommandCodec;
import io.muster.core.DeleteResult;
import io.muster.core.PutResult;
import io.muster.core.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the group commit: a lone write goes at once and alone; writes that wait for a busy slot go
 * together, each with its own result; a batch never holds one key twice; a refused batch sends each
 * member again alone; an unknown outcome is every member's. The proposer is a fake that records what
 * it was asked and can be held, standing in for Raft at the Gateway's seam.
 */
class ProposalBatcherTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
    private final HeldProposer proposer = new HeldProposer();

    @AfterEach
    void stopThreads() {
        proposer.releaseAll();
        threads.shutdownNow();
    }

    @Test
    void aLoneWriteIsProposedAtOnceAndAlone() {
        proposer.holdNone();
        ProposalBatcher batcher = batcher(64, 2, 1 << 20);

        Result result = batcher.propose(put("a"), encode(put("a")));

        assertThat(result).isEqualTo(new PutResult(1, "a", 1, 1, 1, true));
        assertThat(proposer.proposed).containsExactly(put("a"));
        assertThat(sizes).containsExactly(1);
    }

    @Test
    void writesThatWaitForABusySlotGoAsOneBatchEachWithItsOwnResult() throws Exception {
        ProposalBatcher batcher = batcher(64, 1, 1 << 20);
        Future<Result> first = threads.submit(() -> batcher.propose(put("first"), encode(put("first"))));
        proposer.awaitHeld(1);
        List<Future<Result>> waiting = new ArrayList<>();
        for (String key : List.of("a", "b", "c")) {
            waiting.add(threads.submit(() -> batcher.propose(put(key), encode(put(key)))));
        }
        Future<Result> deleted = threads.submit(() -> batcher.propose(delete("d"), encode(delete("d"))));
        awaitQueued(batcher, 4);

        proposer.holdNone();
        proposer.releaseAll();

        assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(PutResult.class);
        for (int i = 0; i < 3; i++) {
            assertThat(waiting.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo(new PutResult(2, List.of("a", "b", "c").get(i), 2, 2, 1, true));
        }
        assertThat(deleted.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(new DeleteResult(2, "d", false, 0));
        assertThat(proposer.proposed).hasSize(2);
        assertThat(proposer.proposed.get(1)).isInstanceOfSatisfying(Command.Batch.class,
                batch -> assertThat(batch.commands()).hasSize(4));
        assertThat(sizes).containsExactly(1, 4);
    }

    @Test
    void aSecondWriteOfAKeyWaitsForTheNextBatch() throws Exception {
        ProposalBatcher batcher = batcher(64, 1, 1 << 20);
        Future<Result> first = threads.submit(() -> batcher.propose(put("first"), encode(put("first"))));
        proposer.awaitHeld(1);
        Future<Result> a1 = threads.submit(() -> batcher.propose(put("a"), encode(put("a"))));
        awaitQueued(batcher, 1);
        Future<Result> b = threads.submit(() -> batcher.propose(put("b"), encode(put("b"))));
        awaitQueued(batcher, 2);
        Future<Result> a2 = threads.submit(() -> batcher.propose(put("a"), encode(put("a"))));
        awaitQueued(batcher, 3);

        proposer.holdNone();
        proposer.releaseAll();
        for (Future<Result> write : List.of(first, a1, b, a2)) {
            assertThat(write.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(PutResult.class);
        }

        assertThat(proposer.proposed).hasSize(3);
        assertThat(((Command.Batch) proposer.proposed.get(1)).commands()).containsExactly(put("a"), put("b"));
        assertThat(proposer.proposed.get(2)).isEqualTo(put("a"));
    }

    @Test
    void batchesStopAtTheSizeAndByteLimits() throws Exception {
        int oneWrite = encode(put("k0")).length + 8;
        ProposalBatcher batcher = batcher(3, 1, 8 + oneWrite * 2);
        Future<Result> first = threads.submit(() -> batcher.propose(put("first"), encode(put("first"))));
        proposer.awaitHeld(1);
        List<Future<Result>> waiting = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String key = "k" + i;
            waiting.add(threads.submit(() -> batcher.propose(put(key), encode(put(key)))));
            awaitQueued(batcher, i + 1);
        }

        proposer.holdNone();
        proposer.releaseAll();
        first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        for (Future<Result> write : waiting) {
            assertThat(write.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(PutResult.class);
        }

        assertThat(sizes).containsExactly(1, 2, 2, 1);
    }

    @Test
    void aBatchTheLeaderRefusesIsSentAgainOneByOneSoOnlyTheCulpritIsRefused() throws Exception {
        proposer.refuseKey("bad");
        ProposalBatcher batcher = batcher(64, 1, 1 << 20);
        Future<Result> first = threads.submit(() -> batcher.propose(put("first"), encode(put("first"))));
        proposer.awaitHeld(1);
        Future<Result> good = threads.submit(() -> batcher.propose(put("good"), encode(put("good"))));
        awaitQueued(batcher, 1);
        Future<Result> bad = threads.submit(() -> batcher.propose(put("bad"), encode(put("bad"))));
        awaitQueued(batcher, 2);

        proposer.holdNone();
        proposer.releaseAll();

        first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(good.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(PutResult.class);
        assertThatThrownBy(() -> bad.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .hasCauseInstanceOf(GatewayException.ProposalRefused.class);
        assertThat(proposer.proposed).hasSize(4);
        assertThat(proposer.proposed.subList(2, 4)).containsExactlyInAnyOrder(put("good"), put("bad"));
    }

    @Test
    void whenABatchsOutcomeIsUnknownEveryMembersIs() throws Exception {
        ProposalBatcher batcher = batcher(64, 1, 1 << 20);
        Future<Result> first = threads.submit(() -> batcher.propose(put("first"), encode(put("first"))));
        proposer.awaitHeld(1);
        Future<Result> a = threads.submit(() -> batcher.propose(put("a"), encode(put("a"))));
        awaitQueued(batcher, 1);
        Future<Result> b = threads.submit(() -> batcher.propose(put("b"), encode(put("b"))));
        awaitQueued(batcher, 2);
        proposer.failBatches();

        proposer.holdNone();
        proposer.releaseAll();

        first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        for (Future<Result> write : List.of(a, b)) {
            assertThatThrownBy(() -> write.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .hasCauseInstanceOf(GatewayException.WriteOutcomeUnknown.class);
        }
        assertThat(proposer.proposed).hasSize(2);
    }

    @Test
    void commandsThatCannotBeBatchedAndBatchingTurnedOffGoAlone() {
        proposer.holdNone();
        Command grant = new Command.Authored("", "r", new Command.GrantLease(10_000));
        proposer.answer(grant, new io.muster.core.LeaseGranted(1, new io.muster.core.Lease(1, 10_000, 11_000)));

        batcher(64, 2, 1 << 20).propose(grant, encode(grant));
        batcher(1, 2, 1 << 20).propose(put("a"), encode(put("a")));

        assertThat(proposer.proposed).containsExactly(grant, put("a"));
        assertThat(sizes).containsExactly(1, 1);
    }

    @Test
    void aWriteThatFindsNoSlotWithinItsPatienceGivesUpUnproposed() throws Exception {
        ProposalBatcher batcher = new ProposalBatcher(proposer, 64, 1, 1 << 20, Duration.ofMillis(200), sizes::add);
        Future<Result> first = threads.submit(() -> batcher.propose(put("first"), encode(put("first"))));
        proposer.awaitHeld(1);

        assertThatThrownBy(() -> batcher.propose(put("late"), encode(put("late"))))
                .isInstanceOf(GatewayException.WriteOutcomeUnknown.class).hasMessageContaining("was not proposed");

        assertThat(batcher.queued()).isZero();
        proposer.holdNone();
        proposer.releaseAll();
        first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(proposer.proposed).containsExactly(put("first"));
    }

    private ProposalBatcher batcher(int maxCommands, int inFlight, int maxBytes) {
        return new ProposalBatcher(proposer, maxCommands, inFlight, maxBytes, WAIT, sizes::add);
    }

    private static void awaitQueued(ProposalBatcher batcher, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (batcher.queued() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never " + count + " queued writes; " + batcher.queued());
            }
            Thread.sleep(1);
        }
    }

    private static Command put(String key) {
        return new Command.Authored("", "req", new Command.Put(key, "v".getBytes(UTF_8), "text/plain", Command.ANY));
    }

    private static Command delete(String key) {
        return new Command.Authored("", "req", new Command.Delete(key, Command.ANY));
    }

    private static byte[] encode(Command command) {
        return CommandCodec.encodeCommand(command);
    }

    /**
     * Applies puts and deletes as new keys at consecutive revisions (a batch at one), optionally holding
     * each call until released, refusing batches that hold a key, or failing batches.
     */
    private static final class HeldProposer implements ProposalBatcher.Proposer {
        final List<Command> proposed = Collections.synchronizedList(new ArrayList<>());
        private final BlockingQueue<CountDownLatch> held = new LinkedBlockingQueue<>();
        private final Map<Command, Result> answers = new ConcurrentHashMap<>();
        private volatile boolean holding = true;
        private volatile String refusedKey;
        private volatile boolean failBatches;
        private long revision;

        @Override
        public Result propose(Command command, byte[] encoded) {
            assertThat(CommandCodec.decodeCommand(encoded)).isEqualTo(command);
            proposed.add(command);
            if (holding) {
                CountDownLatch latch = new CountDownLatch(1);
                held.add(latch);
                try {
                    latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (answers.containsKey(command)) {
                return answers.get(command);
            }
            if (command instanceof Command.Batch batch) {
                if (failBatches) {
                    throw new GatewayException.WriteOutcomeUnknown("no commit confirmed", null);
                }
                if (batch.commands().stream().anyMatch(member -> Command.Batch.keyOf(member).equals(refusedKey))) {
                    throw new GatewayException.ProposalRefused("value too large", null);
                }
                long at = next();
                return new BatchResult(at, batch.commands().stream().map(member -> single(member, at)).toList());
            }
            if (Command.Batch.batchable(command) && Command.Batch.keyOf(command).equals(refusedKey)) {
                throw new GatewayException.ProposalRefused("value too large", null);
            }
            return single(command, next());
        }

        private synchronized long next() {
            return ++revision;
        }

        private static Result single(Command command, long at) {
            Command plain = Command.Authored.unwrap(command);
            if (plain instanceof Command.Delete delete) {
                return new DeleteResult(at, delete.key(), false, 0);
            }
            return new PutResult(at, ((Command.Put) plain).key(), at, at, 1, true);
        }

        void answer(Command command, Result result) {
            answers.put(command, result);
        }

        void awaitHeld(int count) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (held.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the proposer was never called " + count + " times");
                }
                Thread.sleep(1);
            }
        }

        void holdNone() {
            holding = false;
        }

        void releaseAll() {
            held.forEach(CountDownLatch::countDown);
        }

        void refuseKey(String key) {
            refusedKey = key;
        }

        void failBatches() {
            failBatches = true;
        }
    }
}
