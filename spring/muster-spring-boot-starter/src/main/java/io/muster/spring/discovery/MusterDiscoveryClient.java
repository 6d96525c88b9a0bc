package io.muster.spring.discovery;

import java.util.List;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

/**
 * Spring Cloud's blocking {@link DiscoveryClient} over Muster: instances from the watch-fed
 * {@link MusterServiceCache} (UP only), service names from {@code GET /v1/services}.
 *
 * <p>Thread-safe, as the cache and catalog are.
 */
public final class MusterDiscoveryClient implements DiscoveryClient {

    private final MusterServiceCache cache;
    private final ServiceCatalog catalog;

    public MusterDiscoveryClient(MusterServiceCache cache, ServiceCatalog catalog) {
        this.cache = cache;
        this.catalog = catalog;
    }

    @Override
    public String description() {
        return "Muster discovery client";
    }

    @Override
    public List<ServiceInstance> getInstances(String serviceId) {
        return cache.instances(serviceId);
    }

    @Override
    public List<String> getServices() {
        return catalog.services();
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
