package io.muster.raft;

import io.muster.core.Entry;
import io.muster.core.Instance;
import io.muster.core.Lease;
import io.muster.core.Lock;
import io.muster.core.Token;
import java.util.List;

/**
 * Hears every change to the applied state, in log order, on the apply thread: a follower of the state
 * such as the H2 view, the watch history or the lease timers. Implementations must return at once
 * (never block, never do I/O): apply must not wait on them.
 */
public interface AppliedChanges {

    /** The entry at {@code applied.revision()} was applied; everything it changed is in {@code applied}. */
    void applied(Applied applied);

    /** The whole state was replaced (loaded at start-up or installed from the leader's snapshot). */
    void replaced(long revision);

    /**
     * What one applied entry changed. Lists are empty when it changed nothing of that kind (a
     * rejection, a read-only transaction, a configuration entry changes nothing at all).
     *
     * @param keys      each key it wrote with the entry that key now holds ({@code null} when deleted)
     * @param instances each service instance it registered, updated or removed
     * @param locks     each lock (or election) it changed, as it now is (without holder or waiters when
     *                  nobody wants it any more)
     * @param granted   the leases it granted
     * @param ended     the leases it ended (revoked or expired)
     * @param tokens    the API tokens it created, replaced or revoked
     * @param audit     who proposed what and how it ended; {@code null} for an entry that carries no
     *                  command (a Raft configuration)
     */
    record Applied(long revision, List<Change> keys, List<InstanceChange> instances, List<Lock> locks,
            List<Lease> granted, List<Long> ended, List<TokenChange> tokens, Audit audit) {

        public Applied {
            keys = List.copyOf(keys);
            instances = List.copyOf(instances);
            locks = List.copyOf(locks);
            granted = List.copyOf(granted);
            ended = List.copyOf(ended);
            tokens = List.copyOf(tokens);
        }

        /** An entry that changed no tokens and carries no audit record (for tests of other followers). */
        public Applied(long revision, List<Change> keys, List<InstanceChange> instances, List<Lock> locks,
                List<Lease> granted, List<Long> ended) {
            this(revision, keys, instances, locks, granted, ended, List.of(), null);
        }

        /** An entry that changed only keys. */
        public static Applied keys(long revision, List<Change> keys) {
            return new Applied(revision, keys, List.of(), List.of(), List.of(), List.of());
        }

        /** An entry that changed nothing (a configuration entry, a rejection). */
        public static Applied nothing(long revision) {
            return keys(revision, List.of());
        }
    }

    /**
     * A key and what it holds after a change; {@code entry} is {@code null} when it was deleted, and
     * {@code expired} says the deletion came from its lease running out.
     */
    record Change(String key, Entry entry, boolean expired) {

        public Change(String key, Entry entry) {
            this(key, entry, false);
        }
    }

    /** An API token and what it is after a change: {@code null} when it was revoked. */
    record TokenChange(String name, Token token) {
    }

    /**
     * The audit record of one applied command.
     *
     * @param principal the token that proposed it, {@code anonymous} from a node without security,
     *                  {@code muster} for Muster's own commands (lease expiry, the bootstrap token)
     * @param requestId the id of the HTTP request that proposed it ({@code ""} for Muster's own)
     * @param action    what it was: {@code put}, {@code delete}, {@code txn}, {@code grant-lease}, ...
     * @param target    what it was about: a key, {@code service/id}, a lock, a token, a lease id
     * @param outcome   {@code ok}, or why it was refused (e.g. {@code precondition-failed})
     * @param atMillis  the applied time: the leader's clock stamped into the entry
     */
    record Audit(String principal, String requestId, String action, String target, String outcome, long atMillis) {

        public Audit withOutcome(String otherOutcome) {
            return new Audit(principal, requestId, action, target, otherOutcome, atMillis);
        }
    }

    /**
     * A service instance and what it is after a change: {@code null} when it was removed, and
     * {@code expired} says the removal came from its lease running out.
     */
    record InstanceChange(String service, String id, Instance instance, boolean expired) {
    }
}
