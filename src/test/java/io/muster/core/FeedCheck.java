package io.muster.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Checks what one apply reported it changed (its {@link Applied}) against the difference between the
 * reference model's state before and after the same command: every key, instance, lock and token that
 * changed is reported, with what it now holds, and nothing else is; an accepted command's result is
 * of the type it declares ({@code Command.Returns}), which typed writes rely on; the granted and ended leases are
 * exactly the new and the vanished ones; the audit record names the command's pinned action, its author
 * and its outcome.
 */
final class FeedCheck {

    /** The model's state, copied. */
    record State(NavigableMap<String, Entry> entries, NavigableMap<Long, Lease> leases,
            NavigableMap<String, Instance> instances, NavigableMap<String, Lock> locks,
            NavigableMap<String, Token> tokens) {
    }

    private FeedCheck() {
    }

    static void check(Command command, State before, State after, Applied applied, long time) {
        String what = "revision " + applied.revision() + ": " + command;
        Command inner = Command.Authored.unwrap(command);
        boolean replayed = applied.result().revision() != applied.revision();
        boolean expired = inner instanceof Command.ExpireLeases;
        if (applied.result() instanceof Rejected || replayed) {
            assertThat(List.of(applied.keys(), applied.instances(), applied.locks(), applied.granted(),
                    applied.ended(), applied.tokens())).as(what + ": a rejection or a replay changes nothing")
                    .allMatch(List::isEmpty);
        }

        if (!(applied.result() instanceof Rejected)) {
            assertThat(applied.result()).as(what + ": the result type the command declares")
                    .isInstanceOf(declaredResult(inner));
        }

        List<String> keys = new ArrayList<>();
        for (Applied.Change change : applied.keys()) {
            keys.add(change.key());
            assertThat(change.entry()).as(what + ": key " + change.key()).isEqualTo(after.entries().get(change.key()));
            assertThat(change.expired()).as(what + ": expired, key " + change.key()).isEqualTo(expired);
            boolean changed = change.entry() != null ? !change.entry().equals(before.entries().get(change.key()))
                    : before.entries().containsKey(change.key()) || putsIn(inner).contains(change.key());
            assertThat(changed).as(what + ": key " + change.key() + " reported but unchanged").isTrue();
        }
        assertThat(keys).as(what + ": each key once").doesNotHaveDuplicates()
                .containsAll(changed(before.entries(), after.entries()));

        List<String> instances = new ArrayList<>();
        for (Applied.InstanceChange change : applied.instances()) {
            String key = Instance.key(change.service(), change.id());
            instances.add(key);
            assertThat(change.instance()).as(what + ": instance " + key).isEqualTo(after.instances().get(key));
            assertThat(change.expired()).as(what + ": expired, instance " + key).isEqualTo(expired);
        }
        assertThat(instances).as(what + ": instances").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(changed(before.instances(), after.instances()));

        List<String> locks = new ArrayList<>();
        for (Lock lock : applied.locks()) {
            locks.add(lock.name());
            assertThat(lock).as(what + ": lock " + lock.name())
                    .isEqualTo(after.locks().getOrDefault(lock.name(), new Lock(lock.name(), null, List.of())));
        }
        assertThat(locks).as(what + ": locks").doesNotHaveDuplicates()
                .containsAll(changed(before.locks(), after.locks()));

        assertThat(applied.granted()).as(what + ": granted leases").containsExactlyElementsOf(
                after.leases().values().stream().filter(lease -> !before.leases().containsKey(lease.id())).toList());
        assertThat(applied.ended()).as(what + ": ended leases").containsExactlyElementsOf(
                before.leases().keySet().stream().filter(id -> !after.leases().containsKey(id)).toList());

        List<String> tokens = new ArrayList<>();
        for (Applied.TokenChange change : applied.tokens()) {
            tokens.add(change.name());
            assertThat(change.token()).as(what + ": token " + change.name()).isEqualTo(after.tokens().get(change.name()));
        }
        assertThat(tokens).as(what + ": tokens").containsExactlyInAnyOrderElementsOf(
                changed(before.tokens(), after.tokens()));

        Applied.Audit audit = applied.audit();
        String outcome = replayed ? "replayed" : applied.result() instanceof Rejected rejected
                ? rejected.reason().name().toLowerCase(Locale.ROOT).replace('_', '-') : "ok";
        assertThat(audit.action()).as(what + ": audit action").isEqualTo(AuditTrail.action(inner));
        assertThat(audit.principal()).as(what + ": audit principal").isEqualTo(
                command instanceof Command.Authored authored ? authored.principal() : AuditTrail.SYSTEM);
        assertThat(audit.outcome()).as(what + ": audit outcome").isEqualTo(outcome);
        assertThat(audit.atMillis()).as(what + ": audit time").isEqualTo(time);
    }

    /** The {@code R} of the {@code Command.Returns<R>} that {@code command}'s record implements. */
    static Class<?> declaredResult(Command command) {
        for (Type type : command.getClass().getGenericInterfaces()) {
            if (type instanceof ParameterizedType returns && returns.getRawType() == Command.Returns.class) {
                return (Class<?>) returns.getActualTypeArguments()[0];
            }
        }
        throw new AssertionError(command.getClass().getSimpleName() + " declares no result type");
    }

    /** The keys a transaction may put (and then delete again); none for other commands. */
    private static List<String> putsIn(Command command) {
        if (!(command instanceof Command.Txn txn)) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        for (List<Op> branch : List.of(txn.then(), txn.otherwise())) {
            branch.stream().filter(op -> op instanceof Op.Put).map(Op::key).forEach(keys::add);
        }
        return keys;
    }

    /** The keys whose values differ between {@code before} and {@code after}, in key order. */
    private static <K extends Comparable<K>, V> List<K> changed(Map<K, V> before, Map<K, V> after) {
        TreeSet<K> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        return keys.stream().filter(key -> !Objects.equals(before.get(key), after.get(key))).toList();
    }
}
