package io.muster.raft;

import io.muster.core.Entry;
import io.muster.core.Instance;
import io.muster.core.Lease;
import io.muster.core.Lock;
import java.util.List;

/**
 * Hears every change to the applied state, in log order, on the apply thread: a follower of the state
 * such as the H2 view. Implementations must return at once (never block, never do I/O): apply must
 * not wait on them.
 */
public interface AppliedChanges {

    /**
     * The entry at {@code revision} was applied.
     *
     * @param changes each key it wrote with the entry that key now holds ({@code null} when deleted);
     *                empty for an entry that changed no key (a rejection, a read-only transaction, a
     *                configuration entry)
     */
    void applied(long revision, List<Change> changes);

    /**
     * The entry at {@code revision} was applied, with the service instances it changed as well; the
     * state machine calls this one, and by default it hands the key changes to {@link #applied(long, List)}.
     *
     * @param instances each instance it registered, updated or removed; empty for most entries
     */
    default void applied(long revision, List<Change> changes, List<InstanceChange> instances) {
        applied(revision, changes);
    }

    /**
     * As {@link #applied(long, List, List)}, with the locks (and elections) the entry changed, each as it
     * now is (without holder or waiters when nobody wants it any more); the state machine calls this one.
     */
    default void applied(long revision, List<Change> changes, List<InstanceChange> instances, List<Lock> locks) {
        applied(revision, changes, instances);
    }

    /**
     * Leases were granted or ended by the entry at {@code revision}; called after {@link #applied} for
     * that entry (whose changes hold the keys an ending lease deleted).
     */
    default void leases(long revision, List<Lease> granted, List<Long> ended) {
    }

    /**
     * A service instance and what it is after a change: {@code null} when it was removed, and
     * {@code expired} says the removal came from its lease running out.
     */
    record InstanceChange(String service, String id, Instance instance, boolean expired) {
    }

    /** The whole state was replaced (loaded at start-up or installed from the leader's snapshot). */
    void replaced(long revision);

    /**
     * A key and what it holds after a change; {@code entry} is {@code null} when it was deleted, and
     * {@code expired} says the deletion came from its lease running out.
     */
    record Change(String key, Entry entry, boolean expired) {

        public Change(String key, Entry entry) {
            this(key, entry, false);
        }
    }
}
