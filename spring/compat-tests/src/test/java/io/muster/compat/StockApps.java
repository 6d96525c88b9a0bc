package io.muster.compat;

import io.muster.compat.client.CompatClientApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the stock client application with command-line properties, as an operator would start it:
 * a web server on a free port, the refresh endpoint exposed, nothing else of the test's.
 */
final class StockApps {

    private StockApps() {
    }

    /**
     * Starts the application; {@code properties} are {@code name=value} pairs that replace the defaults
     * (an empty value removes one: {@code spring.application.name=} starts it without a name).
     */
    static ConfigurableApplicationContext start(String... properties) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("server.port", "0");
        settings.put("server.address", "127.0.0.1");
        settings.put("spring.jmx.enabled", "false");
        settings.put("spring.main.banner-mode", "off");
        settings.put("management.endpoints.web.exposure.include", "refresh,health");
        settings.put("spring.application.name", "compat-client");
        for (String property : properties) {
            int equals = property.indexOf('=');
            String value = property.substring(equals + 1);
            if (value.isEmpty()) {
                settings.remove(property.substring(0, equals));
            } else {
                settings.put(property.substring(0, equals), value);
            }
        }
        return SpringApps.run(CompatClientApplication.class, settings);
    }

    /** POST /actuator/refresh on the running application; its answer lists the keys that changed. */
    static String refresh(ConfigurableApplicationContext app) throws Exception {
        String port = app.getEnvironment().getProperty("local.server.port");
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/refresh"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("refresh answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** What a failed start says, every cause included. */
    static String failure(Throwable failure) {
        StringBuilder message = new StringBuilder();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            message.append(cause.getClass().getName()).append(": ").append(cause.getMessage()).append('\n');
        }
        return message.toString();
    }
}
