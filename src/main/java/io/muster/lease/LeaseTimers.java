package io.muster.lease;

import io.muster.core.Lease;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The leader's lease timers, kept on every node so that a node that becomes leader has them at once.
 * Only a leader's deadlines mean anything: a node that starts to lead (a new term) restarts every
 * timer at its full TTL, since it cannot know when the old leader last heard a keep-alive.
 *
 * <p>Times are monotonic nanoseconds passed in by the caller. Not thread-safe: the {@link Lessor}
 * serialises every call.
 */
final class LeaseTimers {

    private final Map<Long, Timer> timers = new TreeMap<>();
    private long term = -1;
    /** While the expiry guard is paused, overdue leases it has not weighed yet may be revived too. */
    private boolean holding;

    private static final class Timer {
        final long ttlNanos;
        long deadline;
        /** Its expiry has been proposed: it must not be kept alive again. */
        boolean expiring;
        /** Overdue, but held back by the {@link ExpiryGuard}: a keep-alive may still revive it. */
        boolean held;

        Timer(long ttlNanos, long deadline) {
            this.ttlNanos = ttlNanos;
            this.deadline = deadline;
        }
    }

    /** A lease was granted (or found in a loaded state): its timer starts now at its full TTL. */
    void granted(long id, long ttlMillis, long now) {
        long ttlNanos = ttlMillis * 1_000_000;
        timers.putIfAbsent(id, new Timer(ttlNanos, now + ttlNanos));
    }

    void ended(long id) {
        timers.remove(id);
    }

    /** The whole state was replaced: the timers become exactly its leases, each at its full TTL. */
    void reload(Collection<Lease> leases, long now) {
        timers.clear();
        leases.forEach(lease -> granted(lease.id(), lease.ttlMillis(), now));
    }

    /**
     * Tells the timers which term this node leads in ({@code -1}: it does not lead). Entering a new
     * term restarts every timer at its full TTL.
     *
     * @return whether this node leads, so that its deadlines count
     */
    boolean lead(long leadingTerm, long now) {
        if (leadingTerm != term && leadingTerm >= 0) {
            for (Timer timer : timers.values()) {
                timer.deadline = now + timer.ttlNanos;
                timer.expiring = false;
                timer.held = false;
            }
        }
        term = leadingTerm;
        return leadingTerm >= 0;
    }

    /** Resets lease {@code id} to its full TTL, unless it is unknown or its time already ran out. */
    LeaseQuery.Answer keepAlive(long id, long now) {
        Timer timer = live(id, now);
        if (timer == null) {
            return LeaseQuery.Answer.GONE;
        }
        timer.deadline = now + timer.ttlNanos;
        timer.held = false;
        return answer(timer, now);
    }

    LeaseQuery.Answer timeLeft(long id, long now) {
        Timer timer = live(id, now);
        return timer == null ? LeaseQuery.Answer.GONE : answer(timer, now);
    }

    /**
     * Up to {@code max} leases whose deadline has passed, in id order, marked as expiring so that no
     * keep-alive revives them and no later call returns them again (unless {@link #expiryFailed}).
     */
    List<Long> due(long now, int max) {
        List<Long> due = new ArrayList<>();
        for (Map.Entry<Long, Timer> candidate : timers.entrySet()) {
            Timer timer = candidate.getValue();
            if (!timer.expiring && now - timer.deadline >= 0) {
                timer.expiring = true;
                due.add(candidate.getKey());
                if (due.size() == max) {
                    break;
                }
            }
        }
        return due;
    }

    /** The guard held {@code ids} back: they stay due, and a keep-alive may revive them meanwhile. */
    void hold(List<Long> ids) {
        for (long id : ids) {
            Timer timer = timers.get(id);
            if (timer != null) {
                timer.expiring = false;
                timer.held = true;
            }
        }
    }

    void holding(boolean paused) {
        holding = paused;
    }

    /** The expiry of {@code ids} did not commit: they become due again (their deadlines stay passed). */
    void expiryFailed(List<Long> ids) {
        for (long id : ids) {
            Timer timer = timers.get(id);
            if (timer != null) {
                timer.expiring = false;
            }
        }
    }

    int size() {
        return timers.size();
    }

    private Timer live(long id, long now) {
        Timer timer = timers.get(id);
        return timer == null || timer.expiring || (!timer.held && !holding && now - timer.deadline >= 0) ? null : timer;
    }

    private static LeaseQuery.Answer answer(Timer timer, long now) {
        return new LeaseQuery.Answer(LeaseQuery.Status.ALIVE, timer.ttlNanos / 1_000_000,
                Math.max(0, (timer.deadline - now) / 1_000_000));
    }
}
