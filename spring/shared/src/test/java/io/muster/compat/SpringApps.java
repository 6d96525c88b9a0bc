package io.muster.compat;

import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts a stock application as an operator would: every setting a command-line property. */
final class SpringApps {

    private SpringApps() {
    }

    /**
     * Runs {@code application} with {@code settings}, one argument each (Spring joins repeated
     * command-line options into a comma list, so a setting must appear once).
     */
    static ConfigurableApplicationContext run(Class<?> application, Map<String, String> settings) {
        String[] args = settings.entrySet().stream().map(setting -> "--" + setting.getKey() + "=" + setting.getValue())
                .toArray(String[]::new);
        return new SpringApplicationBuilder(application).run(args);
    }
}
