package io.muster.core;

import java.util.Arrays;
import java.util.List;

/**
 * An API token as the replicated state keeps it: never the secret, only its SHA-256.
 *
 * <p>A token is <em>confined</em> when it names key prefixes or services: it may then use only the keys
 * under its prefixes (none when it names none), register, renew, change and deregister instances only
 * of its services ({@code *}: any), and read and watch the registry only if it names services.
 * Leases, locks, elections and search need a token that is not confined.
 *
 * @param name            unique, chosen by the admin who created it; what the audit trail records
 * @param secretHash      SHA-256 of the secret (32 bytes)
 * @param role            what it may do
 * @param prefixes        for a reader or writer, the key prefixes it is confined to (empty: all keys
 *                        and every other API); always empty for an admin
 * @param createRevision  the revision that created it
 * @param createdAtMillis the leader's time stamped into that revision
 * @param services        for a reader or writer, the services whose instances it may write ({@code *}:
 *                        every service); naming any also lets it read the registry. Empty: none
 */
public record Token(String name, byte[] secretHash, Role role, List<String> prefixes, long createRevision,
        long createdAtMillis, List<String> services) {

    public static final int HASH_BYTES = 32;
    /** The service scope that names every service. */
    public static final String ANY_SERVICE = "*";

    public Token {
        prefixes = List.copyOf(prefixes);
        services = List.copyOf(services);
    }

    /** A token without service scopes. */
    public Token(String name, byte[] secretHash, Role role, List<String> prefixes, long createRevision,
            long createdAtMillis) {
        this(name, secretHash, role, prefixes, createRevision, createdAtMillis, List.of());
    }

    /** Whether this token is confined to key prefixes or services (see the class comment). */
    public boolean scoped() {
        return !prefixes.isEmpty() || !services.isEmpty();
    }

    /** Whether {@code key} lies under one of this token's prefixes (every key for a token that is not confined). */
    public boolean covers(String key) {
        return !scoped() || prefixes.stream().anyMatch(key::startsWith);
    }

    /** Whether this token may write instances of {@code service} (any, for a token that is not confined). */
    public boolean serves(String service) {
        return !scoped() || services.contains(ANY_SERVICE) || services.contains(service);
    }

    /** Whether this token may read and watch the service registry. */
    public boolean readsServices() {
        return !scoped() || !services.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Token that && name.equals(that.name) && Arrays.equals(secretHash, that.secretHash)
                && role == that.role && prefixes.equals(that.prefixes) && createRevision == that.createRevision
                && createdAtMillis == that.createdAtMillis && services.equals(that.services);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Long.hashCode(createRevision);
    }

    /** Never prints the hash: it identifies the secret. */
    @Override
    public String toString() {
        return "Token[" + name + ", " + role.label() + (prefixes.isEmpty() ? "" : ", prefixes=" + prefixes)
                + (services.isEmpty() ? "" : ", services=" + services) + ", createRevision="
                + createRevision + "]";
    }
}
