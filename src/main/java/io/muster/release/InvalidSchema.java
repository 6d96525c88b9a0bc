package io.muster.release;

/**
 * An uploaded schema that cannot be used: not Spring Boot configuration metadata, or a compact form
 * that is malformed or too large. The message says what was wrong, for the caller's problem detail.
 */
public final class InvalidSchema extends RuntimeException {

    InvalidSchema(String reason) {
        super(reason, null, false, false);
    }
}
