package io.muster.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/** Locks (and elections) that have a holder or waiters, by name; each holder and waiter is bound to a lease. */
final class LockTable extends Table {

    private final NavigableMap<String, Lock> locks = new TreeMap<>();

    LockTable(Now now, Effects effects) {
        super(now, effects);
    }

    void restore(Lock lock, LeaseTable leases) {
        boolean bound = (lock.holder() == null || leases.exists(lock.holder().lease()))
                && lock.waiters().stream().allMatch(waiter -> leases.exists(waiter.lease()));
        if (!bound || locks.put(lock.name(), lock) != null) {
            throw new UndecodableException("snapshot lock '" + lock.name() + "' is duplicated or bound to a missing lease");
        }
    }

    Lock get(String name) {
        return locks.get(name);
    }

    Collection<Lock> all() {
        return locks.values();
    }

    /** The locks whose names start with {@code prefix}, by name; a live view. */
    Collection<Lock> under(String prefix) {
        return locks.subMap(prefix, true, prefix + Character.MAX_VALUE, false).values();
    }

    Result acquire(Command.AcquireLock acquire, LeaseTable leases) {
        if (!leases.exists(acquire.lease())) {
            return now.leaseNotFound(acquire.name(), acquire.lease());
        }
        Lock lock = locks.getOrDefault(acquire.name(), new Lock(acquire.name(), null, List.of()));
        int position = lock.position(acquire.lease(), acquire.owner());
        if (position >= 0) {
            return answered(lock, position, false);
        }
        Lock.Holder client = new Lock.Holder(acquire.lease(), acquire.owner(), now.revision);
        if (lock.holder() == null) {
            lock = new Lock(lock.name(), client, lock.waiters());
        } else if (lock.waiters().size() >= Lock.MAX_WAITERS) {
            return now.rejected(Rejected.Reason.INVALID_COMMAND, acquire.name(),
                    "lock '" + acquire.name() + "' already has " + Lock.MAX_WAITERS + " waiters");
        } else {
            List<Lock.Holder> waiters = new ArrayList<>(lock.waiters());
            waiters.add(client);
            lock = new Lock(lock.name(), lock.holder(), waiters);
        }
        locks.put(lock.name(), lock);
        return answered(lock, lock.position(acquire.lease(), acquire.owner()), false);
    }

    Result release(Command.ReleaseLock release) {
        Lock lock = locks.get(release.name());
        if (lock == null || lock.holder() == null || lock.holder().token() != release.token()) {
            return answered(lock == null ? new Lock(release.name(), null, List.of()) : lock, -1, false);
        }
        return answered(promote(new Lock(lock.name(), null, lock.waiters())), -1, true);
    }

    Result cancel(Command.CancelLockWait cancel) {
        Lock lock = locks.get(cancel.name());
        if (lock == null) {
            return answered(new Lock(cancel.name(), null, List.of()), -1, false);
        }
        List<Lock.Holder> waiters = new ArrayList<>(lock.waiters());
        waiters.removeIf(waiter -> waiter.same(cancel.lease(), cancel.owner()));
        Lock after = new Lock(lock.name(), lock.holder(), waiters);
        locks.put(after.name(), after);
        return answered(after, after.position(cancel.lease(), cancel.owner()), false);
    }

    /**
     * The answer to a lock command, which the followers hear about whatever it changed (a waiting
     * client learns its position from it).
     */
    private LockResult answered(Lock lock, int position, boolean released) {
        effects.lock(lock);
        return new LockResult(now.revision, lock, position, released);
    }

    /** Drops holders and waiters bound to {@code ended} leases; returns the names of the locks that changed. */
    List<String> leasesEnded(Set<Long> ended) {
        if (ended.isEmpty() || locks.isEmpty()) {
            return List.of();
        }
        List<String> changed = new ArrayList<>();
        for (Lock lock : new ArrayList<>(locks.values())) {
            boolean holderGone = lock.holder() != null && ended.contains(lock.holder().lease());
            List<Lock.Holder> waiters = new ArrayList<>(lock.waiters());
            boolean waitersGone = waiters.removeIf(waiter -> ended.contains(waiter.lease()));
            if (holderGone || waitersGone) {
                effects.lock(promote(new Lock(lock.name(), holderGone ? null : lock.holder(), waiters)));
                changed.add(lock.name());
            }
        }
        return changed;
    }

    /** Gives a lock without a holder to its first waiter, at this revision; forgets a lock nobody wants. */
    private Lock promote(Lock lock) {
        Lock after = lock;
        if (lock.holder() == null && !lock.waiters().isEmpty()) {
            Lock.Holder next = lock.waiters().get(0);
            after = new Lock(lock.name(), new Lock.Holder(next.lease(), next.owner(), now.revision),
                    lock.waiters().subList(1, lock.waiters().size()));
        }
        if (after.holder() == null && after.waiters().isEmpty()) {
            locks.remove(after.name());
        } else {
            locks.put(after.name(), after);
        }
        return after;
    }
}
