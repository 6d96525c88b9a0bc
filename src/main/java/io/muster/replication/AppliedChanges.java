package io.muster.replication;

import io.muster.core.Applied;

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
}
