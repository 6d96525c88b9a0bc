package io.muster.spring.autoconfigure;

import io.muster.spring.client.MusterClientProperties;
import io.muster.spring.client.MusterContacts;
import io.muster.spring.client.MusterHttpClient;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The client every other part of the starter uses. When configuration data came from Muster, the
 * loader's client is already in the context (promoted from the bootstrap context), and this one is
 * not made.
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = MusterClientProperties.PREFIX, name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(MusterClientProperties.class)
public class MusterClientAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public MusterHttpClient musterHttpClient(MusterClientProperties properties) {
        return MusterHttpClient.of(properties);
    }

    /** What the health component judges by: every part of the starter reports its contacts here. */
    @Bean
    @ConditionalOnMissingBean
    public MusterContacts musterContacts() {
        return new MusterContacts();
    }
}
