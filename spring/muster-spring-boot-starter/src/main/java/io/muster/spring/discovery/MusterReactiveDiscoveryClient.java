package io.muster.spring.discovery;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Spring Cloud's {@link ReactiveDiscoveryClient} over the same {@link MusterServiceCache} as the blocking
 * client. A lookup may read through to Muster (a first lookup, or while the watch is down), so it runs on
 * Reactor's bounded-elastic scheduler, never on an event loop.
 *
 * <p>Thread-safe, as the cache and catalog are.
 */
public final class MusterReactiveDiscoveryClient implements ReactiveDiscoveryClient {

    private final MusterServiceCache cache;
    private final ServiceCatalog catalog;

    public MusterReactiveDiscoveryClient(MusterServiceCache cache, ServiceCatalog catalog) {
        this.cache = cache;
        this.catalog = catalog;
    }

    @Override
    public String description() {
        return "Muster reactive discovery client";
    }

    @Override
    public Flux<ServiceInstance> getInstances(String serviceId) {
        return Flux.defer(() -> Flux.fromIterable(cache.instances(serviceId))).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Flux<String> getServices() {
        return Flux.defer(() -> Flux.fromIterable(catalog.services())).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public void probe() {
        cache.probe();
    }

    @Override
    public int getOrder() {
        return 0;
    }
}
