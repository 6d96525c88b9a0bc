package io.muster.core;

import java.util.List;

/**
 * What applying one log entry did, built by the store while it made the change: the result the
 * proposer gets, every key, instance, lock, lease and token it changed (as they now are) and its audit
 * record. The adapter replies with {@link #result} and hands the rest to the followers of the state
 * (the H2 view, the watch history, the lease timers); nobody reads the store again to learn what an
 * entry did.
 *
 * <p>Lists are empty when the entry changed nothing of that kind (a rejection, a read-only
 * transaction, a repeated idempotent command, a configuration entry).
 *
 * @param revision  the entry's log index
 * @param result    the command's result; {@code null} for an entry that carries no command
 * @param keys      each key it wrote, once, in the order first written, with the entry it now holds
 *                  ({@code null} when deleted)
 * @param instances each service instance it registered, updated or removed
 * @param locks     each lock (or election) it changed, as it now is (without holder or waiters when
 *                  nobody wants it any more)
 * @param granted   the leases it granted
 * @param ended     the leases it ended (revoked or expired)
 * @param tokens    the API tokens it created, replaced or revoked
 * @param audit     who proposed what and how it ended; {@code null} for an entry that carries no command
 */
public record Applied(long revision, Result result, List<Change> keys, List<InstanceChange> instances,
        List<Lock> locks, List<Lease> granted, List<Long> ended, List<TokenChange> tokens, Audit audit) {

    public Applied {
        keys = List.copyOf(keys);
        instances = List.copyOf(instances);
        locks = List.copyOf(locks);
        granted = List.copyOf(granted);
        ended = List.copyOf(ended);
        tokens = List.copyOf(tokens);
    }

    /** What changed, without a result or an audit record (for tests of the followers). */
    public Applied(long revision, List<Change> keys, List<InstanceChange> instances, List<Lock> locks,
            List<Lease> granted, List<Long> ended) {
        this(revision, null, keys, instances, locks, granted, ended, List.of(), null);
    }

    /** An entry that changed only keys. */
    public static Applied keys(long revision, List<Change> keys) {
        return new Applied(revision, keys, List.of(), List.of(), List.of(), List.of());
    }

    /** An entry that carries no command (a Raft configuration): it only advances the revision. */
    public static Applied nothing(long revision) {
        return keys(revision, List.of());
    }

    /**
     * A key and what it holds after a change; {@code entry} is {@code null} when it was deleted, and
     * {@code expired} says the deletion came from its lease running out.
     */
    public record Change(String key, Entry entry, boolean expired) {

        public Change(String key, Entry entry) {
            this(key, entry, false);
        }
    }

    /**
     * A service instance and what it is after a change: {@code null} when it was removed, and
     * {@code expired} says the removal came from its lease running out.
     */
    public record InstanceChange(String service, String id, Instance instance, boolean expired) {
    }

    /** An API token and what it is after a change: {@code null} when it was revoked. */
    public record TokenChange(String name, Token token) {
    }

    /**
     * The audit record of one applied command.
     *
     * @param principal the token that proposed it, {@code anonymous} from a node without security,
     *                  {@code muster} for Muster's own commands (lease expiry, the bootstrap token)
     * @param requestId the id of the HTTP request that proposed it ({@code ""} for Muster's own)
     * @param action    what it was, one of the fixed names of {@link AuditTrail#ACTIONS}
     * @param target    what it was about: a key, {@code service/id}, a lock, a token, a lease id
     * @param outcome   {@code ok}, {@code replayed} for a repeated idempotent command, or why it was
     *                  refused (e.g. {@code precondition-failed})
     * @param atMillis  the applied time: the leader's clock stamped into the entry
     */
    public record Audit(String principal, String requestId, String action, String target, String outcome,
            long atMillis) {
    }
}
