package io.muster.it;

import java.time.Duration;
import java.util.function.Supplier;

/** Polling with a deadline: the only way tests wait. */
final class Waits {

    private Waits() {
    }

    /** Polls {@code probe} until it returns non-null, failing with {@code what} after {@code deadline}. */
    static <T> T until(String what, Duration deadline, Supplier<T> probe) {
        return until(what, deadline, Duration.ofMillis(50), probe);
    }

    /** As {@link #until(String, Duration, Supplier)}, polling every {@code interval}. */
    static <T> T until(String what, Duration deadline, Duration interval, Supplier<T> probe) {
        long end = System.nanoTime() + deadline.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < end) {
            try {
                T value = probe.get();
                if (value != null) {
                    return value;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
        throw new AssertionError("timed out after " + deadline + " waiting for " + what, last);
    }
}
