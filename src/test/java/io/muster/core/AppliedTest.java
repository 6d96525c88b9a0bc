package io.muster.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Proves that the keys an apply reports changed are exactly those whose entries changed (what the
 * watch and the H2 view follow), that the audit actions are the pinned names, and that the content
 * digest tells entries apart by everything they hold.
 */
class AppliedTest {

    private final KvStore store = new KvStore();
    private long index;

    private Applied apply(Command command) {
        index++;
        return store.apply(index, new Stamp(1_000 + index, 3), command);
    }

    private static List<String> keys(Applied applied) {
        return applied.keys().stream().map(Applied.Change::key).toList();
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
        assertThat(keys(apply(first))).containsExactly("a");
        Command.Put conflicting = new Command.Put("a", "2".getBytes(UTF_8), "text/plain", Command.ABSENT);
        assertThat(keys(apply(conflicting))).isEmpty();
    }

    @Test
    void aDeleteWritesItsKeyOnlyWhenSomethingWasDeleted() {
        apply(put("a", "1"));
        Command.Delete delete = new Command.Delete("a", Command.ANY);
        assertThat(keys(apply(delete))).containsExactly("a");
        assertThat(keys(apply(delete))).isEmpty();
    }

    @Test
    void aTransactionWritesThePutsAndDeletesOfTheBranchThatRan() {
        apply(put("x", "1"));
        Compare exists = Compare.exists("x", true);
        List<Op> then = List.of(opPut("t1", "v"), new Op.Get("x"), new Op.Delete("x"), opPut("t2", "v"));
        List<Op> otherwise = List.of(opPut("e1", "v"));
        Command.Txn txn = new Command.Txn(List.of(exists), then, otherwise);
        assertThat(keys(apply(txn))).as("x existed: then").containsExactly("t1", "x", "t2");
        assertThat(keys(apply(txn))).as("x was deleted: else").containsExactly("e1");
    }

    @Test
    void theAuditActionsArePinnedAndEveryCommandHasOne() {
        // Part of the API (/v1/audit and the view's audit table): names are only ever added.
        assertThat(AuditTrail.ACTIONS).extracting(Map.Entry::getValue).containsExactly("put", "delete", "txn",
                "grant-lease", "revoke-lease", "expire-leases", "register-instance", "deregister-instance",
                "set-instance-status", "acquire-lock", "release-lock", "cancel-lock-wait", "create-token",
                "revoke-token", "set-desired-voters", "raise-cluster-version", "delete-prefix", "create-release",
                "update-release", "rebase-release", "gray-release", "publish-release", "abandon-release",
                "rollback-release", "restore-document");
        List<Class<?>> named = AuditTrail.ACTIONS.stream().<Class<?>>map(Map.Entry::getKey).toList();
        List<Class<?>> commands = Arrays.stream(Command.class.getPermittedSubclasses())
                .filter(kind -> kind != Command.Authored.class).toList();
        assertThat(named).containsExactlyInAnyOrderElementsOf(commands);
        commands.forEach(kind -> assertThat(Arrays.stream(kind.getInterfaces()).toList()).as(kind.getSimpleName()
                + " declares the result type a write of it returns").contains(Command.Returns.class));
        Applied applied = apply(new Command.Authored("alice", "req-1", put("k", "v")));
        assertThat(applied.audit().action()).isEqualTo("put");
        assertThat(applied.audit().principal()).isEqualTo("alice");
        assertThat(applied.audit().outcome()).as("alice has no token").isEqualTo("permission-denied");
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
