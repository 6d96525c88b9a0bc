package io.muster.core;

/**
 * Where the store is in the log while it applies: the revision (the index of the entry being
 * applied) and the applied time (the largest leader time seen). Shared by the store and its tables;
 * only the store moves it.
 */
final class Now {

    long revision;
    long timeMillis;

    Rejected rejected(Rejected.Reason reason, String key, String detail) {
        return new Rejected(revision, reason, key, 0, detail);
    }

    Rejected leaseNotFound(String key, long lease) {
        return rejected(Rejected.Reason.LEASE_NOT_FOUND, key,
                "lease " + lease + " does not exist (never granted, revoked or expired)");
    }
}
