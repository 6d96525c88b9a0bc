package io.muster.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves that tokens are replicated state that apply enforces: an authored command is checked
 * against the tokens at its point in the log (revoked, too weak or outside its prefixes: refused and
 * nothing changes), names and secrets are unique, and the hash index survives a snapshot.
 */
class TokenStoreTest {

    private static final Stamp STAMP = new Stamp(1_000, 10);

    private final KvStore store = new KvStore();
    private long index;

    @Test
    void aWriteOrderedAfterTheRevokeOfItsTokenIsRefusedAndChangesNothing() {
        create("ci", 1, Role.WRITER);
        assertThat(apply(put("ci", "a", "1"))).isInstanceOf(PutResult.class);
        apply(new Command.RevokeToken("ci"));
        String before = ContentDigest.of(store);

        Result refused = apply(put("ci", "a", "2"));

        assertThat(refused).isInstanceOfSatisfying(Rejected.class, rejected -> {
            assertThat(rejected.reason()).isEqualTo(Rejected.Reason.PERMISSION_DENIED);
            assertThat(rejected.detail()).contains("'ci' does not exist");
        });
        assertThat(new String(store.get("a").value(), UTF_8)).isEqualTo("1");
        assertThat(ContentDigest.of(store)).isEqualTo(before);
    }

    @Test
    void applyChecksRoleAndPrefixes() {
        create("reader", 1, Role.READER);
        createScoped("team", 2, "payments/");

        assertThat(reason(apply(put("reader", "x", "1")))).isEqualTo(Rejected.Reason.PERMISSION_DENIED);
        assertThat(apply(put("team", "payments/a", "1"))).isInstanceOf(PutResult.class);
        assertThat(reason(apply(put("team", "orders/a", "1")))).isEqualTo(Rejected.Reason.PERMISSION_DENIED);
        Command.Txn reaching = new Command.Txn(List.of(), List.of(new Op.Put("payments/b", new byte[] {1}, "text/plain"),
                new Op.Get("orders/secret")), List.of());
        assertThat(reason(apply(new Command.Authored("team", "r", reaching)))).isEqualTo(Rejected.Reason.PERMISSION_DENIED);
        assertThat(store.get("payments/b")).as("a refused transaction writes nothing").isNull();
        assertThat(reason(apply(new Command.Authored("team", "r", new Command.GrantLease(10_000)))))
                .as("a confined token may not use leases").isEqualTo(Rejected.Reason.PERMISSION_DENIED);
        assertThat(reason(apply(new Command.Authored("team", "r", new Command.RevokeToken("reader")))))
                .isEqualTo(Rejected.Reason.PERMISSION_DENIED);
        assertThat(store.token("reader")).isNotNull();
    }

    @Test
    void anonymousAndUnauthoredCommandsAreNotChecked() {
        assertThat(apply(put(Command.Authored.ANONYMOUS, "a", "1"))).isInstanceOf(PutResult.class);
        assertThat(apply(new Command.Put("b", new byte[] {1}, "text/plain", Command.ANY))).isInstanceOf(PutResult.class);
    }

    @Test
    void namesAndSecretsAreUniqueAndReplaceKeepsTheIndexRight() {
        create("a", 1, Role.ADMIN);
        assertThat(reason(apply(new Command.CreateToken("a", hash(2), Role.READER, List.of(), false))))
                .isEqualTo(Rejected.Reason.TOKEN_EXISTS);
        assertThat(reason(apply(new Command.CreateToken("b", hash(1), Role.READER, List.of(), false))))
                .as("another token's secret").isEqualTo(Rejected.Reason.TOKEN_EXISTS);

        apply(new Command.CreateToken("a", hash(3), Role.ADMIN, List.of(), true));

        assertThat(store.tokenByHash(hash(1))).isNull();
        assertThat(store.tokenByHash(hash(3)).name()).isEqualTo("a");
        assertThat(reason(apply(new Command.RevokeToken("nobody")))).isEqualTo(Rejected.Reason.TOKEN_NOT_FOUND);
    }

    @Test
    void invalidTokenCommandsAreRefusedInApply() {
        assertThat(reason(apply(new Command.CreateToken("Bad Name", hash(1), Role.READER, List.of(), false))))
                .isEqualTo(Rejected.Reason.INVALID_COMMAND);
        assertThat(reason(apply(new Command.CreateToken("short", new byte[5], Role.READER, List.of(), false))))
                .isEqualTo(Rejected.Reason.INVALID_COMMAND);
        assertThat(reason(apply(new Command.CreateToken("admin2", hash(1), Role.ADMIN, List.of("a/"), false))))
                .as("an admin confined to prefixes").isEqualTo(Rejected.Reason.INVALID_COMMAND);
        assertThat(store.tokens()).isEmpty();
    }

    @Test
    void tokensAndTheirHashIndexSurviveASnapshot() throws IOException {
        create("a", 1, Role.ADMIN);
        createScoped("team", 2, "payments/");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.write(store, out);

        KvStore loaded = SnapshotCodec.read(new ByteArrayInputStream(out.toByteArray()));

        assertThat(loaded.tokenByHash(hash(2))).isEqualTo(store.token("team"));
        assertThat(ContentDigest.of(loaded)).isEqualTo(ContentDigest.of(store));
        long next = loaded.revision() + 1;
        assertThat(loaded.apply(next, STAMP, put("team", "orders/x", "1")).result()).isInstanceOf(Rejected.class);
    }

    @Test
    void theSecretHashNeverAppearsInToStrings() {
        create("a", 1, Role.ADMIN);
        String hex = java.util.HexFormat.of().formatHex(hash(1));
        assertThat(store.token("a").toString()).doesNotContain(hex).doesNotContain(java.util.Arrays.toString(hash(1)));
        assertThat(new Command.CreateToken("a", hash(1), Role.ADMIN, List.of(), true).toString())
                .doesNotContain(java.util.Arrays.toString(hash(1)));
    }

    private void create(String name, int seed, Role role) {
        assertThat(apply(new Command.CreateToken(name, hash(seed), role, List.of(), false))).isInstanceOf(TokenResult.class);
    }

    private void createScoped(String name, int seed, String prefix) {
        assertThat(apply(new Command.CreateToken(name, hash(seed), Role.WRITER, List.of(prefix), false)))
                .isInstanceOf(TokenResult.class);
    }

    private static Command put(String principal, String key, String value) {
        return new Command.Authored(principal, "req", new Command.Put(key, value.getBytes(UTF_8), "text/plain", Command.ANY));
    }

    private Result apply(Command command) {
        return store.apply(++index, STAMP, command).result();
    }

    private static Rejected.Reason reason(Result result) {
        return result instanceof Rejected rejected ? rejected.reason() : null;
    }

    private static byte[] hash(int seed) {
        return GoldenCases.hash(seed);
    }
}
