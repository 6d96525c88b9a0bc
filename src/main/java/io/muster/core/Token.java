package io.muster.core;

import java.util.Arrays;
import java.util.List;

/**
 * An API token as the replicated state keeps it: never the secret, only its SHA-256.
 *
 * @param name            unique, chosen by the admin who created it; what the audit trail records
 * @param secretHash      SHA-256 of the secret (32 bytes)
 * @param role            what it may do
 * @param prefixes        for a reader or writer, the key prefixes it is confined to (empty: all keys
 *                        and every other API); always empty for an admin
 * @param createRevision  the revision that created it
 * @param createdAtMillis the leader's time stamped into that revision
 */
public record Token(String name, byte[] secretHash, Role role, List<String> prefixes, long createRevision,
        long createdAtMillis) {

    public static final int HASH_BYTES = 32;

    public Token {
        prefixes = List.copyOf(prefixes);
    }

    /** Whether this token is confined to key prefixes. */
    public boolean scoped() {
        return !prefixes.isEmpty();
    }

    /** Whether {@code key} lies under one of this token's prefixes (every key for an unscoped token). */
    public boolean covers(String key) {
        return !scoped() || prefixes.stream().anyMatch(key::startsWith);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Token that && name.equals(that.name) && Arrays.equals(secretHash, that.secretHash)
                && role == that.role && prefixes.equals(that.prefixes) && createRevision == that.createRevision
                && createdAtMillis == that.createdAtMillis;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Long.hashCode(createRevision);
    }

    /** Never prints the hash: it identifies the secret. */
    @Override
    public String toString() {
        return "Token[" + name + ", " + role.label() + (scoped() ? ", prefixes=" + prefixes : "") + ", createRevision="
                + createRevision + "]";
    }
}
