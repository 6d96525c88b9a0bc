package io.muster.spring.autoconfigure;

import io.muster.spring.client.MusterClientProperties;
import io.muster.spring.client.MusterHttpClient;
import io.muster.spring.discovery.DiscoveryMetrics;
import io.muster.spring.discovery.MusterAutoServiceRegistration;
import io.muster.spring.client.MusterContacts;
import io.muster.spring.discovery.MusterRegistration;
import io.muster.spring.discovery.MusterServiceRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.cloud.client.ConditionalOnDiscoveryEnabled;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationAutoConfiguration;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationProperties;
import org.springframework.cloud.client.serviceregistry.ServiceRegistryAutoConfiguration;
import org.springframework.cloud.commons.util.InetUtils;
import org.springframework.cloud.commons.util.InetUtilsProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Registration of this web application with Muster: the {@link MusterServiceRegistry} (which the
 * {@code serviceregistry} actuator endpoint uses, hence before {@link ServiceRegistryAutoConfiguration}),
 * the {@link MusterRegistration}, and the {@link MusterAutoServiceRegistration} with its heartbeats. Needs
 * discovery on (neither {@code spring.cloud.discovery.enabled=false} nor
 * {@code muster.client.discovery.enabled=false}, as for {@link MusterDiscoveryAutoConfiguration}), a web
 * server, {@code muster.client.discovery.register} (default true) and Spring Cloud's auto-registration
 * ({@code spring.cloud.service-registry.auto-registration.enabled}, default true).
 */
@AutoConfiguration(after = {MusterDiscoveryAutoConfiguration.class, AutoServiceRegistrationAutoConfiguration.class},
        before = ServiceRegistryAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.web.server.context.WebServerInitializedEvent")
@ConditionalOnWebApplication
@ConditionalOnDiscoveryEnabled
@ConditionalOnProperty(prefix = MusterClientProperties.PREFIX, name = "enabled", matchIfMissing = true)
@ConditionalOnProperty(prefix = MusterClientProperties.PREFIX + ".discovery", name = "enabled", matchIfMissing = true)
@ConditionalOnProperty(prefix = MusterClientProperties.PREFIX + ".discovery", name = "register", matchIfMissing = true)
@ConditionalOnProperty(name = "spring.cloud.service-registry.auto-registration.enabled", matchIfMissing = true)
@ConditionalOnBean({MusterContacts.class, AutoServiceRegistrationProperties.class})
public class MusterServiceRegistryAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public MusterServiceRegistry musterServiceRegistry(MusterHttpClient client, MusterClientProperties properties) {
        return new MusterServiceRegistry(client, properties.getDiscovery().getTtl());
    }

    @Bean
    @ConditionalOnMissingBean
    public MusterRegistration musterRegistration(MusterClientProperties properties, Environment environment,
            ObjectProvider<InetUtils> inetUtils) {
        MusterClientProperties.Instance instance = properties.getInstance();
        String service = properties.getDiscovery().getServiceName() != null ? properties.getDiscovery().getServiceName()
                : environment.getProperty("spring.application.name", "application");
        String address = MusterRegistration.address(instance.getAddress(), System.getenv("POD_IP"), () -> {
            InetUtils.HostInfo host = inetUtils.getIfAvailable(() -> new InetUtils(new InetUtilsProperties()))
                    .findFirstNonLoopbackHostInfo();
            return instance.isPreferIpAddress() ? host.getIpAddress() : host.getHostname();
        });
        return new MusterRegistration(service, instance.getId(), address, instance.getZone(), instance.getTags(),
                instance.getLabels(), instance.getMetadata(),
                environment.getProperty("server.ssl.enabled", Boolean.class, false));
    }

    @Bean
    @ConditionalOnMissingBean
    public MusterAutoServiceRegistration musterAutoServiceRegistration(ApplicationContext context,
            MusterServiceRegistry registry, AutoServiceRegistrationProperties autoRegistration,
            MusterRegistration registration, MusterClientProperties properties, MusterContacts contacts,
            ObjectProvider<DiscoveryMetrics> metrics) {
        return new MusterAutoServiceRegistration(context, registry, autoRegistration, registration,
                properties.getDiscovery(), contacts, metrics.getIfAvailable(() -> DiscoveryMetrics.NONE));
    }
}
