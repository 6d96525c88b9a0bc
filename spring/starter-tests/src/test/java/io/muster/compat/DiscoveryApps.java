package io.muster.compat;

import io.muster.compat.starter.discovery.DiscoveryApplication;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the stock discovery application with the starter, as an operator would: command-line properties
 * only (a web server on a free loopback port, health and the serviceregistry endpoint exposed, the
 * starter's configuration part off), and helpers to talk to it and to wait with deadlines.
 */
final class DiscoveryApps {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private DiscoveryApps() {
    }

    /** Starts the application against {@code urls} (comma list); {@code properties} ({@code name=value}) override the defaults. */
    static ConfigurableApplicationContext start(String urls, String... properties) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("server.port", "0");
        settings.put("server.address", "127.0.0.1");
        settings.put("spring.jmx.enabled", "false");
        settings.put("spring.main.banner-mode", "off");
        settings.put("spring.application.name", "compat-client");
        settings.put("management.endpoints.web.exposure.include", "health,serviceregistry,muster");
        settings.put("management.endpoint.health.show-details", "always");
        settings.put("management.endpoint.health.probes.enabled", "true");
        settings.put("muster.client.url", urls);
        settings.put("muster.client.token", MusterNodes.ADMIN_TOKEN);
        settings.put("muster.client.config.enabled", "false");
        settings.put("muster.client.instance.address", "127.0.0.1");
        settings.put("muster.client.discovery.ttl", "6s");
        settings.put("muster.client.discovery.heartbeat-interval", "1s");
        for (String property : properties) {
            int equals = property.indexOf('=');
            settings.put(property.substring(0, equals), property.substring(equals + 1));
        }
        return SpringApps.run(DiscoveryApplication.class, settings);
    }

    static int port(ConfigurableApplicationContext app) {
        return Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
    }

    /** A request to the application itself: status and body. */
    static HttpResponse<String> call(ConfigurableApplicationContext app, String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(app) + path))
                .timeout(Duration.ofSeconds(10));
        if (json != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until {@code condition} holds; fails with {@code what} when {@code deadline} passes first. */
    static void await(Duration deadline, String what, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + deadline.toMillis() + " ms: " + what);
            }
            try {
                Thread.sleep(20); // polling interval of a wait with a deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
