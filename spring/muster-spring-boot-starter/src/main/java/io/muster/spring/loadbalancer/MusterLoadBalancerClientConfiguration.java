package io.muster.spring.loadbalancer;

import io.muster.spring.discovery.MusterServiceCache;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplierBuilder;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.cloud.loadbalancer.support.LoadBalancerEnvironmentPropertyUtils;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Each LoadBalancer client's configuration (registered as the default for every client): the
 * {@link MusterServiceInstanceListSupplier} of the client's service. Defined before Spring Cloud's own
 * {@code LoadBalancerClientConfiguration}, whose caching discovery supplier then backs off.
 *
 * <p>Of Spring Cloud's {@code spring.cloud.loadbalancer.configurations} (or
 * {@code spring.cloud.loadbalancer.clients.<name>.configurations}), {@code zone-preference},
 * {@code same-instance-preference}, {@code request-based-sticky-session} and {@code weighted} wrap the Muster
 * supplier as Spring Cloud would wrap its own; {@code health-check} and {@code subset} are not applied (the
 * watch already drops instances that stop heartbeating or are drained), nor are hints (Spring Cloud's default
 * chain has no configuration value for {@code HintBasedServiceInstanceListSupplier} either).
 *
 * <p>Thread-safe: configuration only.
 */
@Configuration(proxyBeanMethods = false)
public class MusterLoadBalancerClientConfiguration {

    @Bean
    public ServiceInstanceListSupplier musterServiceInstanceListSupplier(Environment environment,
            MusterServiceCache cache, ConfigurableApplicationContext context) {
        return supplier(new MusterServiceInstanceListSupplier(LoadBalancerClientFactory.getName(environment), cache),
                environment, context);
    }

    /** {@code base} wrapped as the client's {@code configurations} ask. */
    static ServiceInstanceListSupplier supplier(ServiceInstanceListSupplier base, Environment environment,
            ConfigurableApplicationContext context) {
        ServiceInstanceListSupplierBuilder builder = ServiceInstanceListSupplier.builder().withBase(base);
        if (configured(environment, "zone-preference")) {
            builder.withZonePreference();
        } else if (configured(environment, "same-instance-preference")) {
            builder.withSameInstancePreference();
        } else if (configured(environment, "request-based-sticky-session")) {
            builder.withRequestBasedStickySession();
        } else if (configured(environment, "weighted")) {
            builder.withWeighted();
        } else {
            return base;
        }
        return builder.build(context);
    }

    private static boolean configured(Environment environment, String configuration) {
        return LoadBalancerEnvironmentPropertyUtils.equalToForClientOrDefault(environment, "configurations",
                configuration);
    }
}
