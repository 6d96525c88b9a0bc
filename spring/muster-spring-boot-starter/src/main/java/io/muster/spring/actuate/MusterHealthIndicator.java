package io.muster.spring.actuate;

import io.muster.spring.client.MusterHttpClient;
import io.muster.spring.client.MusterContacts;
import java.util.List;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code muster} health component: DOWN after {@value #MISSED_CONTACTS} failed contacts in a row
 * (heartbeats, listings, watch opens), with the node reached, the revision seen and each
 * {@link MusterEndpointContributor}'s section as details. It sends no request of its own. Never part of
 * the readiness or liveness groups (SPRING.md pitfall 14).
 *
 * <p>Thread-safe: it reads thread-safe state only.
 */
public final class MusterHealthIndicator extends AbstractHealthIndicator {

    static final int MISSED_CONTACTS = 3;

    private final MusterHttpClient client;
    private final MusterContacts contacts;
    private final List<MusterEndpointContributor> contributors;

    public MusterHealthIndicator(MusterHttpClient client, MusterContacts contacts,
            List<MusterEndpointContributor> contributors) {
        super("Muster health check failed");
        this.client = client;
        this.contacts = contacts;
        this.contributors = List.copyOf(contributors);
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        int missed = contacts.consecutiveFailures();
        if (missed >= MISSED_CONTACTS) {
            builder.down().withDetail("missedContacts", missed).withDetail("lastFailure", contacts.lastFailure());
        } else {
            builder.up();
        }
        builder.withDetail("node", client.current().toString()).withDetail("revision", client.lastRevision());
        contributors.forEach(contributor -> builder.withDetail(contributor.name(), contributor.details()));
    }
}
