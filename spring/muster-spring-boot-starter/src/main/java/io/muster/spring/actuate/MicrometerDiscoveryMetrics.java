package io.muster.spring.actuate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.muster.spring.discovery.DiscoveryMetrics;

/**
 * {@link DiscoveryMetrics} as Micrometer counters: {@code muster.client.heartbeat{outcome}} and
 * {@code muster.client.watch.reconnects{stream=services}} (the configuration watch counts under
 * {@code stream=config}).
 *
 * <p>Thread-safe, as Micrometer's meters are.
 */
public final class MicrometerDiscoveryMetrics implements DiscoveryMetrics {

    private final MeterRegistry registry;
    private final Counter reconnects;

    public MicrometerDiscoveryMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.reconnects = Counter.builder("muster.client.watch.reconnects").tag("stream", "services")
                .description("Times the service watch broke and was reopened").register(registry);
    }

    @Override
    public void heartbeat(String outcome) {
        Counter.builder("muster.client.heartbeat").description("Lease heartbeats, by outcome").tag("outcome", outcome)
                .register(registry).increment();
    }

    @Override
    public void watchReconnect() {
        reconnects.increment();
    }
}
