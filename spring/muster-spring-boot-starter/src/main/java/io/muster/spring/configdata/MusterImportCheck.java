package io.muster.spring.configdata;

import io.muster.spring.client.MusterClientProperties;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * Fails start-up when the starter is present, configuration is enabled, and no
 * {@code spring.config.import} (in any property source, as Boot reads it: {@code SPRING_CONFIG_IMPORT} in
 * the environment, comma lists, indexed forms) names {@code muster:}:
 * an application would otherwise start with its packaged defaults and nobody would notice. Off with
 * {@code muster.client.config.import-check.enabled=false}, or with configuration off
 * ({@code muster.client.config.enabled=false}, for discovery only).
 */
public class MusterImportCheck implements EnvironmentPostProcessor, Ordered {

    static final String IMPORT = "spring.config.import";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!enabled(environment, ".enabled") || !enabled(environment, ".config.enabled")
                || !enabled(environment, ".config.import-check.enabled")) {
            return;
        }
        for (PropertySource<?> source : environment.getPropertySources()) {
            // Each source on its own (Boot imports from every one), read as Boot reads it: relaxed names
            // (SPRING_CONFIG_IMPORT in the environment), comma lists and indexed forms.
            java.util.List<org.springframework.boot.context.properties.source.ConfigurationPropertySource> adapted =
                    new java.util.ArrayList<>();
            ConfigurationPropertySources.from(source).forEach(adapter -> {
                if (adapter != null) { // a source Boot cannot adapt (a stub, say) holds no import
                    adapted.add(adapter);
                }
            });
            String[] imports = adapted.isEmpty() ? new String[0]
                    : new Binder(adapted).bind(IMPORT, Bindable.of(String[].class)).orElse(new String[0]);
            for (String location : imports) {
                if (imports(location)) {
                    return;
                }
            }
        }
        throw new MusterImportMissingException();
    }

    private static boolean enabled(ConfigurableEnvironment environment, String suffix) {
        return environment.getProperty(MusterClientProperties.PREFIX + suffix, Boolean.class, true);
    }

    private static boolean imports(Object value) {
        if (value == null) {
            return false;
        }
        for (String location : value.toString().split("[,;]")) {
            String trimmed = location.trim();
            if (trimmed.startsWith("optional:")) {
                trimmed = trimmed.substring("optional:".length());
            }
            if (trimmed.startsWith(MusterConfigDataLocationResolver.PREFIX)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE; // after Boot's config data processing has found every import
    }

    /** The report for {@link MusterImportMissingException}. */
    public static class MissingImportAnalyzer extends AbstractFailureAnalyzer<MusterImportMissingException> {

        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, MusterImportMissingException cause) {
            return new FailureAnalysis(cause.getMessage() + ".",
                    "Add spring.config.import=muster: (or optional:muster:, or muster:http://node:8080) to the "
                            + "application's configuration. To use the starter for discovery only, set "
                            + "muster.client.config.enabled=false; to skip this check, set "
                            + "muster.client.config.import-check.enabled=false.", cause);
        }
    }
}
