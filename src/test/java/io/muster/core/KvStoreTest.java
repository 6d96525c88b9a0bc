package io.muster.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Proves the store's write, delete, precondition, history, range and revision rules. */
class KvStoreTest {

    private final KvStore store = new KvStore();
    private long index;

    private Result apply(Command command) {
        return apply(new Stamp(1_000 + index, 3), command);
    }

    private Result apply(Stamp stamp, Command command) {
        index += 2; // log indexes are not contiguous: configuration and metadata entries sit between commands
        return store.apply(index, stamp, command).result();
    }

    private static Command.Put put(String key, String value) {
        return new Command.Put(key, value.getBytes(UTF_8), "text/plain", Command.ANY);
    }

    @Test
    void putCreatesThenUpdatesWithRevisionsFromTheLogIndex() {
        PutResult created = (PutResult) apply(put("a", "1"));
        PutResult updated = (PutResult) apply(put("a", "2"));

        assertThat(created).isEqualTo(new PutResult(2, "a", 2, 2, 1, true));
        assertThat(updated).isEqualTo(new PutResult(4, "a", 2, 4, 2, false));
        assertThat(store.get("a").value()).asString(UTF_8).isEqualTo("2");
        assertThat(store.revision()).isEqualTo(4);
    }

    @Test
    void createOnlyPutIsRejectedWhenTheKeyExistsAndChangesNothing() {
        apply(put("a", "1"));
        Result result = apply(new Command.Put("a", "2".getBytes(UTF_8), "text/plain", Command.ABSENT));

        assertThat(result).isEqualTo(new Rejected(4, Rejected.Reason.PRECONDITION_FAILED, "a", 2,
                "expected modRevision 0 but 'a' has 2"));
        assertThat(store.get("a").value()).asString(UTF_8).isEqualTo("1");
    }

    @Test
    void compareAndSetSucceedsOnlyAgainstTheCurrentModRevision() {
        apply(put("a", "1"));
        Result stale = apply(new Command.Put("a", "x".getBytes(UTF_8), "text/plain", 1));
        Result fresh = apply(new Command.Put("a", "y".getBytes(UTF_8), "text/plain", 2));

        assertThat(stale).isInstanceOf(Rejected.class);
        assertThat(((Rejected) stale).currentModRevision()).isEqualTo(2);
        assertThat(fresh).isInstanceOf(PutResult.class);
        assertThat(store.get("a").value()).asString(UTF_8).isEqualTo("y");
    }

    @Test
    void conditionalDeleteAndDeleteOfAnAbsentKey() {
        apply(put("a", "1"));
        Result wrong = apply(new Command.Delete("a", 7));
        Result right = apply(new Command.Delete("a", 2));
        Result again = apply(new Command.Delete("a", Command.ANY));

        assertThat(wrong).isInstanceOf(Rejected.class);
        assertThat(right).isEqualTo(new DeleteResult(6, "a", true, 2));
        assertThat(again).isEqualTo(new DeleteResult(8, "a", false, 0));
        assertThat(store.get("a")).isNull();
    }

    @Test
    void recreatingADeletedKeyStartsANewIncarnation() {
        apply(put("a", "1"));
        apply(new Command.Delete("a", Command.ANY));
        PutResult again = (PutResult) apply(put("a", "2"));

        assertThat(again.createRevision()).isEqualTo(6);
        assertThat(again.version()).isEqualTo(1);
        assertThat(store.get("a").history()).isEmpty();
    }

    @Test
    void historyKeepsTheStampedNumberOfVersionsNewestFirst() {
        for (int i = 1; i <= 5; i++) {
            apply(put("a", "v" + i));
        }
        Entry entry = store.get("a");

        assertThat(entry.version()).isEqualTo(5);
        assertThat(entry.history()).extracting(Version::version).containsExactly(4L, 3L);
        assertThat(entry.history().get(0).value()).asString(UTF_8).isEqualTo("v4");
        assertThat(entry.history().get(0).modifiedAtMillis()).isEqualTo(1_006);
    }

    @Test
    void appliedTimeNeverMovesBackEvenWhenALeaderClockDoes() {
        apply(new Stamp(5_000, 3), put("a", "1"));
        apply(new Stamp(4_000, 3), put("b", "1"));

        assertThat(store.timeMillis()).isEqualTo(5_000);
        assertThat(store.get("b").modifiedAtMillis()).isEqualTo(5_000);
    }

