package io.muster.spring.loadbalancer;

import io.muster.spring.discovery.MusterServiceCache;
import java.util.List;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * One service's instances for the LoadBalancer: {@link #get()} emits the cache's current list, then each
 * change the watch brings. The LoadBalancer takes the first list per call, so each call sees the cache as
 * it is; not to be wrapped in {@code CachingServiceInstanceListSupplier}. A cached service is answered on
 * the subscriber's thread without I/O; the first lookup of a service reads through to Muster, so it is
 * subscribed on Reactor's bounded-elastic scheduler, never on an event loop.
 *
 * <p>Thread-safe: stateless beyond the (thread-safe) cache.
 */
public final class MusterServiceInstanceListSupplier implements ServiceInstanceListSupplier {

    private final String serviceId;
    private final MusterServiceCache cache;

    public MusterServiceInstanceListSupplier(String serviceId, MusterServiceCache cache) {
        this.serviceId = serviceId;
        this.cache = cache;
    }

    @Override
    public String getServiceId() {
        return serviceId;
    }

    @Override
    public Flux<List<ServiceInstance>> get() {
        Flux<List<ServiceInstance>> instances = Flux.create(sink -> {
            AutoCloseable subscription = cache.subscribe(serviceId, sink::next);
            sink.onDispose(() -> {
                try {
                    subscription.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                sink.next(cache.instances(serviceId));
            } catch (RuntimeException e) {
                sink.error(e);
            }
        });
        return cache.cached(serviceId) ? instances : instances.subscribeOn(Schedulers.boundedElastic());
    }
}
