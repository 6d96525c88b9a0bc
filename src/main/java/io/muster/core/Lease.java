package io.muster.core;

/**
 * A lease: a TTL that keys (and, later, service instances and lock holders) are bound to, so that
 * they end together when the lease is revoked or expires. Only its grant and its end are replicated;
 * how long it has left is the leader's business (keep-alives never reach the log).
 *
 * @param id             the revision that granted it: unique, and the same on every replica
 * @param ttlMillis      how long the lease lives without a keep-alive
 * @param grantedAtMillis the leader's time stamped into the grant
 */
public record Lease(long id, long ttlMillis, long grantedAtMillis) {

    /** The longest TTL a lease may ask for (30 days): a ceiling against mistakes, not a policy. */
    public static final long MAX_TTL_MILLIS = 30L * 24 * 3600 * 1000;

    /** The most leases one expiry command may end. */
    public static final int MAX_EXPIRED_PER_COMMAND = 10_000;
}
