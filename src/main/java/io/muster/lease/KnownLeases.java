package io.muster.lease;

import io.muster.replication.Consistency;
import io.muster.replication.Gateway;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;

/**
 * Refuses, before anything is proposed, a request that names a lease that is gone. A lease's id is
 * the revision that granted it, so a node that has applied that revision and holds no such lease
 * knows for certain that it never existed or has ended: every replica agrees at every revision. A
 * node that has not applied it yet first passes a linearizable read barrier, after which it has
 * applied every grant acknowledged before the request; an id beyond that was never granted.
 */
public final class KnownLeases {

    private KnownLeases() {
    }

    /** @throws ProblemException {@code lease-not-found} when lease {@code id} is certainly gone */
    public static void requireNotGone(Gateway gateway, long id) {
        Boolean gone = gateway.read(Consistency.STALE, 0, store -> id <= store.revision() ? store.lease(id) == null : null)
                .value();
        if (gone == null) {
            gone = gateway.read(Consistency.LINEARIZABLE, 0, store -> store.lease(id) == null).value();
        }
        if (gone) {
            throw new ProblemException(ProblemType.LEASE_NOT_FOUND,
                    "lease " + id + " does not exist (never granted, revoked or expired)").with("lease", id);
        }
    }
}
