package io.muster.spring.autoconfigure;

import io.muster.spring.discovery.MusterServiceCache;
import io.muster.spring.loadbalancer.MusterLoadBalancerClientConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClients;

/**
 * Every LoadBalancer client takes its instances from the discovery cache
 * ({@link MusterLoadBalancerClientConfiguration}), when the application has spring-cloud-loadbalancer
 * and Muster discovery runs.
 */
@AutoConfiguration(after = MusterDiscoveryAutoConfiguration.class)
@ConditionalOnClass(name = {"org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier",
        "reactor.core.publisher.Flux"})
@ConditionalOnProperty(name = "spring.cloud.loadbalancer.enabled", matchIfMissing = true)
@ConditionalOnBean(MusterServiceCache.class)
@LoadBalancerClients(defaultConfiguration = MusterLoadBalancerClientConfiguration.class)
public class MusterLoadBalancerAutoConfiguration {
}
