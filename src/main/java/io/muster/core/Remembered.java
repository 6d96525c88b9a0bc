package io.muster.core;

import java.util.Arrays;

/**
 * The result of an idempotent command, kept for replays until its window ends.
 *
 * @param slot            the principal and the client's Idempotency-Key, joined by a NUL
 * @param fingerprint     SHA-256 of the command's encoding: a retry must send the same command
 * @param expiresAtMillis the leader time after which the key may be used again
 * @param result          what applying the command produced, at its revision
 */
public record Remembered(String slot, byte[] fingerprint, long expiresAtMillis, Result result) {

    /** The slot of {@code key} for {@code principal}. */
    public static String slot(String principal, String key) {
        return principal + '\u0000' + key;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Remembered that && slot.equals(that.slot) && Arrays.equals(fingerprint, that.fingerprint)
                && expiresAtMillis == that.expiresAtMillis && result.equals(that.result);
    }

    @Override
    public int hashCode() {
        return slot.hashCode();
    }

    @Override
    public String toString() {
        return "Remembered[" + slot.replace('\u0000', '/') + ", expiresAt=" + expiresAtMillis + ", " + result + "]";
    }
}
