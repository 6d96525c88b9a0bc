package io.muster.core;

import java.util.List;

/**
 * Leases ended at {@code revision}, revoked by a client or expired by the leader.
 *
 * @param ids         the leases that ended, ascending (an expiry skips ids that were already gone)
 * @param deletedKeys      the keys that were bound to them and are now deleted, in key order
 * @param expired          {@code true} when their time ran out, {@code false} when a client revoked them
 * @param removedInstances the service instances bound to them, now removed, by {@link Instance#key}
 * @param changedLocks     the locks whose holder or queue lost someone bound to them, by name
 */
public record LeasesEnded(long revision, List<Long> ids, List<String> deletedKeys, boolean expired,
        List<String> removedInstances, List<String> changedLocks) implements Result {

    public LeasesEnded {
        ids = List.copyOf(ids);
        deletedKeys = List.copyOf(deletedKeys);
        removedInstances = List.copyOf(removedInstances);
        changedLocks = List.copyOf(changedLocks);
    }

    public LeasesEnded(long revision, List<Long> ids, List<String> deletedKeys, boolean expired) {
        this(revision, ids, deletedKeys, expired, List.of(), List.of());
    }

    public LeasesEnded(long revision, List<Long> ids, List<String> deletedKeys, boolean expired,
            List<String> removedInstances) {
        this(revision, ids, deletedKeys, expired, removedInstances, List.of());
    }
}
