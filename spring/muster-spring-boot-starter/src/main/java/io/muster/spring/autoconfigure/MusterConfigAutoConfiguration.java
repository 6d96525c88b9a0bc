package io.muster.spring.autoconfigure;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.muster.spring.client.MusterClientProperties;
import io.muster.spring.client.MusterContacts;
import io.muster.spring.client.MusterHttpClient;
import io.muster.spring.configdata.MusterConfigWatch;
import io.muster.spring.configdata.SchemaUpload;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Push refresh and the schema upload, for an application whose configuration a {@code muster:} import
 * loaded (the loader sets {@code muster.client.version}).
 */
@AutoConfiguration(after = MusterClientAutoConfiguration.class)
@ConditionalOnProperty(prefix = MusterClientProperties.PREFIX, name = {"enabled", "config.enabled"}, matchIfMissing = true)
@ConditionalOnProperty(name = "muster.client.version")
public class MusterConfigAutoConfiguration {

    @Bean
    @ConditionalOnBean(MusterHttpClient.class)
    @ConditionalOnProperty(prefix = MusterClientProperties.PREFIX, name = "config.watch.enabled", matchIfMissing = true)
    public MusterConfigWatch musterConfigWatch(MusterHttpClient client, Environment environment,
            ApplicationContext context, MusterClientProperties properties, MusterContacts contacts) {
        return new MusterConfigWatch(client, environment, context, properties, contacts);
    }

    @Bean
    @ConditionalOnBean(MusterHttpClient.class)
    @ConditionalOnProperty(prefix = MusterClientProperties.PREFIX, name = "config.upload-schema")
    public SchemaUpload musterSchemaUpload(MusterHttpClient client, Environment environment) {
        // The last name is the application's own (the highest of a comma list).
        String names = environment.getProperty("muster.loaded.names", "application");
        return new SchemaUpload(client, names.substring(names.lastIndexOf(',') + 1).trim());
    }

    /** {@code muster.client.refresh} and {@code muster.client.watch.reconnects{stream=config}}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class Metrics {

        @Bean
        @ConditionalOnBean(MusterConfigWatch.class)
        MeterBinder musterConfigWatchMeters(MusterConfigWatch watch) {
            return registry -> {
                FunctionCounter.builder("muster.client.refresh", watch, MusterConfigWatch::refreshCount)
                        .description("Refreshes Muster's configuration watch started that changed the configuration")
                        .register(registry);
                FunctionCounter.builder("muster.client.watch.reconnects", watch, MusterConfigWatch::reconnectCount)
                        .tag("stream", "config").description("Times a Muster stream was opened again after it ended")
                        .register(registry);
            };
        }
    }
}
