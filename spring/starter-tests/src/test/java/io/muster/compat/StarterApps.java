package io.muster.compat;

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
 * Starts a stock application that has the starter, with command-line properties as an operator would:
 * a web server on a free loopback port, actuator endpoints exposed, nothing else of the test's; and
 * talks to it, and waits with deadlines.
 */
final class StarterApps {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private StarterApps() {
    }

    /**
     * Starts {@code application}; {@code properties} are {@code name=value} pairs that replace the defaults
     * (an empty value removes one).
     */
    static ConfigurableApplicationContext start(Class<?> application, String name, String... properties) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("server.port", "0");
        settings.put("server.address", "127.0.0.1");
        settings.put("spring.jmx.enabled", "false");
        settings.put("spring.main.banner-mode", "off");
        settings.put("management.endpoints.web.exposure.include", "*");
        settings.put("management.endpoint.health.show-details", "always");
        settings.put("spring.application.name", name);
        for (String property : properties) {
            int equals = property.indexOf('=');
            String value = property.substring(equals + 1);
            if (value.isEmpty()) {
                settings.remove(property.substring(0, equals));
            } else {
                settings.put(property.substring(0, equals), value);
            }
        }
        return SpringApps.run(application, settings);
    }

    /** What a failed start says, every cause included. */
    static String failure(Throwable failure) {
        StringBuilder message = new StringBuilder();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            message.append(cause.getClass().getName()).append(": ").append(cause.getMessage()).append('\n');
        }
        return message.toString();
    }

    static int port(ConfigurableApplicationContext app) {
        return Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
    }

    /** A request to the application itself ({@code json} {@code null}: no body): status and body. */
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
