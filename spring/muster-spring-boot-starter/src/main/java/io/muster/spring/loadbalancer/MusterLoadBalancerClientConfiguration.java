package io.muster.spring.loadbalancer;

import io.muster.spring.discovery.MusterServiceCache;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Each LoadBalancer client's configuration (registered as the default for every client): the
 * {@link MusterServiceInstanceListSupplier} of the client's service. Defined before Spring Cloud's own
 * {@code LoadBalancerClientConfiguration}, whose caching discovery supplier then backs off.
 *
 * <p>Thread-safe: configuration only.
 */
@Configuration(proxyBeanMethods = false)
public class MusterLoadBalancerClientConfiguration {

    @Bean
    public ServiceInstanceListSupplier musterServiceInstanceListSupplier(Environment environment,
            MusterServiceCache cache) {
        return new MusterServiceInstanceListSupplier(LoadBalancerClientFactory.getName(environment), cache);
    }
}
