package io.muster.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.muster.compat.starter.config.StarterConfigApplication;
import io.muster.compat.starter.config.StarterConfigApplication.Greeter;
import io.muster.compat.starter.config.StarterConfigApplication.Refreshes;
import io.muster.compat.starter.config.StarterConfigApplication.Settings;
import io.muster.spring.configdata.MusterConfigFailureAnalyzer;
import io.muster.spring.configdata.MusterConfigUnavailableException;
import io.muster.spring.configdata.MusterConfigWatch;
import io.muster.spring.configdata.MusterImportMissingException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * A stock application whose only addition is the starter takes its configuration from a real Muster
 * node with {@code spring.config.import=muster:} and refreshes by itself, exactly when what it would load
 * changes (SPRING.md C-1, C-2, C-4 and C-11).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConfigDataStarterIT {

    private static final String APP = "compat-client";
    private static MusterNodes muster;
    private static MusterClient admin;
    private static String reader;

    @BeforeAll
    static void seed() throws Exception {
        muster = MusterNodes.start(1);
        admin = muster.admin(1);
        admin.put("config/" + APP + "/default", "application/yaml", "compat:\n  greeting: hello\n  list: [a, b]\n");
        admin.put("config/" + APP + "/dev", "application/yaml", "compat:\n  greeting: hello-dev\n");
        admin.put("config/application/default", "text/x-java-properties", "compat.shared=s\n");
        admin.put("config/orders-dev/default", "application/yaml", "compat:\n  greeting: orders\n");
        reader = admin.createToken("starter-reader", "reader",
                List.of("config/" + APP + "/", "config/application/", "config/orders-dev/"));
    }

    @AfterAll
    static void stop() {
        if (muster != null) {
            muster.close();
        }
    }

    private static ConfigurableApplicationContext start(String... properties) {
        String[] all = new String[properties.length + 4];
        all[0] = "spring.config.import=muster:" + muster.url(1);
        all[1] = "muster.client.token=" + reader;
        all[2] = "muster.client.discovery.enabled=false";
        all[3] = "muster.client.config.watch.refresh-jitter=200ms";
        System.arraycopy(properties, 0, all, 4, properties.length);
        return StarterApps.start(StarterConfigApplication.class, APP, all);
    }

    @Test
    @Order(1)
    void valuesAtStartUpWithProfileSourcesMarkedByProfile() {
        try (ConfigurableApplicationContext app = start()) {
            ConfigurableEnvironment environment = app.getEnvironment();
            assertThat(environment.getProperty("compat.greeting")).isEqualTo("hello");
            assertThat(environment.getProperty("compat.shared")).isEqualTo("s");
            assertThat(environment.getProperty("compat.list[1]")).isEqualTo("b");
            assertThat(app.getBean(Settings.class).getList()).containsExactly("a", "b");
            assertThat(names(environment)).contains("muster:" + APP, "muster:application");
            assertThat(environment.getProperty("muster.client.version")).isEqualTo(admin.version(APP, "default"));
        }
        try (ConfigurableApplicationContext app = start("spring.profiles.active=dev",
                "spring.config.additional-location=classpath:/local-dev/")) {
            assertThat(app.getEnvironment().getProperty("compat.greeting"))
                    .as("Muster's profile document outranks a local profile file").isEqualTo("hello-dev");
            assertThat(names(app.getEnvironment())).contains("muster:" + APP + "-dev");
            assertThat(app.getEnvironment().getProperty("muster.client.version")).isEqualTo(admin.version(APP, "dev"));
        }
        // An application whose name ends in -dev, with profile dev on, starts with its base document as the
        // base (which sources are marked profile-specific is MusterConfigDataLoaderTest's: the environment
        // does not show it, since imports named on the command line outrank local files either way).
        try (ConfigurableApplicationContext app = start("spring.application.name=orders-dev", "spring.profiles.active=dev")) {
            assertThat(app.getEnvironment().getProperty("compat.greeting")).isEqualTo("orders");
            assertThat(names(app.getEnvironment())).contains("muster:orders-dev", "muster:orders-dev-dev");
        }
    }

    @Test
    void releasesAndNewDocumentsRefreshExactlyOnceEachAndOtherApplicationsNever() throws Exception {
        try (ConfigurableApplicationContext app = start("spring.profiles.active=qa")) {
            Refreshes refreshes = app.getBean(Refreshes.class);
            for (int i = 1; i <= 3; i++) {
                String greeting = "hello-r" + i;
                int refreshed = i;
                publish(release("Greeting " + i, greeting));
                await("the @RefreshScope bean shows " + greeting, () -> app.getBean(Greeter.class).greeting().equals(greeting));
                await("the @ConfigurationProperties bean shows " + greeting,
                        () -> greeting.equals(app.getBean(Settings.class).getGreeting()));
                await("refresh event " + i, () -> refreshes.events() >= refreshed);
                assertThat(refreshes.events()).as("refresh events after release " + i).isEqualTo(i);
                assertThat(applicationKeys(refreshes.changes().get(i - 1))).containsExactly("compat.greeting");
            }

            admin.put("config/another-app/default", "application/yaml", "compat:\n  greeting: not-mine\n");
            long rewritten = admin.put("config/" + APP + "/default", "application/yaml",
                    "compat:\n  list: [a, b]\n  greeting: hello-r3\n"); // the same properties, reordered
            MusterConfigWatch watch = app.getBean(MusterConfigWatch.class);
            StarterApps.await(Duration.ofSeconds(15), "the watch's stream passes both writes (its next progress message)",
                    () -> watch.seenRevision() >= rewritten);
            // A refresh those writes had wrongly caused would have been asked for before that progress message.
            await("no refresh pending", () -> !watch.refreshPending());
            assertThat(refreshes.events()).as("another application's write and an identical rewrite").isEqualTo(3);
            long created = admin.put("config/" + APP + "/qa", "application/yaml", "compat:\n  other: qa-1\n");
            await("the document created after start-up is seen", () -> "qa-1".equals(app.getBean(Settings.class).getOther()));
            await("refresh event 4", () -> refreshes.events() >= 4);
            assertThat(refreshes.events()).as("the new document refreshes once").isEqualTo(4);
            assertThat(applicationKeys(refreshes.changes().get(3))).containsExactly("compat.other");
            assertThat(app.getEnvironment().getProperty("muster.client.revision", Long.class)).isGreaterThanOrEqualTo(created);

            admin.delete("config/" + APP + "/qa");
            await("the deleted document's value is gone", () -> app.getEnvironment().getProperty("compat.other") == null);
            await("refresh event 5", () -> refreshes.events() >= 5);
            assertThat(applicationKeys(refreshes.changes().get(4))).containsExactly("compat.other");

            // Nothing more comes of the delete: the next write's refresh is the sixth.
            publish(release("Greeting 4", "hello-r4"));
            await("the last release is seen", () -> app.getBean(Greeter.class).greeting().equals("hello-r4"));
            await("refresh event 6", () -> refreshes.events() >= 6);
            assertThat(refreshes.events()).isEqualTo(6);
        }
    }

    @Test
    void aGrayReleaseReachesTheMatchingInstanceOnly() throws Exception {
        try (ConfigurableApplicationContext canary = start("muster.client.instance.labels.track=canary");
             ConfigurableApplicationContext plain = start()) {
            String before = canary.getBean(Greeter.class).greeting();
            long gray = release("Gray greeting", "hello-gray");
            MusterClient.Response grayed = admin.post("/v1/releases/" + gray + "/gray",
                    "{\"rule\":{\"labels\":{\"track\":\"canary\"}}}").expect(200);
            admin.awaitApplied(Long.parseLong(grayed.headers().firstValue("X-Muster-Revision").orElseThrow()));
            await("the canary refreshes to the gray value", () -> canary.getBean(Greeter.class).greeting().equals("hello-gray"));
            assertThat(canary.getEnvironment().getProperty("muster.client.releases")).contains(Long.toString(gray));
            String actuator = actuatorMuster(canary);
            assertThat(MAPPER.readTree(actuator).at("/config/releases").toString()).as(actuator)
                    .contains("\"" + gray + "\"");

            publish(gray);
            await("the plain instance gets the release once it is published",
                    () -> plain.getBean(Greeter.class).greeting().equals("hello-gray"));
            await("the plain instance's refresh event", () -> plain.getBean(Refreshes.class).events() >= 1);
            assertThat(plain.getBean(Refreshes.class).events()).as("the gray step refreshed the plain instance never")
                    .isEqualTo(1);
            assertThat(before).isNotEqualTo("hello-gray");
        }
    }

    @Test
    void theApplicationCanUploadItsConfigurationMetadataForReleaseValidation() throws Exception {
        assertThat(admin.get("/v1/config/" + APP + "/schema").status()).isEqualTo(404);
        try (ConfigurableApplicationContext app = start("muster.client.token=" + MusterNodes.ADMIN_TOKEN,
                "muster.client.config.upload-schema=true")) {
            await("the schema is stored", () -> admin.get("/v1/config/" + APP + "/schema").status() == 200);
            String schema = admin.get("/v1/config/" + APP + "/schema").body();
            assertThat(schema).as("Boot's own properties").contains("server.port")
                    .as("the starter's").contains("muster.client.config.watch.refresh-jitter");
        }
        // A release is now validated against what the application really binds.
        MusterClient.Response drafted = admin.post("/v1/releases", "{\"title\":\"bad port\",\"documents\":[{\"app\":\""
                + APP + "\",\"profile\":\"default\",\"content\":\"server:\\n  port: many\\n\"}]}").expect(201);
        assertThat(drafted.json().at("/release/validation/problems").toString()).contains("server.port");
        admin.post("/v1/releases/" + drafted.json().at("/release/id").asLong() + "/abandon", "{}").expect(200);
    }

    @Test
    void startUpFailsClearlyWithoutMusterOrCredentials() {
        int closed = MusterNodes.freePort();
        long began = System.nanoTime();
        Throwable down = catchThrowable(() -> StarterApps.start(StarterConfigApplication.class, APP,
                "spring.config.import=muster:http://127.0.0.1:" + closed, "muster.client.token=" + reader,
                "muster.client.discovery.enabled=false", "muster.client.config.retry.max-attempts=3",
                "muster.client.config.retry.initial-interval=100ms").close());
        MusterConfigUnavailableException unavailable = cause(down, MusterConfigUnavailableException.class);
        assertThat(unavailable).as(StarterApps.failure(down)).isNotNull();
        assertThat(unavailable.attempts()).isEqualTo(3);
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        FailureAnalysis analysis = new MusterConfigFailureAnalyzer().analyze(down);
        assertThat(analysis.getDescription()).contains("http://127.0.0.1:" + closed + "/v1/config/" + APP);
        assertThat(analysis.getAction()).contains("muster.client.url");

        Throwable unauthorized = catchThrowable(() -> start("muster.client.token=not-a-token").close());
        MusterConfigUnavailableException refused = cause(unauthorized, MusterConfigUnavailableException.class);
        assertThat(refused).as(StarterApps.failure(unauthorized)).isNotNull();
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.attempts()).as("no retries after a 401").isEqualTo(1);
        assertThat(new MusterConfigFailureAnalyzer().analyze(unauthorized).getAction()).contains("muster.client.token");

        try (ConfigurableApplicationContext app = StarterApps.start(StarterConfigApplication.class, APP,
                "spring.config.import=optional:muster:http://127.0.0.1:" + closed, "muster.client.discovery.enabled=false")) {
            assertThat(app.getBean(Greeter.class).greeting()).as("optional: starts on local values").isEqualTo("none");
        }

        Throwable missing = catchThrowable(() -> StarterApps.start(StarterConfigApplication.class, APP,
                "muster.client.discovery.enabled=false").close());
        assertThat(cause(missing, MusterImportMissingException.class)).as(StarterApps.failure(missing)).isNotNull();
        try (ConfigurableApplicationContext app = StarterApps.start(StarterConfigApplication.class, APP,
                "muster.client.config.enabled=false", "muster.client.discovery.enabled=false")) {
            assertThat(app.getEnvironment().getProperty("muster.client.version")).isNull();
        }
    }

    // ---- helpers ----

    private static final tools.jackson.databind.json.JsonMapper MAPPER = tools.jackson.databind.json.JsonMapper.builder().build();

    /** GET /actuator/muster of a running application. */
    private static String actuatorMuster(ConfigurableApplicationContext app) {
        java.net.http.HttpResponse<String> response = StarterApps.call(app, "GET", "/actuator/muster", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private static long release(String title, String greeting) {
        return admin.post("/v1/releases", "{\"title\":\"" + title + "\",\"documents\":[{\"app\":\"" + APP
                + "\",\"profile\":\"default\",\"content\":\"compat:\\n  greeting: " + greeting + "\\n  list: [a, b]\\n\"}]}")
                .expect(201).json().at("/release/id").asLong();
    }

    private static void publish(long id) {
        admin.post("/v1/releases/" + id + "/publish", "{}").expect(200);
    }

    /** The keys of a change that are the application's, not the starter's own record of what it loaded. */
    private static Set<String> applicationKeys(Set<String> keys) {
        return keys.stream().filter(key -> !key.startsWith("muster.")).collect(Collectors.toSet());
    }

    private static List<String> names(ConfigurableEnvironment environment) {
        return StreamSupport.stream(environment.getPropertySources().spliterator(), false).map(PropertySource::getName)
                .toList();
    }

    private static <T extends Throwable> T cause(Throwable failure, Class<T> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

    /** Waits up to 5 s (the push-refresh bound SPRING.md C-2 sets) for {@code condition}. */
    private static void await(String what, java.util.function.BooleanSupplier condition) {
        StarterApps.await(Duration.ofSeconds(5), what, condition);
    }
}
