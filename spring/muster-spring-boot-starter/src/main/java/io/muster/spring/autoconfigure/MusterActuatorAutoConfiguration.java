package io.muster.spring.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.muster.spring.actuate.MicrometerDiscoveryMetrics;
import io.muster.spring.actuate.MusterEndpoint;
import io.muster.spring.actuate.MusterEndpointContributor;
import io.muster.spring.actuate.MusterHealthIndicator;
import io.muster.spring.client.MusterHttpClient;
import io.muster.spring.discovery.DiscoveryMetrics;
import io.muster.spring.client.MusterContacts;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What operators see of the starter, each part only when the application has its library: the
 * {@code muster} health indicator (spring-boot-health; needs registration or discovery to judge contacts),
 * the {@code muster} endpoint (actuator), and Micrometer counters for heartbeats and watch reconnects.
 */
@AutoConfiguration(after = {MusterClientAutoConfiguration.class, MusterDiscoveryAutoConfiguration.class,
        MusterServiceRegistryAutoConfiguration.class})
@ConditionalOnBean(MusterHttpClient.class)
public class MusterActuatorAutoConfiguration {

    /** The {@code muster} health component. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.AbstractHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("muster")
    @ConditionalOnBean(MusterContacts.class)
    static class Health {

        @Bean
        @ConditionalOnMissingBean(name = "musterHealthIndicator")
        MusterHealthIndicator musterHealthIndicator(MusterHttpClient client, MusterContacts contacts,
                ObjectProvider<MusterEndpointContributor> contributors) {
            return new MusterHealthIndicator(client, contacts, contributors.orderedStream().toList());
        }
    }

    /** {@code /actuator/muster}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
    @ConditionalOnAvailableEndpoint(MusterEndpoint.class)
    static class Endpoint {

        @Bean
        @ConditionalOnMissingBean
        MusterEndpoint musterEndpoint(MusterHttpClient client, ObjectProvider<MusterContacts> contacts,
                ObjectProvider<MusterEndpointContributor> contributors) {
            return new MusterEndpoint(client, contacts.getIfAvailable(), contributors.orderedStream().toList());
        }
    }

    /** Micrometer counters, when the application has Micrometer. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    @ConditionalOnBean(MusterContacts.class)
    static class Metrics {

        @Bean
        @ConditionalOnMissingBean
        DiscoveryMetrics musterDiscoveryMetrics(ObjectProvider<MeterRegistry> registry) {
            MeterRegistry meters = registry.getIfAvailable();
            return meters == null ? DiscoveryMetrics.NONE : new MicrometerDiscoveryMetrics(meters);
        }
    }
}
