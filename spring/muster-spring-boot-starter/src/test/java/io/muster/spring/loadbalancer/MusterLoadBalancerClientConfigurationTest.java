package io.muster.spring.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.config.LoadBalancerZoneConfig;
import org.springframework.cloud.client.loadbalancer.LoadBalancerClientsProperties;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.mock.env.MockEnvironment;
import reactor.core.publisher.Flux;

/**
 * Muster's supplier is used as it is by default, and wrapped as Spring Cloud would wrap its own for
 * {@code spring.cloud.loadbalancer.configurations=zone-preference}, so zone preference applies.
 */
class MusterLoadBalancerClientConfigurationTest {

    private final ServiceInstanceListSupplier base = new ServiceInstanceListSupplier() {
        @Override
        public String getServiceId() {
            return "orders";
        }

        @Override
        public Flux<List<ServiceInstance>> get() {
            return Flux.just(List.of(instance("o-1", "eu-1a"), instance("o-2", "eu-1b")));
        }
    };

    @Test
    void noConfigurationKeepsTheMusterSupplier() {
        assertThat(MusterLoadBalancerClientConfiguration.supplier(base, new MockEnvironment(), context("eu-1a")))
                .isSameAs(base);
    }

    @Test
    void zonePreferenceKeepsTheInstancesOfTheOwnZone() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("spring.cloud.loadbalancer.configurations", "zone-preference");
        ServiceInstanceListSupplier supplier = MusterLoadBalancerClientConfiguration.supplier(base, environment,
                context("eu-1b"));
        assertThat(supplier.get().blockFirst()).extracting(ServiceInstance::getInstanceId).containsExactly("o-2");
    }

    private static GenericApplicationContext context(String zone) {
        GenericApplicationContext context = new GenericApplicationContext();
        context.registerBean(LoadBalancerZoneConfig.class, () -> new LoadBalancerZoneConfig(zone));
        context.registerBean(LoadBalancerClientFactory.class,
                () -> new LoadBalancerClientFactory(new LoadBalancerClientsProperties()));
        context.refresh();
        return context;
    }

    private static ServiceInstance instance(String id, String zone) {
        return new DefaultServiceInstance(id, "orders", "10.0.0.1", 80, false, Map.of("zone", zone));
    }
}
