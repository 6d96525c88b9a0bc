package io.muster.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.compat.client.CompatProperties;
import io.muster.compat.client.Greeter;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Configuration releases as two stock Spring Cloud Config clients see them (SPRING.md B-1 to B-3): a
 * canary application that sends {@code spring.cloud.config.headers.x-muster-labels=track=canary} and a
 * plain one. A draft changes nothing they see; a publish reaches both on their next refresh; a release in
 * gray for {@code track=canary} reaches the canary only, with a different {@code config.client.version};
 * publishing it reaches the plain one too.
 */
class ReleaseCompatIT {

    private static final String APP = "compat-client";
    private static MusterNodes muster;
    private static MusterClient admin;
    private static String reader;

    @BeforeAll
    static void seed() throws Exception {
        muster = MusterNodes.start(1);
        admin = muster.admin(1);
        admin.put("config/" + APP + "/default", "application/yaml", "compat:\n  greeting: hello-2\n  list: [a, b]\n");
        admin.put("config/" + APP + "/dev", "application/yaml", "compat:\n  other: dev-2\n");
        admin.put("config/application/default", "text/x-java-properties", "compat.shared=s\n");
        reader = admin.createToken("release-reader", "reader", List.of("config/" + APP + "/", "config/application/"));
    }

    @AfterAll
    static void stop() {
        if (muster != null) {
            muster.close();
        }
    }

    @Test
    void draftsAreNotServedPublishReachesBothAndGrayReachesTheCanaryOnly() throws Exception {
        String importing = "spring.config.import=configserver:" + muster.configUri(1);
        try (ConfigurableApplicationContext canary = StockApps.start(importing, "spring.cloud.config.token=" + reader,
                "spring.cloud.config.headers.x-muster-labels=track=canary");
             ConfigurableApplicationContext plain = StockApps.start(importing, "spring.cloud.config.token=" + reader)) {
            assertThat(greeting(canary)).isEqualTo("hello-2");
            assertThat(greeting(plain)).isEqualTo("hello-2");

            long draft = draft("Greeting 3", "hello-3");
            assertThat(StockApps.refresh(canary)).doesNotContain("compat.greeting");
            assertThat(StockApps.refresh(plain)).doesNotContain("compat.greeting");
            assertThat(greeting(canary)).isEqualTo("hello-2");

            publish(draft);
            assertThat(StockApps.refresh(canary)).contains("compat.greeting");
            assertThat(StockApps.refresh(plain)).contains("compat.greeting");
            assertThat(greeting(canary)).isEqualTo("hello-3");
            assertThat(greeting(plain)).isEqualTo("hello-3");
            assertThat(plain.getBean(CompatProperties.class).getGreeting()).isEqualTo("hello-3");

            long gray = draft("Greeting 4", "hello-4");
            MusterClient.Response grayed = admin.post("/v1/releases/" + gray + "/gray",
                    "{\"rule\":{\"labels\":{\"track\":\"canary\"}}}").expect(200);
            admin.awaitApplied(Long.parseLong(grayed.headers().firstValue("X-Muster-Revision").orElseThrow()));
            assertThat(StockApps.refresh(canary)).contains("compat.greeting");
            assertThat(StockApps.refresh(plain)).doesNotContain("compat.greeting");
            assertThat(greeting(canary)).isEqualTo("hello-4");
            assertThat(greeting(plain)).isEqualTo("hello-3");
            assertThat(canary.getEnvironment().getProperty("config.client.version"))
                    .isNotEqualTo(plain.getEnvironment().getProperty("config.client.version"))
                    .isEqualTo(admin.get("/config/" + APP + "/default", "X-Muster-Labels", "track=canary")
                            .json().path("version").asString());

            // Registered as it would be in a cluster, at an address of its own (both apps here share 127.0.0.1,
            // where a caller that names no instance would be taken for the one registered there).
            admin.put("/v1/services/" + APP + "/instances/canary-1",
                    "{\"address\":\"10.9.0.1\",\"port\":8080,\"metadata\":{\"track\":\"canary\"},\"ttlSeconds\":60}");
            assertThat(admin.get("/v1/releases/" + gray + "/instances").expect(200).json().at("/instances/0/id")
                    .asString()).isEqualTo("canary-1");
            assertThat(StockApps.refresh(plain)).doesNotContain("compat.greeting");
            assertThat(greeting(plain)).as("still plain after the registration").isEqualTo("hello-3");

            publish(gray);
            assertThat(StockApps.refresh(plain)).contains("compat.greeting");
            assertThat(greeting(plain)).isEqualTo("hello-4");
            assertThat(StockApps.refresh(canary)).doesNotContain("compat.greeting");
            assertThat(canary.getEnvironment().getProperty("config.client.version"))
                    .isEqualTo(plain.getEnvironment().getProperty("config.client.version"));
        }
    }

    private static long draft(String title, String greeting) {
        return admin.post("/v1/releases", "{\"title\":\"" + title + "\",\"documents\":[{\"app\":\"" + APP
                + "\",\"profile\":\"default\",\"content\":\"compat:\\n  greeting: " + greeting + "\\n  list: [a, b]\\n\"},"
                + "{\"app\":\"" + APP + "\",\"profile\":\"dev\",\"content\":\"compat:\\n  other: dev-" + greeting + "\\n\"}]}")
                .expect(201).json().at("/release/id").asLong();
    }

    private static void publish(long id) {
        MusterClient.Response published = admin.post("/v1/releases/" + id + "/publish", "{}").expect(200);
        admin.awaitApplied(published.json().at("/published/revision").asLong());
    }

    private static String greeting(ConfigurableApplicationContext app) {
        return app.getBean(Greeter.class).greeting();
    }

}
