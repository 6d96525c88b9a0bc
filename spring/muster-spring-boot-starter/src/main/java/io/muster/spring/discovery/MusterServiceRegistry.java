package io.muster.spring.discovery;

import io.muster.spring.client.MusterHttpClient;
import io.muster.spring.client.MusterUnavailableException;
import io.muster.spring.client.Response;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;
import tools.jackson.databind.JsonNode;

/**
 * Spring Cloud's {@link ServiceRegistry} over Muster's registry: register is
 * {@code PUT /v1/services/{s}/instances/{id}} with the lease's {@code ttlSeconds}, deregister is
 * {@code DELETE}, setStatus is {@code PATCH {status}} and getStatus reads the instance back. The
 * {@code serviceregistry} actuator endpoint works through it. Refusals carry Muster's problem detail.
 *
 * <p>Thread-safe: it holds only the (thread-safe) client; {@link #close} leaves that client open, as it
 * belongs to the context.
 */
public final class MusterServiceRegistry implements ServiceRegistry<MusterRegistration> {

    private static final Log logger = LogFactory.getLog(MusterServiceRegistry.class);

    private final MusterHttpClient client;
    private final long ttlSeconds;

    public MusterServiceRegistry(MusterHttpClient client, Duration ttl) {
        if (ttl.toSeconds() < 1) {
            throw new IllegalArgumentException("muster.client.discovery.ttl must be at least 1s, not " + ttl);
        }
        this.client = client;
        this.ttlSeconds = ttl.toSeconds();
    }

    @Override
    public void register(MusterRegistration registration) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("address", registration.getHost());
        body.put("port", registration.getPort());
        body.put("zone", registration.getZone());
        body.put("tags", registration.getTags());
        body.put("metadata", registration.getMetadata());
        body.put("status", registration.getStatus());
        body.put("ttlSeconds", ttlSeconds);
        JsonNode answer = client.send("PUT", path(registration), body, Map.of())
                .requireOk("register " + registration).json();
        registration.setLease(answer.path("instance").path("lease").asLong());
        logger.info("Registered " + registration + " with Muster (lease " + registration.getLease() + ", ttl "
                + ttlSeconds + " s)");
    }

    @Override
    public void deregister(MusterRegistration registration) {
        try {
            Response answer = client.send("DELETE", path(registration), null, Map.of());
            if (answer.ok()) {
                logger.info("Deregistered " + registration + " from Muster");
            } else {
                logger.warn("Deregistering " + registration + ": " + answer.node() + " answered " + answer.status()
                        + " " + answer.problemDetail() + "; the lease ends it within its ttl");
            }
        } catch (MusterUnavailableException e) {
            logger.warn("Deregistering " + registration + " failed (" + e.getMessage() + "); the lease ends it within its ttl");
        }
    }

    @Override
    public void close() {
        // The client is the context's, closed with it.
    }

    @Override
    public void setStatus(MusterRegistration registration, String status) {
        String wanted = status.trim().toUpperCase(Locale.ROOT);
        client.send("PATCH", path(registration), Map.of("status", wanted), Map.of())
                .requireOk("set the status of " + registration + " to " + wanted);
        registration.setStatus(wanted);
    }

    /** The instance's status as Muster has it, or {@code null} when it is not registered. */
    @Override
    @SuppressWarnings("unchecked")
    public <T> T getStatus(MusterRegistration registration) {
        JsonNode lookup = client.get("/v1/services/" + MusterHttpClient.encode(registration.getServiceId())
                + "?status=any", Map.of()).requireOk("read " + registration).json();
        for (JsonNode instance : lookup.path("instances")) {
            if (registration.getInstanceId().equals(instance.path("id").asString())) {
                return (T) instance.path("status").asString();
            }
        }
        return null;
    }

    /** {@code POST .../heartbeat}: the answer as it came (the caller decides what a 404 means). */
    Response heartbeat(MusterRegistration registration) {
        return client.send("POST", path(registration) + "/heartbeat", null, Map.of());
    }

    private static String path(MusterRegistration registration) {
        return "/v1/services/" + MusterHttpClient.encode(registration.getServiceId()) + "/instances/"
                + MusterHttpClient.encode(registration.getInstanceId());
    }
}
