package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * What Muster's Spring Boot starter reads, on a real three-node cluster: the native environment has
 * /config's sources and version plus each source's profile and release; its watch, on a follower, says
 * exactly when the version this caller is served changes (a write, a document created or deleted, a
 * gray release that matches it, a change to its own registered instance) and stays silent otherwise;
 * bad, forbidden and unknown-label requests are problems before any stream opens; a revoked token ends
 * the stream; one /v1/watch follows several services; and an environment watch whose client went away
 * gives its slot back within two environment heartbeats.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EnvironmentWatchIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration ENVIRONMENT_HEARTBEAT = Duration.ofSeconds(1);

    @TempDir
    static Path root;
    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(3, root, Map.of("muster.watch.progress-interval", "500ms"));
        TestNode leader = cluster.awaitLeader();
        put("config/orders/default", "orders:\n  greeting: hello\n");
        put("config/orders/dev", "orders:\n  greeting: hello-dev\n");
        cluster.awaitApplied(put("config/application/default", "shared: s\n"));
        assertThat(leader).isNotNull();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static long put(String key, String yaml) {
        Http.Response response = Http.put(cluster.awaitLeader().url("/v1/kv/" + key), yaml, "Content-Type",
                "application/yaml");
        assertThat(response.status()).as(response.toString()).isIn(200, 201);
        return response.revision();
    }

    private static TestNode follower() {
        TestNode leader = cluster.awaitLeader();
        return cluster.nodes.stream().filter(node -> node != leader).findFirst().orElseThrow();
    }

    private static String configVersion(String path, String... headers) {
        return Http.get(follower().url(path), headers).json().path("version").asString();
    }

    @Test
    @Order(1)
    void theNativeEnvironmentHasConfigsSourcesAndVersionWithProfilesAndReleases() {
        Http.Response response = Http.get(follower().url("/v1/config/orders/environment?profiles=dev"));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        JsonNode environment = response.json();
        assertThat(environment.path("name").asString()).isEqualTo("orders");
        assertThat(environment.path("label").isNull()).isTrue();
        assertThat(environment.path("revision").asLong()).isEqualTo(response.revision());
        List<String> names = new ArrayList<>();
        List<String> profiles = new ArrayList<>();
        environment.path("propertySources").forEach(source -> {
            names.add(source.path("name").asString());
            profiles.add(source.path("profile").asString());
            assertThat(source.has("release")).as("written directly, by no release").isFalse();
        });
        assertThat(names).containsExactly("muster:orders-dev", "muster:application-dev", "muster:orders", "muster:application");
        assertThat(profiles).containsExactly("dev", "dev", "default", "default");
        assertThat(environment.at("/propertySources/0/source/orders.greeting").asString()).isEqualTo("hello-dev");
        assertThat(environment.path("releases").isEmpty()).isTrue();
        String version = environment.path("version").asString();
        assertThat(version).matches("[0-9a-f]{16}").isEqualTo(configVersion("/config/orders/dev"));
        assertThat(response.header("X-Muster-Config-Version")).isEqualTo(version);

        JsonNode plain = Http.get(follower().url("/v1/config/orders/environment?label=main")).json();
        assertThat(plain.path("profiles").get(0).asString()).as("profiles default to default").isEqualTo("default");
        assertThat(plain.path("label").asString()).isEqualTo("main");
        assertThat(plain.path("version").asString()).isEqualTo(configVersion("/config/orders/default"));

        long release = publish("orders", "dev", "orders:\n  greeting: released\n");
        JsonNode released = Http.get(follower().url("/v1/config/orders/environment?profiles=dev&minRevision="
                + cluster.awaitLeader().status().commitIndex())).json();
        assertThat(released.at("/propertySources/0/release").isIntegralNumber()).isTrue();
        assertThat(released.at("/propertySources/0/release").asLong()).isEqualTo(release);
        assertThat(released.at("/propertySources/2/release").isMissingNode()).isTrue();
        assertThat(released.path("releases").get(0).asLong()).isEqualTo(release);
        assertThat(released.path("releases").size()).isEqualTo(1);
        assertThat(released.path("version").asString()).isEqualTo(configVersion("/config/orders/dev"));
    }

    @Test
    @Order(2)
    void aWatchSendsOneEventExactlyWhenTheServedVersionChanges() {
        String path = "/v1/config/orders/environment/watch?profiles=dev&version=";
        String current = configVersion("/config/orders/dev");
        try (SseStream watch = SseStream.open(follower().url(path + current))) {
            assertThat(watch.status()).isEqualTo(200);
            assertThat(watch.next(WAIT).event()).as("the current version: progress only").isEqualTo("progress");

            quietThrough(watch, put("config/billing/dev", "billing: 1\n"), "a write to another application");
            quietThrough(watch, put("config/orders/dev", "orders:\n  greeting: released\n"), "the same properties rewritten");

            long written = put("config/orders/dev", "orders:\n  greeting: changed\n");
            SseStream.Message changed = watch.next("environment", WAIT);
            assertThat(changed.revision()).isGreaterThanOrEqualTo(written);
            assertThat(changed.json().path("version").asString()).isEqualTo(configVersion("/config/orders/dev"))
                    .isNotEqualTo(current);
            assertThat(changed.json().path("revision").asLong()).isEqualTo(changed.revision());
            assertThat(changed.json().path("releases").isArray()).isTrue();
            quietThrough(watch, changed.revision(), "one event per change");

            put("config/application/dev", "shared: dev\n");
            SseStream.Message created = watch.next("environment", WAIT);
            assertThat(created.json().path("version").asString())
                    .as("a document created after the stream opened").isEqualTo(configVersion("/config/orders/dev"));
            quietThrough(watch, created.revision(), "one event for the new document");

            Http.Response deleted = Http.delete(cluster.awaitLeader().url("/v1/kv/config/application/dev"));
            assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
            assertThat(watch.next("environment", WAIT).json().path("version").asString())
                    .as("a deleted document").isEqualTo(configVersion("/config/orders/dev"));
        }
        try (SseStream fresh = SseStream.open(follower().url("/v1/config/orders/environment/watch?profiles=dev"))) {
            SseStream.Message first = fresh.next(WAIT);
            assertThat(first.event()).as("no version given: the current one at once").isEqualTo("environment");
            assertThat(first.json().path("version").asString()).isEqualTo(configVersion("/config/orders/dev"));
        }
    }

    @Test
    @Order(3)
    void aGrayReleaseOrAnInstanceChangeReachesTheMatchingCallerOnly() {
        register("canary-1", "{\"track\":\"canary\"}");
        cluster.awaitApplied(register("plain-1", "{\"track\":\"stable\"}"));
        String path = "/v1/config/orders/environment/watch?version=" + configVersion("/config/orders/default");
        try (SseStream canary = SseStream.open(follower().url(path), "X-Muster-Instance", "canary-1");
                SseStream plain = SseStream.open(follower().url(path), "X-Muster-Instance", "plain-1")) {
            canary.next("progress", WAIT);
            plain.next("progress", WAIT);
            long id = create("orders", "default", "orders:\n  greeting: gray\n");
            Http.Response grayed = Http.post(cluster.awaitLeader().url("/v1/releases/" + id + "/gray"),
                    "{\"rule\":{\"labels\":{\"track\":\"canary\"}}}");
            assertThat(grayed.status()).as(grayed.toString()).isEqualTo(200);

            SseStream.Message served = canary.next("environment", WAIT);
            assertThat(served.json().path("version").asString())
                    .isEqualTo(configVersion("/config/orders/default", "X-Muster-Instance", "canary-1"))
                    .isNotEqualTo(configVersion("/config/orders/default"));
            assertThat(served.json().path("releases").toString()).isEqualTo("[" + id + "]");
            quietThrough(plain, grayed.revision(), "a caller the rule does not match");

            register("plain-1", "{\"track\":\"canary\"}");
            assertThat(plain.next("environment", WAIT).json().path("version").asString())
                    .as("its own instance now matches the rule").isEqualTo(served.json().path("version").asString());

            // The gray release drops its document for another: its old document is served as it is again.
            Http.Response edited = Http.put(cluster.awaitLeader().url("/v1/releases/" + id),
                    "{\"title\":\"t\",\"documents\":[{\"app\":\"orders\",\"profile\":\"eu\","
                            + "\"contentType\":\"application/yaml\",\"content\":\"orders:\\n  greeting: eu\\n\"}]}",
                    "Content-Type", "application/json");
            assertThat(edited.status()).as(edited.toString()).isEqualTo(200);
            assertThat(canary.next("environment", WAIT).json().path("version").asString())
                    .as("the document the gray release no longer has").isEqualTo(configVersion("/config/orders/default"));

            Http.Response abandoned = Http.post(cluster.awaitLeader().url("/v1/releases/" + id + "/abandon"), "{}");
            assertThat(abandoned.status()).as(abandoned.toString()).isEqualTo(200);
        }
    }

    @Test
    @Order(4)
    void badForbiddenAndUnknownLabelRequestsAreProblemsBeforeAnyStream() {
        Http.Response created = Http.post(cluster.node(1).url("/v1/auth/tokens"),
                "{\"name\":\"orders-only\",\"roles\":[\"reader\"],\"prefixes\":[\"config/orders/\"]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        cluster.awaitApplied(created.revision());
        String secret = created.json().path("secret").asString();
        TestNode node = follower();
        List<Http.Response> refused = List.of(
                Http.get(node.url("/v1/config/~orders/environment/watch")),
                Http.get(node.url("/v1/config/orders/environment/watch?profiles=a,,b")),
                Http.get(node.url("/v1/config/orders/environment/watch"), "Authorization", Http.bearer(secret)),
                Http.get(node.url("/v1/config/orders/environment/watch?label=nosuch")),
                Http.get(node.url("/v1/config/orders/environment"), "Authorization", Http.bearer(secret)),
                Http.get(node.url("/v1/config/orders/environment?label=nosuch")));
        assertThat(refused).extracting(Http.Response::status).containsExactly(400, 400, 403, 404, 403, 404);
        assertThat(refused).allSatisfy(response ->
                assertThat(response.header("Content-Type")).startsWith("application/problem+json"));
        assertThat(refused.get(2).json().path("detail").asString()).contains("config/application/");
        assertThat(refused.get(3).json().path("type").asString()).endsWith("label-not-found");
    }

    @Test
    @Order(5)
    void aRevokedTokenEndsTheStream() {
        Http.Response created = Http.post(cluster.node(1).url("/v1/auth/tokens"),
                "{\"name\":\"config-reader\",\"roles\":[\"reader\"],\"prefixes\":[\"config/\"]}");
        cluster.awaitApplied(created.revision());
        try (SseStream watch = SseStream.open(follower().url("/v1/config/orders/environment/watch"), "Authorization",
                Http.bearer(created.json().path("secret").asString()))) {
            assertThat(watch.next("environment", WAIT)).isNotSameAs(SseStream.END);
            Http.Response revoked = Http.delete(cluster.node(1).url("/v1/auth/tokens/config-reader"));
            assertThat(revoked.status()).as(revoked.toString()).isIn(200, 204);
            SseStream.Message last = watch.next("revoked", WAIT);
            assertThat(last.json().path("status").asInt()).isEqualTo(401);
            assertThat(watch.next(WAIT)).isSameAs(SseStream.END);
        }
    }

    @Test
    @Order(6)
    void oneWatchFollowsSeveralServicesAndRefusesOneTheTokenMayNotRead() {
        try (SseStream watch = SseStream.open(follower().url("/v1/watch?service=svc-a&service=svc-b"))) {
            assertThat(watch.status()).isEqualTo(200);
            watch.next("progress", WAIT);
            registerIn("svc-a", "a-1");
            registerIn("svc-c", "c-1");
            registerIn("svc-b", "b-1");
            List<String> seen = new ArrayList<>();
            while (seen.size() < 2) {
                SseStream.Message change = watch.next("change", WAIT);
                assertThat(change).isNotSameAs(SseStream.END);
                change.json().path("events").forEach(event -> seen.add(event.path("service").asString() + " "
                        + event.path("key").asString()));
            }
            assertThat(seen).containsExactly("svc-a svc-a/a-1", "svc-b svc-b/b-1");
        }
        Http.Response created = Http.post(cluster.node(1).url("/v1/auth/tokens"),
                "{\"name\":\"keys-only\",\"roles\":[\"reader\"],\"prefixes\":[\"app/\"]}");
        cluster.awaitApplied(created.revision());
        Http.Response forbidden = Http.get(follower().url("/v1/watch?service=svc-a&service=svc-b"), "Authorization",
                Http.bearer(created.json().path("secret").asString()));
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.json().path("detail").asString()).contains("'svc-a'");
        StringBuilder many = new StringBuilder("/v1/watch?service=s0");
        for (int i = 1; i <= 256; i++) {
            many.append("&service=s").append(i);
        }
        Http.Response tooMany = Http.get(follower().url(many.toString()));
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.json().path("detail").asString()).contains("256");
        assertThat(Http.get(follower().url("/v1/watch?service=ok&service=-bad")).status()).isEqualTo(400);
        assertThat(Http.get(follower().url("/v1/watch?service=ok&key=a")).status()).isEqualTo(400);
    }

    /**
     * Reads {@code watch} until a progress message at or past {@code revision} and fails on an environment
     * message before it. A stream looks at every change up to a revision before it reports that revision
     * in a progress message, so this proves that nothing was sent for the changes up to it, with no quiet
     * window to guess.
     */
    private static void quietThrough(SseStream watch, long revision, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            SseStream.Message message = watch.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            assertThat(message.event()).as(what + ": nothing but progress until the stream passed " + revision)
                    .isIn("progress");
            if (message.revision() >= revision) {
                return;
            }
        }
    }

    private static long create(String app, String profile, String yaml) {
        Http.Response created = Http.post(cluster.awaitLeader().url("/v1/releases"), "{\"title\":\"t\",\"documents\":"
                + "[{\"app\":\"" + app + "\",\"profile\":\"" + profile + "\",\"contentType\":\"application/yaml\","
                + "\"content\":" + tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsString(yaml) + "}]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().at("/release/id").asLong();
    }

    private static long publish(String app, String profile, String yaml) {
        long id = create(app, profile, yaml);
        Http.Response published = Http.post(cluster.awaitLeader().url("/v1/releases/" + id + "/publish"), "{}");
        assertThat(published.status()).as(published.toString()).isEqualTo(200);
        cluster.awaitApplied(published.revision());
        return id;
    }

    private static long register(String id, String metadata) {
        Http.Response registered = Http.put(cluster.awaitLeader().url("/v1/services/orders/instances/" + id),
                "{\"address\":\"10.9.0.1\",\"port\":8080,\"metadata\":" + metadata + ",\"ttlSeconds\":120}",
                "Content-Type", "application/json");
        assertThat(registered.status()).as(registered.toString()).isIn(200, 201);
        return registered.revision();
    }

    @Test
    @Order(7)
    void aWatchWhoseClientWentAwayGivesItsSlotBackWithinTwoEnvironmentHeartbeats(@TempDir Path own) {
        // A node of its own whose progress messages are 10 minutes apart: only the heartbeats write.
        try (TestCluster quiet = TestCluster.start(1, own, Map.of("muster.watch.progress-interval", "10m",
                "muster.watch.environment-heartbeat-interval", ENVIRONMENT_HEARTBEAT.toMillis() + "ms"))) {
            TestNode node = quiet.awaitLeader();
            SseStream watch = SseStream.open(node.url("/v1/config/orders/environment/watch"));
            watch.next("environment", WAIT);
            assertThat(watchers(node)).isEqualTo(1);
            watch.close();
            long closedAt = System.nanoTime();
            // Two heartbeats (the second write after the close is the one that fails), plus a second of slack.
            Waits.until("the slot back within two environment heartbeats", ENVIRONMENT_HEARTBEAT.multipliedBy(2)
                    .plusSeconds(1), () -> watchers(node) == 0 ? true : null);
            System.out.printf("EnvironmentWatchIT: a closed environment watch's slot was free again after %d ms%n",
                    Duration.ofNanos(System.nanoTime() - closedAt).toMillis());
        }
    }

    private static double watchers(TestNode node) {
        Gauge gauge = node.bean(MeterRegistry.class).find("muster.watch.watchers").gauge();
        return gauge == null ? 0 : gauge.value();
    }

    private static void registerIn(String service, String id) {
        Http.Response registered = Http.put(cluster.awaitLeader().url("/v1/services/" + service + "/instances/" + id),
                "{\"address\":\"10.9.1.1\",\"port\":8080}", "Content-Type", "application/json");
        assertThat(registered.status()).as(registered.toString()).isIn(200, 201);
    }
}
