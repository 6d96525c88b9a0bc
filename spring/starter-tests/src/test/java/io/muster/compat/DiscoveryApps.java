package io.muster.compat;

import io.muster.compat.starter.discovery.DiscoveryApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the stock discovery application with the starter, as an operator would: command-line properties
 * only (a web server on a free loopback port, health and the serviceregistry endpoint exposed, the
 * starter's configuration part off); {@link StarterApps} talks to it and waits with deadlines.
 */
final class DiscoveryApps {

    private DiscoveryApps() {
    }

    /** Starts the application against {@code urls} (comma list); {@code properties} ({@code name=value}) override the defaults. */
    static ConfigurableApplicationContext start(String urls, String... properties) {
        String[] defaults = {"management.endpoints.web.exposure.include=health,serviceregistry,muster",
            "management.endpoint.health.probes.enabled=true", "muster.client.url=" + urls,
            "muster.client.token=" + MusterNodes.ADMIN_TOKEN, "muster.client.config.enabled=false",
            "muster.client.instance.address=127.0.0.1", "muster.client.discovery.ttl=6s",
            "muster.client.discovery.heartbeat-interval=1s"};
        String[] all = new String[defaults.length + properties.length];
        System.arraycopy(defaults, 0, all, 0, defaults.length);
        System.arraycopy(properties, 0, all, defaults.length, properties.length);
        return StarterApps.start(DiscoveryApplication.class, "compat-client", all);
    }
}
