package io.muster.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves that a batch of client writes applies each member as it would apply alone at the entry's
 * index: its own authorization, precondition, idempotency and result, one revision for all; and that
 * the rules refuse batches that would change one thing twice at one revision.
 */
class BatchTest {

    private static final Stamp STAMP = new Stamp(1_000, 10);

    private final KvStore store = new KvStore();
    private long index;

    @Test
    void membersApplyInOrderAtTheEntrysRevisionEachWithItsOwnResult() {
        apply(put("", "b", "old"));
        Result result = apply(new Command.Batch(List.of(put("", "a", "1"), put("", "b", "2"), delete("", "c"))));

        assertThat(result).isEqualTo(new BatchResult(4, List.of(new PutResult(4, "a", 4, 4, 1, true),
                new PutResult(4, "b", 2, 4, 2, false), new DeleteResult(4, "c", false, 0))));
        assertThat(store.revision()).isEqualTo(4);
        assertThat(new String(store.get("b").value(), UTF_8)).isEqualTo("2");
        assertThat(store.get("a").modRevision()).isEqualTo(4);
    }

    @Test
    void aMemberThatFailsItsPreconditionOrPermissionIsRefusedAloneAndTheOthersApply() {
        apply(new Command.CreateToken("reader", GoldenCases.hash(1), Role.READER, List.of(), false));
        apply(put("", "a", "1"));
        Command stale = new Command.Authored("", "r", new Command.Put("a", "x".getBytes(UTF_8), "text/plain", 99));

        BatchResult result = (BatchResult) apply(new Command.Batch(List.of(stale, put("reader", "b", "1"),
                put("", "c", "1"))));

        assertThat(result.results().get(0)).isInstanceOfSatisfying(Rejected.class,
                rejected -> assertThat(rejected.reason()).isEqualTo(Rejected.Reason.PRECONDITION_FAILED));
        assertThat(result.results().get(1)).isInstanceOfSatisfying(Rejected.class,
                rejected -> assertThat(rejected.reason()).isEqualTo(Rejected.Reason.PERMISSION_DENIED));
        assertThat(result.results().get(2)).isInstanceOf(PutResult.class);
        assertThat(new String(store.get("a").value(), UTF_8)).isEqualTo("1");
        assertThat(store.get("b")).isNull();
        assertThat(store.get("c")).isNotNull();
    }

    @Test
    void anIdempotentMemberSentAgainLaterGetsItsFirstResult() {
        Command keyed = new Command.Authored("", "r1", "key-1", 60_000,
                new Command.Put("a", "1".getBytes(UTF_8), "text/plain", Command.ANY));
        BatchResult first = (BatchResult) apply(new Command.Batch(List.of(keyed, put("", "b", "1"))));

        Result again = apply(keyed);

        assertThat(again).isEqualTo(first.results().get(0));
        assertThat(store.get("a").version()).isEqualTo(1);
    }

    @Test
    void theSameBatchGivesTheSameStateOnEveryReplica() {
        KvStore other = new KvStore();
        Command.Batch batch = new Command.Batch(List.of(put("", "a", "1"), put("", "b", "2")));
        store.apply(5, STAMP, batch);
        other.apply(5, STAMP, CommandCodec.decodeCommand(CommandCodec.encodeCommand(batch)));

        assertThat(ContentDigest.of(other)).isEqualTo(ContentDigest.of(store));
        assertThat(SnapshotCodec.digest(other)).isEqualTo(SnapshotCodec.digest(store));
    }

    @Test
    void aBatchThatBreaksTheRulesIsRefusedWholeAndChangesNothing() {
        String before = ContentDigest.of(store);
        Result twice = apply(new Command.Batch(List.of(put("", "a", "1"), put("", "a", "2"))));

        assertThat(twice).isInstanceOfSatisfying(Rejected.class, rejected -> {
            assertThat(rejected.reason()).isEqualTo(Rejected.Reason.INVALID_COMMAND);
            assertThat(rejected.detail()).isEqualTo("commands[1]: key 'a' is written twice in one batch");
        });
        assertThat(store.get("a")).isNull();
        assertThat(ContentDigest.of(store)).isEqualTo(before);
    }

