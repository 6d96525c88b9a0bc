package io.muster.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

/**
 * Declared tokens bind from the environment variables the chart sets (one list, from one source), and
 * a declaration that breaks a token rule stops the start with a message naming it.
 */
class DeclaredTokensTest {

    private static final String SECRET = "declared-secret-0123456789abcdef";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Config.class);

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(SecurityProperties.class)
    static class Config {
    }

    @Test
    void theChartsEnvironmentVariablesBindOneDeclaredToken() {
        runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                        new org.springframework.core.env.SystemEnvironmentPropertySource("test-systemEnvironment", Map.of(
                                "MUSTER_SECURITY_DECLAREDTOKENS_0_NAME", "payments",
                                "MUSTER_SECURITY_DECLAREDTOKENS_0_ROLE", "reader",
                                "MUSTER_SECURITY_DECLAREDTOKENS_0_PREFIXES", "config/payments/,config/application/",
                                "MUSTER_SECURITY_DECLAREDTOKENS_0_SERVICES", "payments",
                                "MUSTER_SECURITY_DECLAREDTOKENS_0_SECRET", SECRET))))
                .run(context -> {
                    SecurityProperties properties = context.getBean(SecurityProperties.class);
                    assertThat(properties.declaredTokens()).hasSize(1);
                    SecurityProperties.DeclaredToken token = properties.declaredTokens().get(0);
                    assertThat(token.name()).isEqualTo("payments");
                    assertThat(token.prefixes()).containsExactly("config/payments/", "config/application/");
                    assertThat(token.services()).containsExactly("payments");
                    assertThat(token.secret()).isEqualTo(SECRET);
                    assertThat(properties.toString()).doesNotContain(SECRET);
                });
    }

    @Test
    void brokenDeclarationsStopTheStartNamingTheRule() {
        refused("secret must be at least 24", "muster.security.declared-tokens[0].name=a", "muster.security.declared-tokens[0].secret=short");
        refused("reader or writer", "muster.security.declared-tokens[0].name=a", "muster.security.declared-tokens[0].role=owner",
                "muster.security.declared-tokens[0].secret=" + SECRET);
        refused("reader or writer", "muster.security.declared-tokens[0].name=a", "muster.security.declared-tokens[0].role=admin",
                "muster.security.declared-tokens[0].prefixes=config/", "muster.security.declared-tokens[0].secret=" + SECRET);
        refused("reader or writer", "muster.security.declared-tokens[0].name=a", "muster.security.declared-tokens[0].services=bad name",
                "muster.security.declared-tokens[0].secret=" + SECRET);
        refused("token name", "muster.security.declared-tokens[0].name=no spaces", "muster.security.declared-tokens[0].secret=" + SECRET);
        refused("distinct names", "muster.security.declared-tokens[0].name=admin", "muster.security.declared-tokens[0].secret=" + SECRET);
        refused("distinct names", "muster.security.declared-tokens[0].name=a", "muster.security.declared-tokens[0].secret=" + SECRET,
                "muster.security.declared-tokens[1].name=a", "muster.security.declared-tokens[1].secret=" + SECRET);
    }

    private void refused(String message, String... properties) {
        runner.withPropertyValues(properties).run(context ->
                assertThat(context).getFailure().as(String.join(" ", properties)).rootCause().hasMessageContaining(message));
    }

}
