package io.muster.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.spring.discovery.MusterAutoServiceRegistration;
import io.muster.spring.discovery.MusterServiceRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.support.SimpleThreadScope;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationAutoConfiguration;

/**
 * Registration runs in a web application by default, and each switch turns it off: Spring Cloud's
 * discovery and auto-registration switches, and Muster's discovery and register switches. (The starter's tests
 * have neither the servlet API nor WebFlux: a context with a session scope is what
 * {@code @ConditionalOnWebApplication} takes for a servlet web application.)
 */
class MusterServiceRegistryAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner(
            MusterServiceRegistryAutoConfigurationTest::webContext)
            .withConfiguration(AutoConfigurations.of(MusterClientAutoConfiguration.class,
                    MusterDiscoveryAutoConfiguration.class, AutoServiceRegistrationAutoConfiguration.class,
                    MusterServiceRegistryAutoConfiguration.class))
            .withPropertyValues("spring.application.name=orders", "muster.client.instance.address=10.0.0.7",
                    "muster.client.url=http://127.0.0.1:9");

    @Test
    void registersByDefault() {
        runner.run(context -> assertThat(context).hasSingleBean(MusterServiceRegistry.class)
                .hasSingleBean(MusterAutoServiceRegistration.class));
    }

    @Test
    void eachSwitchTurnsRegistrationOff() {
        for (String off : new String[] {"spring.cloud.discovery.enabled=false", "muster.client.discovery.enabled=false",
                "spring.cloud.service-registry.auto-registration.enabled=false", "muster.client.discovery.register=false"}) {
            runner.withPropertyValues(off).run(context -> assertThat(context).as(off)
                    .doesNotHaveBean(MusterAutoServiceRegistration.class).doesNotHaveBean(MusterServiceRegistry.class));
        }
    }

    private static AnnotationConfigApplicationContext webContext() {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.getBeanFactory().registerScope("session", new SimpleThreadScope());
        return context;
    }
}
