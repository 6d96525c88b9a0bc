package io.muster.lease;

import io.muster.MusterProperties;
import io.muster.core.Lease;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;

/** The TTL a client asks for a lease (a grant, or an instance's own lease), in whole seconds. */
public final class LeaseTtl {

    private LeaseTtl() {
    }

    /**
     * {@code ttlSeconds} in milliseconds, if it lies within {@code muster.lease.min-ttl} (rounded up to a
     * whole second) and 30 days.
     *
     * @throws ProblemException invalid-request naming field {@code ttlSeconds}, when it does not
     */
    public static long millis(long ttlSeconds, MusterProperties.Leases leases) {
        long minSeconds = (leases.minTtl().toMillis() + 999) / 1000;
        long maxSeconds = Lease.MAX_TTL_MILLIS / 1000;
        if (ttlSeconds < minSeconds || ttlSeconds > maxSeconds) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "ttlSeconds must be within " + minSeconds + ".."
                    + maxSeconds + " (muster.lease.min-ttl to 30 days) but was " + ttlSeconds)
                    .with("field", "ttlSeconds");
        }
        return ttlSeconds * 1000;
    }
}
