package io.muster.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Exactly once over retries: an idempotent command repeated within its window (in leader time) gets
 * its first result and changes nothing, the key reused for another command is refused, each
 * principal has its own keys, and the memory survives a snapshot and ends with the window.
 */
class IdempotencyTest {

    private static final long WINDOW = 60_000;

    private final KvStore store = new KvStore();
    private long index;
    private long now = 1_000_000;

    @org.junit.jupiter.api.BeforeEach
    void writers() {
        apply(new Command.CreateToken("alice", GoldenCases.hash(1), Role.WRITER, java.util.List.of(), false));
        apply(new Command.CreateToken("bob", GoldenCases.hash(2), Role.WRITER, java.util.List.of(), false));
    }

    @Test
    void aRetryGetsTheFirstResultAndChangesNothing() {
        Result first = apply(put("alice", "k1", "counter", "1"));
        apply(new Command.Put("counter", "2".getBytes(UTF_8), "text/plain", Command.ANY));
        String before = ContentDigest.of(store);

        Result retry = apply(put("alice", "k1", "counter", "1"));

        assertThat(retry).isEqualTo(first);
        assertThat(((PutResult) retry).revision()).isLessThan(index);
        assertThat(new String(store.get("counter").value(), UTF_8)).as("not applied twice").isEqualTo("2");
        assertThat(ContentDigest.of(store)).isEqualTo(before);
    }

    @Test
    void theKeyReusedForAnotherCommandIsRefusedAndEachPrincipalHasItsOwnKeys() {
        apply(put("alice", "k1", "a", "1"));
        Result reused = apply(put("alice", "k1", "a", "other"));
        assertThat(reused).isInstanceOfSatisfying(Rejected.class,
                rejected -> assertThat(rejected.reason()).isEqualTo(Rejected.Reason.IDEMPOTENCY_KEY_REUSED));
        assertThat(new String(store.get("a").value(), UTF_8)).isEqualTo("1");

        Result bob = apply(put("bob", "k1", "a", "bob's"));
        assertThat(bob).isInstanceOf(PutResult.class);
        assertThat(new String(store.get("a").value(), UTF_8)).isEqualTo("bob's");
    }

    @Test
    void theMemoryEndsWithTheWindowInLeaderTime() {
        Result first = apply(put("alice", "k1", "a", "1"));
        now += WINDOW - 1;
        assertThat(apply(put("alice", "k1", "a", "1"))).as("still within the window").isEqualTo(first);
        now += 1;
        Result again = apply(put("alice", "k1", "a", "1"));
        assertThat(again).isInstanceOf(PutResult.class).isNotEqualTo(first);
        assertThat(((PutResult) again).version()).isEqualTo(2);
    }

    @Test
    void theMemorySurvivesASnapshot() throws IOException {
        Result first = apply(put("alice", "k1", "a", "1"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.write(store, out);
        KvStore loaded = SnapshotCodec.read(new ByteArrayInputStream(out.toByteArray()));
        assertThat(loaded.remembered()).hasSize(1);
        assertThat(loaded.apply(index + 1, new Stamp(now, 10), put("alice", "k1", "a", "1")).result()).isEqualTo(first);
        assertThat(loaded.get("a").version()).isEqualTo(1);
    }

    private static Command put(String principal, String key, String entry, String value) {
        return new Command.Authored(principal, "r-" + key, key, WINDOW,
                new Command.Put(entry, value.getBytes(UTF_8), "text/plain", Command.ANY));
    }

    private Result apply(Command command) {
        return store.apply(++index, new Stamp(now, 10), command).result();
    }
}
