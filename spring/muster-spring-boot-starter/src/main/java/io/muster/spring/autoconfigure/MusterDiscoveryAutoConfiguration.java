package io.muster.spring.autoconfigure;

import io.muster.spring.client.MusterClientProperties;
import io.muster.spring.client.MusterHttpClient;
import io.muster.spring.discovery.DiscoveryMetrics;
import io.muster.spring.client.MusterContacts;
import io.muster.spring.discovery.MusterDiscoveryClient;
import io.muster.spring.discovery.MusterReactiveDiscoveryClient;
import io.muster.spring.discovery.MusterServiceCache;
import io.muster.spring.discovery.MusterServiceCatalog;
import io.muster.spring.discovery.ServiceCatalog;
import java.util.concurrent.Executors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cloud.client.ConditionalOnBlockingDiscoveryEnabled;
import org.springframework.cloud.client.ConditionalOnDiscoveryEnabled;
import org.springframework.cloud.client.ConditionalOnReactiveDiscoveryEnabled;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Discovery from Muster: the watch-fed {@link MusterServiceCache} behind a blocking and (with Reactor) a
 * reactive discovery client. Off with {@code spring.cloud.discovery.enabled=false} or
 * {@code muster.client.discovery.enabled=false}; each client also honours Spring Cloud's blocking and
 * reactive switches.
 */
@AutoConfiguration(after = MusterClientAutoConfiguration.class)
@ConditionalOnDiscoveryEnabled
@ConditionalOnProperty(prefix = MusterClientProperties.PREFIX, name = "enabled", matchIfMissing = true)
@ConditionalOnProperty(prefix = MusterClientProperties.PREFIX + ".discovery", name = "enabled", matchIfMissing = true)
@ConditionalOnBean(MusterHttpClient.class)
public class MusterDiscoveryAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public ServiceCatalog musterServiceCatalog(MusterHttpClient client, MusterClientProperties properties) {
        return new MusterServiceCatalog(client, properties.getDiscovery().getWatchIdleTimeout());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public MusterServiceCache musterServiceCache(ServiceCatalog catalog, MusterClientProperties properties,
            MusterContacts contacts, ObjectProvider<DiscoveryMetrics> metrics, ApplicationEventPublisher publisher) {
        MusterClientProperties.Discovery discovery = properties.getDiscovery();
        return new MusterServiceCache(catalog, discovery.getCache().getMaxServices(), discovery.getReconnectDelay(),
                discovery.getMaxReconnectDelay(), Executors.newSingleThreadScheduledExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "muster-discovery");
                    thread.setDaemon(true);
                    return thread;
                }), contacts, metrics.getIfAvailable(() -> DiscoveryMetrics.NONE),
                revision -> publisher.publishEvent(new HeartbeatEvent(catalog, revision)));
    }

    /** The blocking client, unless {@code spring.cloud.discovery.blocking.enabled=false}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBlockingDiscoveryEnabled
    static class Blocking {

        @Bean
        @ConditionalOnMissingBean
        MusterDiscoveryClient musterDiscoveryClient(MusterServiceCache cache, ServiceCatalog catalog) {
            return new MusterDiscoveryClient(cache, catalog);
        }
    }

    /** The reactive client, when the application has Reactor. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "reactor.core.publisher.Flux")
    @ConditionalOnReactiveDiscoveryEnabled
    static class Reactive {

        @Bean
        @ConditionalOnMissingBean
        MusterReactiveDiscoveryClient musterReactiveDiscoveryClient(MusterServiceCache cache, ServiceCatalog catalog) {
            return new MusterReactiveDiscoveryClient(cache, catalog);
        }
    }
}