    @Test
    void rulesAcceptOnlyAuthoredPutsAndDeletesOfDistinctKeysAndIdempotencyKeys() {
        assertThat(CommandRules.problem(new Command.Batch(List.of(put("", "a", "1")))))
                .isEqualTo("a batch has 2..256 commands but had 1");
        assertThat(CommandRules.problem(new Command.Batch(List.of(put("", "a", "1"),
                new Command.Authored("", "r", new Command.GrantLease(10_000))))))
                .isEqualTo("commands[1]: only authored puts and deletes can be batched");
        assertThat(CommandRules.problem(new Command.Batch(List.of(put("", "a", "1"),
                new Command.Put("b", new byte[0], "text/plain", Command.ANY)))))
                .isEqualTo("commands[1]: only authored puts and deletes can be batched");
        assertThat(CommandRules.problem(new Command.Batch(List.of(put("", "a", "1"), delete("", "a")))))
                .isEqualTo("commands[1]: key 'a' is written twice in one batch");
        assertThat(CommandRules.problem(new Command.Batch(List.of(put("", "a", "1"), put("", "bad key\n", "1")))))
                .startsWith("commands[1]: ");
        Command.Put value = new Command.Put("x", new byte[0], "text/plain", Command.ANY);
        assertThat(CommandRules.problem(new Command.Batch(List.of(new Command.Authored("p", "1", "k", 1_000, value),
                new Command.Authored("p", "2", "k", 1_000, new Command.Delete("y", Command.ANY))))))
                .isEqualTo("commands[1]: Idempotency-Key 'k' is used twice in one batch");
        assertThat(CommandRules.problem(new Command.Batch(List.of(new Command.Authored("p", "1", "k", 1_000, value),
                new Command.Authored("q", "2", "k", 1_000, new Command.Delete("y", Command.ANY))))))
                .as("one key of two principals").isNull();
        List<Command> tooMany = new ArrayList<>();
        for (int i = 0; i <= Command.Batch.MAX_COMMANDS; i++) {
            tooMany.add(put("", "k" + i, "v"));
        }
        assertThat(CommandRules.problem(new Command.Batch(tooMany))).isEqualTo("a batch has 2..256 commands but had 257");
    }

    @Test
    void limitsApplyToEachMemberAndToTheWholeEncoding() {
        Command.Batch batch = new Command.Batch(List.of(put("", "a", "12345"), put("", "b", "1")));
        int bytes = CommandCodec.encodeCommand(batch).length;

        assertThat(CommandRules.limitProblem(batch, bytes, 4, 128, 1 << 20)).isEqualTo("value is 5 bytes; the limit is 4");
        assertThat(CommandRules.limitProblem(batch, bytes, 5, 128, bytes - 1))
                .isEqualTo("request encodes to " + bytes + " bytes; the limit is " + (bytes - 1));
        assertThat(CommandRules.limitProblem(batch, bytes, 5, 128, bytes)).isNull();
    }

    @Test
    void aBatchEncodedFromItsMembersBytesIsTheBatchsOwnEncoding() {
        List<Command> members = List.of(put("p", "a", "1"), delete("q", "b"),
                new Command.Authored("p", "r", "key", 5_000, new Command.Put("c", new byte[300], "x/y", 4, 7)));
        List<byte[]> encoded = members.stream().map(CommandCodec::encodeCommand).toList();

        byte[] bytes = CommandCodec.encodeBatch(encoded);

        assertThat(bytes).isEqualTo(CommandCodec.encodeCommand(new Command.Batch(members)));
        assertThat(CommandCodec.decodeCommand(bytes)).isEqualTo(new Command.Batch(members));
    }

    @Test
    void aBatchInsideABatchOrUnderAnAuthorDoesNotDecode() {
        byte[] inner = CommandCodec.encodeCommand(new Command.Batch(List.of(put("", "a", "1"), put("", "b", "1"))));
        byte[] nested = CommandCodec.encodeBatch(List.of(inner, CommandCodec.encodeCommand(put("", "c", "1"))));
        byte[] authored = CommandCodec.encodeCommand(put("", "d", "1"));
        byte[] authoredBatch = new byte[3 + inner.length];
        authoredBatch[0] = (byte) CommandCodec.TAG_AUTHORED;
        System.arraycopy(inner, 0, authoredBatch, 3, inner.length);

        assertThat(authored[0]).isEqualTo((byte) CommandCodec.TAG_AUTHORED);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CommandCodec.decodeCommand(nested))
                .isInstanceOf(UndecodableException.class).hasMessage("a batch holds another");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CommandCodec.decodeCommand(authoredBatch))
                .isInstanceOf(UndecodableException.class).hasMessage("an authored command wraps another");
    }

    @Test
    void aBatchResultRoundTripsWithEveryMembersResult() {
        BatchResult result = new BatchResult(9, List.of(new PutResult(9, "a", 9, 9, 1, true),
                new Rejected(9, Rejected.Reason.PRECONDITION_FAILED, "b", 3, "expected modRevision 1 but 'b' has 3"),
                new DeleteResult(9, "c", true, 4)));

        assertThat(ResultCodec.decode(ResultCodec.encode(result))).isEqualTo(result);
    }

    private Result apply(Command command) {
        index += 2;
        return store.apply(index, STAMP, command);
    }

    private static Command put(String principal, String key, String value) {
        return new Command.Authored(principal, "req-" + key, new Command.Put(key, value.getBytes(UTF_8), "text/plain",
                Command.ANY));
    }

    private static Command delete(String principal, String key) {
        return new Command.Authored(principal, "req-" + key, new Command.Delete(key, Command.ANY));
    }
}
