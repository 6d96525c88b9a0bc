package io.muster.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.muster.compat.client.CompatProperties;
import io.muster.compat.client.Greeter;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * A stock Spring Boot application with {@code spring-cloud-starter-config} and nothing of Muster's
 * takes its configuration from a real Muster node through {@code spring.config.import=configserver:}:
 * values, precedence, refresh, credentials, labels and failures behave as they do against Spring Cloud
 * Config Server (SPRING.md ).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConfigServerCompatIT {

    private static MusterNodes muster;
    private static MusterClient admin;
    private static String reader;
    private static String narrow;

    @BeforeAll
    static void seed() throws Exception {
        muster = MusterNodes.start(1);
        admin = muster.admin(1);
        admin.put("config/compat-client/default", "application/yaml", "compat:\n  greeting: hello\n  list: [a, b]\n");
        admin.put("config/compat-client/dev", "application/yaml", "compat:\n  greeting: hello-dev\n");
        admin.put("config/application/default", "text/x-java-properties", "compat.shared=s\n");
        admin.put("config/extra/default", "application/json", "{\"compat\":{\"greeting\":\"extra\"}}");
        reader = admin.createToken("compat-reader", "reader",
                List.of("config/compat-client/", "config/application/", "config/extra/", "config/nosuch/"));
        narrow = admin.createToken("compat-narrow", "reader", List.of("config/compat-client/"));
    }

    @AfterAll
    static void stop() {
        if (muster != null) {
            muster.close();
        }
    }

    private static String importing() {
        return "spring.config.import=configserver:" + muster.configUri(1);
    }

    @Test
    @Order(1)
    void anApplicationStartsWithItsPropertiesFromMuster() {
        try (ConfigurableApplicationContext app = StockApps.start(importing(), "spring.cloud.config.token=" + reader)) {
            ConfigurableEnvironment environment = app.getEnvironment();
            assertThat(environment.getProperty("compat.greeting")).isEqualTo("hello");
            assertThat(environment.getProperty("compat.shared")).isEqualTo("s");
            assertThat(environment.getProperty("compat.list[1]")).isEqualTo("b");
            assertThat(app.getBean(CompatProperties.class).getList()).containsExactly("a", "b");
            assertThat(names(environment)).contains("configserver:muster:compat-client", "configserver:muster:application");
            assertThat(environment.getProperty("config.client.version"))
                    .isEqualTo(admin.version("compat-client", "default"));
        }
    }

    @Test
    @Order(2)
    void theRemoteProfileDocumentOutranksTheBaseAndALocalProfileFile() {
        try (ConfigurableApplicationContext app = StockApps.start(importing(), "spring.cloud.config.token=" + reader,
                "spring.profiles.active=dev", "spring.config.additional-location=classpath:/local-dev/")) {
            assertThat(app.getEnvironment().getProperty("compat.greeting")).isEqualTo("hello-dev");
            assertThat(names(app.getEnvironment())).contains("configserver:muster:compat-client-dev");
        }
    }

    @Test
    @Order(3)
    void otherCredentialsStockClientsSend() {
        try (ConfigurableApplicationContext app = StockApps.start(importing(), "spring.cloud.config.username=any",
                "spring.cloud.config.password=" + reader)) {
            assertThat(app.getEnvironment().getProperty("compat.greeting")).as("Basic, the token as password").isEqualTo("hello");
        }
        try (ConfigurableApplicationContext app = StockApps.start(importing(),
                "spring.cloud.config.headers.authorization=Bearer " + reader)) {
            assertThat(app.getEnvironment().getProperty("compat.greeting")).as("Authorization: Bearer").isEqualTo("hello");
        }
    }

    @Test
    @Order(4)
    void namesLabelsAndUnknownApplications() {
        try (ConfigurableApplicationContext app = StockApps.start(importing(), "spring.cloud.config.token=" + reader,
                "spring.application.name=nosuch")) {
            assertThat(app.getEnvironment().getProperty("compat.shared")).as("the shared documents").isEqualTo("s");
            assertThat(app.getEnvironment().getProperty("compat.greeting")).isNull();
        }
        try (ConfigurableApplicationContext app = StockApps.start(importing(), "spring.cloud.config.token=" + reader,
                "spring.cloud.config.name=compat-client,extra")) {
            assertThat(app.getEnvironment().getProperty("compat.greeting")).as("the last name wins").isEqualTo("extra");
        }
        try (ConfigurableApplicationContext app = StockApps.start(importing(), "spring.cloud.config.token=" + reader,
                "spring.application.name=")) {
            assertThat(app.getEnvironment().getProperty("compat.shared")).as("the name 'application'").isEqualTo("s");
        }
        try (ConfigurableApplicationContext app = StockApps.start(importing(), "spring.cloud.config.token=" + reader,
                "spring.cloud.config.label=main")) {
            assertThat(app.getEnvironment().getProperty("compat.greeting")).isEqualTo("hello");
        }
        try (ConfigurableApplicationContext app = StockApps.start(importing(), "spring.cloud.config.token=" + reader,
                "spring.cloud.config.label=x,main")) {
            assertThat(app.getEnvironment().getProperty("compat.greeting")).as("falls back to main").isEqualTo("hello");
        }
        Throwable unknownLabel = catchThrowable(() -> StockApps.start(importing(), "spring.cloud.config.token=" + reader,
                "spring.cloud.config.label=x").close());
        assertThat(StockApps.failure(unknownLabel)).contains("None of labels [x] found");
    }

    @Test
    @Order(5)
    void missingWrongOrInsufficientTokensStopTheStart() {
        Throwable none = catchThrowable(() -> StockApps.start(importing(), "spring.cloud.config.fail-fast=true").close());
        assertThat(StockApps.failure(none)).contains("401");
        Throwable wrong = catchThrowable(() -> StockApps.start(importing(), "spring.cloud.config.token=not-a-token").close());
        assertThat(StockApps.failure(wrong)).contains("401");
        Throwable insufficient = catchThrowable(() -> StockApps.start(importing(), "spring.cloud.config.token=" + narrow).close());
        assertThat(StockApps.failure(insufficient)).contains("403").contains("config/application/");
        try (ConfigurableApplicationContext app = StockApps.start(
                "spring.config.import=optional:configserver:" + muster.configUri(1), "spring.cloud.config.token=not-a-token")) {
            assertThat(app.getEnvironment().getProperty("compat.greeting")).as("local configuration only").isNull();
        }
    }

    @Test
    @Order(6)
    void aRefreshSeesAChangedDocumentInRefreshScopeAndConfigurationProperties() throws Exception {
        try (ConfigurableApplicationContext app = StockApps.start(importing(), "spring.cloud.config.token=" + reader)) {
            assertThat(app.getBean(Greeter.class).greeting()).isEqualTo("hello");
            admin.put("config/compat-client/default", "application/yaml", "compat:\n  greeting: hello-2\n  list: [a, b]\n");
            assertThat(StockApps.refresh(app)).contains("compat.greeting");
            assertThat(app.getBean(Greeter.class).greeting()).isEqualTo("hello-2");
            assertThat(app.getBean(CompatProperties.class).getGreeting()).isEqualTo("hello-2");
            assertThat(app.getEnvironment().getProperty("config.client.version"))
                    .isEqualTo(admin.version("compat-client", "default"));
        }
    }

    @Test
    @Order(7)
    void deletingTheProfileDocumentFallsBackToTheBaseNotToTheStaleValue() throws Exception {
        try (ConfigurableApplicationContext app = StockApps.start(importing(), "spring.cloud.config.token=" + reader,
                "spring.profiles.active=dev")) {
            assertThat(app.getBean(Greeter.class).greeting()).isEqualTo("hello-dev");
            admin.delete("config/compat-client/dev");
            assertThat(StockApps.refresh(app)).contains("compat.greeting");
            assertThat(app.getEnvironment().getProperty("compat.greeting")).isEqualTo("hello-2");
            assertThat(app.getBean(Greeter.class).greeting()).isEqualTo("hello-2");
            assertThat(app.getBean(CompatProperties.class).getGreeting()).isEqualTo("hello-2");
        }
    }


    private static List<String> names(ConfigurableEnvironment environment) {
        return StreamSupport.stream(environment.getPropertySources().spliterator(), false).map(PropertySource::getName).toList();
    }
}
