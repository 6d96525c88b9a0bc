package io.muster.spring.configdata;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The import check finds a muster: import wherever Boot would, and only then lets the application start. */
class MusterImportCheckTest {

    private static StandardEnvironment environment(org.springframework.core.env.PropertySource<?>... sources) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        for (org.springframework.core.env.PropertySource<?> source : sources) {
            environment.getPropertySources().addLast(source);
        }
        return environment;
    }

    private static void check(StandardEnvironment environment) {
        new MusterImportCheck().postProcessEnvironment(environment, null);
    }

    @Test
    void anImportInTheEnvironmentAListOrAnIndexedFormIsFound() {
        assertThatCode(() -> check(environment(new SystemEnvironmentPropertySource("systemEnvironment",
                Map.of("SPRING_CONFIG_IMPORT", "optional:muster:"))))).doesNotThrowAnyException();
        assertThatCode(() -> check(environment(new MapPropertySource("a", Map.of("spring.config.import",
                "optional:file:./local.properties,muster:http://h:1"))))).doesNotThrowAnyException();
        assertThatCode(() -> check(environment(new MapPropertySource("b", Map.of("spring.config.import[0]", "file:x",
                "spring.config.import[1]", "muster:"))))).doesNotThrowAnyException();
        assertThatCode(() -> check(environment(new MapPropertySource("c", Map.of("spring.config.import", "file:x")),
                new MapPropertySource("d", Map.of("spring.config.import", "muster:"))))).doesNotThrowAnyException();
    }

    @Test
    void noMusterImportFailsUnlessTheCheckOrConfigurationIsOff() {
        assertThatThrownBy(() -> check(environment(new MapPropertySource("a", Map.of("spring.config.import",
                "configserver:http://h/config"))))).isInstanceOf(MusterImportMissingException.class);
        assertThatCode(() -> check(environment(new MapPropertySource("a", Map.of(
                "muster.client.config.import-check.enabled", "false"))))).doesNotThrowAnyException();
        assertThatCode(() -> check(environment(new MapPropertySource("a", Map.of(
                "muster.client.config.enabled", "false"))))).doesNotThrowAnyException();
    }
}
