package io.muster.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves that the keys reported written are exactly those whose entries changed (what the H2 view
 * re-reads), and that the content digest tells entries apart by everything they hold.
 */
class WrittenKeysTest {

    private final KvStore store = new KvStore();
    private long index;

    private Result apply(Command command) {
        index++;
        return store.apply(index, new Stamp(1_000 + index, 3), command);
    }

    private static Command.Put put(String key, String value) {
        return new Command.Put(key, value.getBytes(UTF_8), "text/plain", Command.ANY);
    }

    private static Op.Put opPut(String key, String value) {
        return new Op.Put(key, value.getBytes(UTF_8), "text/plain");
    }

    @Test
    void aPutWritesItsKeyAndARejectedOneNothing() {
        Command.Put first = put("a", "1");
        assertThat(WrittenKeys.of(first, apply(first))).containsExactly("a");
        Command.Put conflicting = new Command.Put("a", "2".getBytes(UTF_8), "text/plain", Command.ABSENT);
        assertThat(WrittenKeys.of(conflicting, apply(conflicting))).isEmpty();
    }

    @Test
    void aDeleteWritesItsKeyOnlyWhenSomethingWasDeleted() {
        apply(put("a", "1"));
        Command.Delete delete = new Command.Delete("a", Command.ANY);
        assertThat(WrittenKeys.of(delete, apply(delete))).containsExactly("a");
        assertThat(WrittenKeys.of(delete, apply(delete))).isEmpty();
    }

    @Test
    void aTransactionWritesThePutsAndDeletesOfTheBranchThatRan() {
        apply(put("x", "1"));
        Compare exists = Compare.exists("x", true);
        List<Op> then = List.of(opPut("t1", "v"), new Op.Get("x"), new Op.Delete("x"), opPut("t2", "v"));
        List<Op> otherwise = List.of(opPut("e1", "v"));
        Command.Txn txn = new Command.Txn(List.of(exists), then, otherwise);
        assertThat(WrittenKeys.of(txn, apply(txn))).as("x existed: then").containsExactly("t1", "x", "t2");
        assertThat(WrittenKeys.of(txn, apply(txn))).as("x was deleted: else").containsExactly("e1");
    }

    @Test
    void theContentDigestChangesWithAnyPartOfAnEntry() {
        apply(put("a", "1"));
        String one = ContentDigest.of(store);
        assertThat(ContentDigest.of(store)).isEqualTo(one);
        apply(put("a", "1"));
        String rewritten = ContentDigest.of(store);
        assertThat(rewritten).as("same value, new version").isNotEqualTo(one);
        apply(new Command.Put("a", "1".getBytes(UTF_8), "application/json", Command.ANY));
        assertThat(ContentDigest.of(store)).as("content type").isNotEqualTo(rewritten);
        assertThat(ContentDigest.of(new KvStore())).isNotEqualTo(one);
    }
}
