package io.muster.spring.client;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How this application's contacts with Muster went lately: heartbeats, listings, and the opening and
 * messages of the discovery and configuration streams each report success or failure. The health indicator reads it (DOWN after three failures in a row) rather
 * than adding requests of its own.
 *
 * <p>Thread-safe: atomics only.
 */
public final class MusterContacts {

    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicLong lastSuccessMillis = new AtomicLong();
    private final AtomicReference<String> lastFailure = new AtomicReference<>();

    public void success() {
        consecutiveFailures.set(0);
        lastSuccessMillis.set(System.currentTimeMillis());
    }

    public void failure(Throwable failure) {
        consecutiveFailures.incrementAndGet();
        lastFailure.set(failure.getMessage());
    }

    /** Failed contacts since the last successful one. */
    public int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    /** When a contact last succeeded (epoch ms; 0 before any). */
    public long lastSuccessMillis() {
        return lastSuccessMillis.get();
    }

    /** What the last failure said, Muster's problem detail included ({@code null} before any). */
    public String lastFailure() {
        return lastFailure.get();
    }
}
