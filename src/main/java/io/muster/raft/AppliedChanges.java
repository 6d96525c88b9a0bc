package io.muster.raft;

import io.muster.core.Entry;
import io.muster.core.Lease;
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
     * Leases were granted or ended by the entry at {@code revision}; called after {@link #applied} for
     * that entry (whose changes hold the keys an ending lease deleted).
     */
    default void leases(long revision, List<Lease> granted, List<Long> ended) {
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