    @Test
    void invalidCommandsFromTheLogAreRejectedValuesThatChangeNothing() {
        Result badKey = apply(put("/bad", "1"));
        Result badStamp = apply(new Stamp(1, 0), put("a", "1"));
        Result duplicate = apply(new Command.Txn(List.of(), List.of(new Op.Delete("a"), new Op.Delete("a")), List.of()));

        assertThat(List.of(badKey, badStamp, duplicate)).allSatisfy(result ->
                assertThat(((Rejected) result).reason()).isEqualTo(Rejected.Reason.INVALID_COMMAND));
        assertThat(store.size()).isZero();
        assertThat(store.revision()).isEqualTo(6);
    }

    @Test
    void anIndexThatDoesNotAdvanceIsABrokenInvariant() {
        store.apply(5, new Stamp(1, 3), put("a", "1"));

        assertThatThrownBy(() -> store.apply(5, new Stamp(1, 3), put("b", "1")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not advance");
        assertThatThrownBy(() -> store.advance(4)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rangePagesThroughAPrefixInKeyOrder() {
        for (String key : List.of("app/c", "app/a", "apple", "app/b", "b", "ap")) {
            apply(put(key, key));
        }
        Page first = store.range("app/", null, 2);
        Page second = store.range("app/", first.next(), 2);
        Page all = store.range("", null, 100);

        assertThat(first.items()).extracting(Entry::key).containsExactly("app/a", "app/b");
        assertThat(first.next()).isEqualTo("app/b");
        assertThat(second.items()).extracting(Entry::key).containsExactly("app/c");
        assertThat(second.next()).isNull();
        assertThat(all.items()).extracting(Entry::key).containsExactly("ap", "app/a", "app/b", "app/c", "apple", "b");
        assertThat(store.range("app/", "zzz", 10).items()).isEmpty();
        assertThat(store.range("app/", "a", 10).items()).hasSize(3);
    }

    @Test
    void txnRunsTheThenBranchWhenEveryCompareHolds() {
        apply(put("a", "1"));
        Command.Txn txn = new Command.Txn(
                List.of(Compare.number("a", Compare.Target.MOD_REVISION, Compare.Operator.EQUAL, 2),
                        Compare.exists("b", false),
                        Compare.value("a", Compare.Operator.EQUAL, "1".getBytes(UTF_8))),
                List.of(new Op.Put("b", "2".getBytes(UTF_8), "text/plain"), new Op.Delete("a"), new Op.Get("b")),
                List.of(new Op.Put("failed", new byte[0], "text/plain")));

        TxnResult result = (TxnResult) apply(txn);

        assertThat(result.succeeded()).isTrue();
        assertThat(result.results()).hasSize(3);
        assertThat(result.results().get(0)).isEqualTo(new PutResult(4, "b", 4, 4, 1, true));
        assertThat(result.results().get(1)).isEqualTo(new DeleteResult(4, "a", true, 2));
        assertThat(((GetResult) result.results().get(2)).entry().modRevision()).isEqualTo(4);
        assertThat(store.get("a")).isNull();
        assertThat(store.get("failed")).isNull();
    }

    @Test
    void txnRunsTheElseBranchWhenAnyCompareFailsAndTheThenBranchLeavesNoTrace() {
        apply(put("a", "1"));
        Command.Txn txn = new Command.Txn(
                List.of(Compare.number("a", Compare.Target.VERSION, Compare.Operator.GREATER, 1)),
                List.of(new Op.Put("x", new byte[] {1}, "application/octet-stream")),
                List.of(new Op.Put("y", new byte[] {2}, "application/octet-stream")));

        TxnResult result = (TxnResult) apply(txn);

        assertThat(result.succeeded()).isFalse();
        assertThat(store.get("x")).isNull();
        assertThat(store.get("y").createRevision()).isEqualTo(4);
    }

    @Test
    void comparesTreatAnAbsentKeyAsRevisionZeroWithoutAValue() {
        Entry absent = null;
        assertThat(Compare.number("k", Compare.Target.MOD_REVISION, Compare.Operator.EQUAL, 0).holds(absent)).isTrue();
        assertThat(Compare.number("k", Compare.Target.VERSION, Compare.Operator.LESS, 1).holds(absent)).isTrue();
        assertThat(Compare.value("k", Compare.Operator.EQUAL, new byte[0]).holds(absent)).isFalse();
        assertThat(Compare.value("k", Compare.Operator.NOT_EQUAL, new byte[0]).holds(absent)).isTrue();
        assertThat(Compare.exists("k", false).holds(absent)).isTrue();
        apply(put("k", "b"));
        Entry present = store.get("k");
        assertThat(Compare.value("k", Compare.Operator.GREATER, "a".getBytes(UTF_8)).holds(present)).isTrue();
        assertThat(Compare.value("k", Compare.Operator.LESS, "a".getBytes(UTF_8)).holds(present)).isFalse();
        assertThat(Compare.number("k", Compare.Target.CREATE_REVISION, Compare.Operator.NOT_EQUAL, 2).holds(present))
                .isFalse();
    }
}
