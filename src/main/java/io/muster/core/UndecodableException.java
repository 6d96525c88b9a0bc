package io.muster.core;

/**
 * Bytes that are not a valid encoding: an unknown tag or format version, a length out of bounds, or
 * a checksum that does not match. In apply this is a broken invariant and stops the node; at the
 * API or on the leader before logging it is the caller's error.
 */
public final class UndecodableException extends RuntimeException {

    public UndecodableException(String message) {
        super(message);
    }
}
