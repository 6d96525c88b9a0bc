package io.muster.compat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts a stock application that has the starter, with command-line properties as an operator would:
 * a web server on a free loopback port, actuator endpoints exposed, nothing else of the test's.
 */
final class StarterApps {

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
}
