package io.muster.spring.discovery;

import io.muster.spring.client.EventStream;
import io.muster.spring.client.MusterHttpClient;
import io.muster.spring.client.MusterUnavailableException;
import io.muster.spring.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.springframework.cloud.client.ServiceInstance;
import tools.jackson.databind.JsonNode;

/**
 * {@link ServiceCatalog} over Muster's REST API: {@code GET /v1/services/{s}?status=UP&consistency=stale&minRevision=},
 * {@code GET /v1/services}, and one {@code GET /v1/watch?service=a&service=b&fromRevision=} stream, all
 * with the client's fail-over across nodes.
 *
 * <p>Thread-safe: it holds nothing but the (thread-safe) client.
 */
public final class MusterServiceCatalog implements ServiceCatalog {

    private final MusterHttpClient client;
    private final Duration idleTimeout;

    public MusterServiceCatalog(MusterHttpClient client, Duration idleTimeout) {
        this.client = client;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public Listing list(String service, long minRevision) {
        Response response = client.get("/v1/services/" + MusterHttpClient.encode(service)
                + "?status=UP&consistency=stale&minRevision=" + minRevision, Map.of()).requireOk("list " + service);
        JsonNode lookup = response.json();
        List<ServiceInstance> instances = new ArrayList<>();
        for (JsonNode view : lookup.path("instances")) {
            if (MusterInstances.isUp(view)) {
                instances.add(MusterInstances.of(view));
            }
        }
        return new Listing(service, lookup.path("revision").asLong(), List.copyOf(instances));
    }

    @Override
    public List<String> services() {
        JsonNode answer = client.get("/v1/services?consistency=stale", Map.of()).requireOk("list services").json();
        List<String> names = new ArrayList<>();
        for (JsonNode summary : answer.path("services")) {
            names.add(summary.path("name").asString());
        }
        return names;
    }

    @Override
    public AutoCloseable watch(Collection<String> services, long fromRevision, WatchListener listener) {
        StringBuilder query = new StringBuilder("/v1/watch?fromRevision=").append(fromRevision);
        services.forEach(service -> query.append("&service=").append(MusterHttpClient.encode(service)));
        try {
            return client.stream(query.toString(), Map.of(), idleTimeout, new EventStream.Listener() {
                @Override
                public void event(EventStream stream, String name, String id, String data) {
                    listener.event(name, data);
                }

                @Override
                public void closed(EventStream stream, Throwable failure) {
                    if (failure != null) {
                        client.avoid(stream.node());
                    }
                    listener.closed(failure);
                }
            });
        } catch (MusterUnavailableException e) {
            if (e.status() == 410) {
                throw new CompactedException(e.response().problemDetail());
            }
            throw e;
        }
    }

    @Override
    public String node() {
        return client.current().toString();
    }
}
