package io.muster.support;

import java.time.Duration;

/**
 * A point in time by which a call that retries must have answered, on the monotonic clock: for the
 * loops that ask again (after a short pause) until an answer comes or the time is up. Immutable.
 */
public final class Deadline {

    private final long atNanos;

    private Deadline(long atNanos) {
        this.atNanos = atNanos;
    }

    /** The deadline {@code timeout} from now. */
    public static Deadline after(Duration timeout) {
        return new Deadline(System.nanoTime() + timeout.toNanos());
    }

    /** Nanoseconds left, at least 1: for a wait that must not be unbounded or zero. */
    public long nanosLeft() {
        return Math.max(1, atNanos - System.nanoTime());
    }

    /** Milliseconds left, at least 1. */
    public long millisLeft() {
        return Math.max(1, (atNanos - System.nanoTime()) / 1_000_000);
    }

    public boolean passed() {
        return System.nanoTime() > atNanos;
    }

    /**
     * Sleeps {@code pause} before the next attempt, unless the deadline would pass meanwhile.
     *
     * @return whether there is time for another attempt; {@code false} (at once) means give up
     * @throws InterruptedException with the thread's interrupt flag set again, so callers can give up
     */
    public boolean pauseBeforeRetry(Duration pause) throws InterruptedException {
        if (System.nanoTime() + pause.toNanos() > atNanos) {
            return false;
        }
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        }
        return true;
    }
}
