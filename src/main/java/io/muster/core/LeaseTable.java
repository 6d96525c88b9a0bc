package io.muster.core;

import java.util.Collection;
import java.util.NavigableMap;
import java.util.TreeMap;

/** The leases by id (a lease's id is the revision that granted it). */
final class LeaseTable extends Table {

    private final NavigableMap<Long, Lease> leases = new TreeMap<>();

    LeaseTable(Now now, Effects effects) {
        super(now, effects);
    }

    void restore(Lease lease) {
        if (lease.id() > now.revision || leases.put(lease.id(), lease) != null) {
            throw new UndecodableException("snapshot lease " + lease.id() + " is duplicated or newer than the snapshot");
        }
    }

    Lease get(long id) {
        return leases.get(id);
    }

    boolean exists(long id) {
        return leases.containsKey(id);
    }

    Collection<Lease> all() {
        return leases.values();
    }

    /** The leases with ids above {@code after}, by id; a live view. */
    Collection<Lease> after(long after) {
        return leases.tailMap(after, false).values();
    }

    /** {@code null} when {@code lease} is 0 (none) or exists; else the rejection of a command about {@code key}. */
    Rejected check(String key, long lease) {
        return lease == 0 || leases.containsKey(lease) ? null : now.leaseNotFound(key, lease);
    }

    Lease grant(long ttlMillis) {
        Lease lease = new Lease(now.revision, ttlMillis, now.timeMillis);
        leases.put(lease.id(), lease);
        effects.granted(lease);
        return lease;
    }

    /** Removes lease {@code id}; {@code false} when there was none. The store reports the ended ones, in id order. */
    boolean end(long id) {
        return leases.remove(id) != null;
    }
}
