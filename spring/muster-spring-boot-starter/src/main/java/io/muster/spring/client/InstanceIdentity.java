package io.muster.spring.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Who this application instance is, as Muster's gray rules and registry see it: its id and its labels.
 * The configuration data loader knows it before the web server has a port, so the id falls back to
 * the configured port and, failing that, is left to the registry (Muster then recognises the caller by
 * its address).
 *
 * @param id     the instance id ({@code muster.client.instance.id}, else {@code HOSTNAME}, else
 *               {@code host:application:port}); {@code null} when none can be told yet
 * @param labels the instance's labels ({@code muster.client.instance.labels})
 */
public record InstanceIdentity(String id, Map<String, String> labels) {

    public static final String INSTANCE_HEADER = "X-Muster-Instance";
    public static final String LABELS_HEADER = "X-Muster-Labels";

    public InstanceIdentity {
        labels = Map.copyOf(new LinkedHashMap<>(labels));
    }

    /**
     * The id an application gets: {@code configured} when set, else the {@code HOSTNAME} environment
     * variable (a pod's name), else {@code host:application:port} when the port is known ({@code port} > 0),
     * else {@code null}.
     */
    public static String defaultId(String configured, String hostname, String host, String application, int port) {
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        if (hostname != null && !hostname.isBlank()) {
            return hostname.trim();
        }
        if (port > 0 && application != null && !application.isBlank()) {
            return host + ":" + application + ":" + port;
        }
        return null;
    }

    /** The headers that tell Muster who asks: {@code X-Muster-Instance} and {@code X-Muster-Labels}. */
    public Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        if (id != null) {
            headers.put(INSTANCE_HEADER, id);
        }
        if (!labels.isEmpty()) {
            StringJoiner joined = new StringJoiner(",");
            labels.forEach((name, value) -> joined.add(name + "=" + value));
            headers.put(LABELS_HEADER, joined.toString());
        }
        return headers;
    }
}
