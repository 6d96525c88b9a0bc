package io.muster.spring.discovery;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import tools.jackson.databind.JsonNode;

/**
 * Muster's instance JSON ({@code InstanceView}) as a Spring Cloud {@link ServiceInstance}: host is the
 * registered address, {@code secure} comes from metadata {@code secure=true}, and the metadata carries
 * Muster's metadata plus {@code zone} (which the LoadBalancer's zone preference reads) and {@code tags}
 * (comma-joined).
 *
 * <p>Stateless and thread-safe.
 */
public final class MusterInstances {

    /** The metadata key that says the instance serves HTTPS. */
    public static final String SECURE = "secure";

    private MusterInstances() {
    }

    /** The instance of {@code view}, a JSON object as Muster writes it. */
    public static ServiceInstance of(JsonNode view) {
        Map<String, String> metadata = new LinkedHashMap<>();
        view.path("metadata").properties().forEach(field -> metadata.put(field.getKey(), field.getValue().asString("")));
        String zone = view.path("zone").asString("");
        if (!zone.isEmpty()) {
            metadata.put("zone", zone);
        }
        List<String> tags = view.path("tags").valueStream().map(tag -> tag.asString("")).toList();
        if (!tags.isEmpty()) {
            metadata.put("tags", String.join(",", tags));
        }
        boolean secure = "true".equalsIgnoreCase(metadata.get(SECURE));
        return new DefaultServiceInstance(view.path("id").asString(), view.path("service").asString(),
                view.path("address").asString(), view.path("port").asInt(), secure, metadata);
    }

    /** Whether {@code view}'s status is UP, the only status the cache keeps (as a default lookup does). */
    static boolean isUp(JsonNode view) {
        return "UP".equals(view.path("status").asString(""));
    }
}
