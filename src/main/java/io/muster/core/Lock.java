package io.muster.core;

import java.util.List;

/**
 * A lock (or an election: a lock whose holder is the leader) and the queue in front of it. Holders
 * and waiters are bound to leases: when a holder's lease ends the lock passes to the first waiter
 * whose lease lives.
 *
 * @param name    the lock's name
 * @param holder  who holds it, or {@code null}
 * @param waiters who waits for it, in arrival order
 */
public record Lock(String name, Holder holder, List<Holder> waiters) {

    /** The longest queue one lock may have. */
    public static final int MAX_WAITERS = 10_000;

    public Lock {
        waiters = List.copyOf(waiters);
    }

    /**
     * A holder or waiter.
     *
     * @param owner the name the client gave itself (e.g. its pod name); with the lease it identifies
     *              the client, so that a retried acquire is recognised
     * @param token for the holder, the fencing token: the revision at which it acquired the lock,
     *              larger than every earlier holder's; for a waiter, the revision it started to wait
     */
    public record Holder(long lease, String owner, long token) {

        boolean same(long otherLease, String otherOwner) {
            return lease == otherLease && owner.equals(otherOwner);
        }
    }

    /** This lock's place in the queue for {@code lease}/{@code owner}: 0 = holds it, 1.. = waits, -1 = neither. */
    public int position(long lease, String owner) {
        if (holder != null && holder.same(lease, owner)) {
            return 0;
        }
        for (int i = 0; i < waiters.size(); i++) {
            if (waiters.get(i).same(lease, owner)) {
                return i + 1;
            }
        }
        return -1;
    }
}
