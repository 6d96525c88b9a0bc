package io.muster.lease;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * The {@code leases} health component: {@code DEGRADED} while the leader's mass-expiry guard holds
 * back the expiry of leases that carry service instances, {@code UP} otherwise. It is not part of
 * readiness: a held expiry is a warning for operators, not a reason to take the node out of service.
 */
@Component("leases")
class LeaseHealthIndicator extends AbstractHealthIndicator {

    static final Status DEGRADED = new Status("DEGRADED", "The mass-expiry guard is holding back lease expiry");

    private final Lessor lessor;

    LeaseHealthIndicator(Lessor lessor) {
        super("Lease health check failed");
        this.lessor = lessor;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Lessor.GuardState guard = lessor.guardState();
        builder.status(guard.paused() ? DEGRADED : Status.UP)
                .withDetail("expiryPaused", guard.paused())
                .withDetail("heldInstances", guard.heldInstances())
                .withDetail("pausedForMillis", guard.pausedForMillis())
                .withDetail("guardTrips", guard.trips());
    }
}
