package io.muster.lease;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Protects service discovery from a mass expiry that is more likely the leader's or the network's
 * fault than a real exodus (etcd revoked every lease after a stalled leader; Eureka's
 * self-preservation never let go). The rule, stated in docs/api.md:
 *
 * <ul>
 *   <li>it trips when the instances that would expire now, plus those expired in the last
 *       {@code window}, exceed {@code share} of the registered instances (and at least
 *       {@code minInstances} are registered);
 *   <li>while tripped, leases that carry instances are held (a keep-alive revives them), leases that
 *       carry none still expire;
 *   <li>it lets go as soon as that count is back under the share (renewals came back, or the window
 *       moved on), or after {@code maxPause}, when everything overdue expires.
 * </ul>
 *
 * <p>Times are monotonic nanoseconds from the caller. Not thread-safe: the {@link Lessor}'s ticker
 * is its only caller.
 */
final class ExpiryGuard {

    private final double share;
    private final long windowNanos;
    private final int minInstances;
    private final long maxPauseNanos;
    private final ArrayDeque<long[]> recent = new ArrayDeque<>();
    private long pausedSince = -1;
    private long trips;
    private int heldInstances;

    ExpiryGuard(double share, long windowNanos, int minInstances, long maxPauseNanos) {
        this.share = share;
        this.windowNanos = windowNanos;
        this.minInstances = minInstances;
        this.maxPauseNanos = maxPauseNanos;
    }

    /** Which leases to expire now and which to hold. */
    record Decision(List<Long> expire, List<Long> hold) {
    }

    /**
     * @param due         leases past their deadline
     * @param instancesOf how many instances each due lease carries
     * @param registered  how many instances are registered in all
     */
    Decision decide(long now, List<Long> due, Map<Long, Integer> instancesOf, int registered) {
        while (!recent.isEmpty() && now - recent.peekFirst()[0] > windowNanos) {
            recent.removeFirst();
        }
        int candidates = 0;
        for (long id : due) {
            candidates += instancesOf.getOrDefault(id, 0);
        }
        int expiredInWindow = 0;
        for (long[] expiry : recent) {
            expiredInWindow += (int) expiry[1];
        }
        boolean overShare = registered >= minInstances && expiredInWindow + candidates > share * registered;
        boolean gaveUp = pausedSince >= 0 && now - pausedSince >= maxPauseNanos;
        if (!overShare || gaveUp || candidates == 0) {
            if (!overShare || gaveUp) {
                pausedSince = -1;
                heldInstances = 0;
            }
            record(now, candidates);
            return new Decision(due, List.of());
        }
        if (pausedSince < 0) {
            pausedSince = now;
            trips++;
        }
        List<Long> expire = new ArrayList<>();
        List<Long> hold = new ArrayList<>();
        for (long id : due) {
            (instancesOf.getOrDefault(id, 0) == 0 ? expire : hold).add(id);
        }
        heldInstances = candidates;
        return new Decision(expire, hold);
    }

    private void record(long now, int instances) {
        if (instances > 0) {
            recent.addLast(new long[] {now, instances});
        }
    }

    boolean paused() {
        return pausedSince >= 0;
    }

    /** When the current pause began (monotonic nanoseconds), or -1. */
    long pausedSince() {
        return pausedSince;
    }

    int heldInstances() {
        return heldInstances;
    }

    long trips() {
        return trips;
    }
}
