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
 * {@code GET /v1/services}, and {@code GET /v1/watch?fromRevision=&service=a&service=b} streams, all
 * with the client's fail-over across nodes. A watch URL holds at most {@value #MAX_WATCH_QUERY_CHARS}
 * characters and {@value #MAX_WATCH_SERVICES} services (Tomcat refuses a request line over 8 KB with a 400,
 * and Muster takes at most 256 services a stream); more services are split over several streams.
 *
 * <p>Thread-safe: it holds nothing but the (thread-safe) client.
 */
public final class MusterServiceCatalog implements ServiceCatalog {

    /** The longest watch path and query: half of Tomcat's default 8 KB request line, leaving room for the rest. */
    static final int MAX_WATCH_QUERY_CHARS = 4096;
    /** The most services one watch stream names. */
    static final int MAX_WATCH_SERVICES = 256;
    private static final String SERVICE_PARAMETER = "&service=";

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
        try {
            return client.stream(watchQuery(services, fromRevision), Map.of(), idleTimeout, new EventStream.Listener() {
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
    public List<List<String>> watchGroups(Collection<String> services) {
        return groups(services, MAX_WATCH_QUERY_CHARS, MAX_WATCH_SERVICES);
    }

    /** Consecutive groups of {@code services} whose watch query stays within {@code maxChars} and {@code maxServices}. */
    static List<List<String>> groups(Collection<String> services, int maxChars, int maxServices) {
        int base = watchQuery(List.of(), Long.MAX_VALUE).length();
        List<List<String>> groups = new ArrayList<>();
        List<String> group = new ArrayList<>();
        int length = base;
        for (String service : services) {
            int more = SERVICE_PARAMETER.length() + MusterHttpClient.encode(service).length();
            if (!group.isEmpty() && (length + more > maxChars || group.size() >= maxServices)) {
                groups.add(List.copyOf(group));
                group = new ArrayList<>();
                length = base;
            }
            group.add(service); // a single name too long for any group still gets a stream of its own
            length += more;
        }
        if (!group.isEmpty()) {
            groups.add(List.copyOf(group));
        }
        return groups;
    }

    static String watchQuery(Collection<String> services, long fromRevision) {
        StringBuilder query = new StringBuilder("/v1/watch?fromRevision=").append(fromRevision);
        services.forEach(service -> query.append(SERVICE_PARAMETER).append(MusterHttpClient.encode(service)));
        return query.toString();
    }

    @Override
    public String node() {
        return client.current().toString();
    }
}
