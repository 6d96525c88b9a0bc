package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Configuration releases on a real three-node cluster (SPRING.md B-1..B-10 at the API; the stock
 * clients' side runs in {@code spring/compat-tests}): a draft is never served, a publish writes every
 * document at one revision and a watcher sees one change, a document written after drafting makes the
 * publish 412 with nothing changed, gray serves the matching caller only and the percent rule is the
 * same on every node, rollback and restore reproduce earlier content, validation against Spring Boot's
 * own metadata refuses what the application would not accept, four-eyes refuses the author, and bad
 * input is a 4xx that proposes nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReleaseIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String APP = "compat-client";

    @TempDir
    static Path root;
    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(3, root, Map.of());
        TestNode leader = cluster.awaitLeader();
        put(leader, "config/" + APP + "/default", "compat:\n  greeting: hello-2\n");
        cluster.awaitApplied(put(leader, "config/" + APP + "/dev", "compat:\n  greeting: dev-2\n"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void aDraftIsNotServedAndItsDiffShowsTheChange() {
        JsonNode draft = create("Greeting 3", doc("default", "compat:\n  greeting: hello-3\n"),
                doc("dev", "compat:\n  greeting: dev-3\n  added: extra\n"));
        assertThat(draft.at("/release/state").asString()).isEqualTo("draft");
        assertThat(draft.at("/release/validation/status").asString()).isEqualTo("skipped");
        JsonNode diff = draft.path("diff");
        assertThat(diff.get(0).at("/changed/compat.greeting/from").asString()).isEqualTo("hello-2");
        assertThat(diff.get(0).at("/changed/compat.greeting/to").asString()).isEqualTo("hello-3");
        assertThat(diff.get(1).at("/added/compat.added").asString()).isEqualTo("extra");
        for (TestNode node : cluster.nodes) {
            assertThat(greeting(node, "default", "")).isEqualTo("hello-2");
        }
    }

    @Test
    @Order(2)
    void aPublishWritesEveryDocumentAtOneRevisionAndAWatcherSeesOneChange() throws Exception {
        long id = latest("draft");
        try (SseStream watch = SseStream.open(cluster.node(2).url("/v1/watch?prefix=config/" + APP + "/"))) {
            long start = watch.next("progress", WAIT).revision();
            Http.Response published = publishOnce(id);
            assertThat(published.status()).as(published.toString()).isEqualTo(200);
            Http.Response retried = publishOnce(id);
            assertThat(retried.status()).as("a retry with the same Idempotency-Key: " + retried).isEqualTo(200);
            assertThat(retried.revision()).isEqualTo(published.revision());
            long revision = published.json().at("/published/revision").asLong();
            assertThat(revision).isGreaterThan(start);
            SseStream.Message change = watch.next("change", WAIT);
            assertThat(change.revision()).isEqualTo(revision);
            List<String> events = new ArrayList<>();
            change.json().path("events").forEach(event -> events.add(event.path("type").asString() + " "
                    + event.path("key").asString()));
            assertThat(events).containsExactly("put config/" + APP + "/default", "put config/" + APP + "/dev");
            cluster.awaitApplied(revision);
            for (TestNode node : cluster.nodes) {
                assertThat(modRevision(node, "default")).isEqualTo(revision);
                assertThat(modRevision(node, "dev")).isEqualTo(revision);
                assertThat(greeting(node, "default", "")).isEqualTo("hello-3");
            }
            Http.Response audit = Http.get(cluster.node(1).url("/v1/audit?prefix=release&who=admin&minRevision=" + revision));
            assertThat(audit.text()).contains("publish-release").contains("release " + id);
            assertThat(changeWithin(watch, Duration.ofMillis(1500))).as("one change message, not two").isNull();
        }
    }

    @Test
    @Order(3)
    void grayServesTheMatchingCallerOnlyWithItsOwnVersion() {
        long id = create("Greeting 4", doc("default", "compat:\n  greeting: hello-4\n")).at("/release/id").asLong();
        Http.Response grayed = Http.post(cluster.node(1).url("/v1/releases/" + id + "/gray"),
                "{\"rule\":{\"labels\":{\"track\":\"canary\"}}}");
        assertThat(grayed.status()).as(grayed.toString()).isEqualTo(200);
        cluster.awaitApplied(grayed.revision());
        for (TestNode node : cluster.nodes) {
            assertThat(greeting(node, "default", "track=canary")).isEqualTo("hello-4");
            assertThat(greeting(node, "default", "")).isEqualTo("hello-3");
            assertThat(greeting(node, "default", "track=stable")).isEqualTo("hello-3");
        }
        String canary = Http.get(cluster.node(1).url("/config/" + APP + "/default"), "X-Muster-Labels", "track=canary")
                .json().path("version").asString();
        String plain = Http.get(cluster.node(1).url("/config/" + APP + "/default")).json().path("version").asString();
        assertThat(canary).isNotEqualTo(plain);

        Http.Response registered = register("canary-1", "10.9.0.1", "{\"track\":\"canary\"}");
        cluster.awaitApplied(register("plain-1", "10.9.0.2", "{}").revision());
        JsonNode instances = Http.get(cluster.node(2).url("/v1/releases/" + id + "/instances")).json();
        List<String> ids = new ArrayList<>();
        instances.path("instances").forEach(instance -> ids.add(instance.path("id").asString()));
        assertThat(ids).containsExactly("canary-1");
        assertThat(Http.get(cluster.node(2).url("/config/" + APP + "/default"), "X-Muster-Instance", "canary-1")
                .json().at("/propertySources/0/source/compat.greeting").asString()).as("labels from the registry")
                .isEqualTo("hello-4");

        JsonNode second = create("Clash", doc("default", "compat:\n  greeting: clash\n"));
        Http.Response clash = Http.post(cluster.node(1).url("/v1/releases/" + second.at("/release/id").asLong() + "/gray"),
                "{\"rule\":{\"percent\":10}}");
        assertThat(clash.status()).as(clash.toString()).isEqualTo(409);
        assertThat(clash.json().path("type").asString()).endsWith("document-in-gray");
        Http.post(cluster.node(1).url("/v1/releases/" + second.at("/release/id").asLong() + "/abandon"), "{}");
    }

    @Test
    @Order(4)
    void aPercentRuleChoosesTheSameInstancesOnEveryNode() {
        long id = create("Percent", doc("percent", "compat:\n  greeting: half\n")).at("/release/id").asLong();
        Http.Response grayed = Http.post(cluster.node(1).url("/v1/releases/" + id + "/gray"), "{\"rule\":{\"percent\":50}}");
        long last = 0;
        for (int i = 0; i < 200; i++) {
            last = Math.max(last, register("pod-" + i, "10.8." + (i / 250) + "." + (i % 250), "{}").revision());
        }
        cluster.awaitApplied(Math.max(last, grayed.revision()));
        List<TreeSet<String>> sets = new ArrayList<>();
        for (TestNode node : cluster.nodes) {
            TreeSet<String> members = new TreeSet<>();
            Http.get(node.url("/v1/releases/" + id + "/instances")).json().path("instances")
                    .forEach(instance -> members.add(instance.path("id").asString()));
            members.removeIf(member -> !member.startsWith("pod-"));
            sets.add(members);
        }
        assertThat(sets.get(0)).hasSizeBetween(80, 120);
        assertThat(sets.get(1)).isEqualTo(sets.get(0));
        assertThat(sets.get(2)).isEqualTo(sets.get(0));
        String member = sets.get(0).first();
        String outsider = Collections.min(new TreeSet<>(allPods()).stream().filter(p -> !sets.get(0).contains(p)).toList());
        assertThat(greeting(cluster.node(2), "percent", "", "X-Muster-Instance", member)).isEqualTo("half");
        assertThat(greeting(cluster.node(3), "percent", "", "X-Muster-Instance", outsider)).isEqualTo("");
        Http.post(cluster.node(1).url("/v1/releases/" + id + "/abandon"), "{}");
    }

    @Test
    @Order(5)
    void aDocumentWrittenAfterDraftingMakesThePublishAConflictThatChangesNothing() {
        long gray = latest("gray");
        Http.post(cluster.node(1).url("/v1/releases/" + gray + "/abandon"), "{}");
        long id = create("Greeting 5", doc("default", "compat:\n  greeting: hello-5\n"), doc("dev", "compat:\n  greeting: dev-5\n"))
                .at("/release/id").asLong();
        long direct = put(cluster.awaitLeader(), "config/" + APP + "/default", "compat:\n  greeting: direct\n");
        cluster.awaitApplied(direct);
        long before = cluster.settledCommitIndex();
        Http.Response conflict = Http.post(cluster.node(2).url("/v1/releases/" + id + "/publish"), "{}");
        assertThat(conflict.status()).as(conflict.toString()).isEqualTo(412);
        JsonNode problem = conflict.json();
        assertThat(problem.path("type").asString()).endsWith("release-conflict");
        assertThat(problem.at("/conflicts/0/key").asString()).isEqualTo("config/" + APP + "/default");
        assertThat(problem.at("/conflicts/0/currentModRevision").asLong()).isEqualTo(direct);
        assertThat(problem.at("/conflicts/0/baseModRevision").asLong()).isLessThan(direct);
        assertThat(problem.path("conflicts")).hasSize(1);
        assertThat(cluster.settledCommitIndex()).as("nothing proposed").isEqualTo(before);

        Http.Response rebased = Http.post(cluster.node(2).url("/v1/releases/" + id + "/rebase"), "{}");
        assertThat(rebased.status()).as(rebased.toString()).isEqualTo(200);
        assertThat(rebased.json().at("/diff/0/changed/compat.greeting/from").asString()).isEqualTo("direct");
        Http.Response published = Http.post(cluster.node(2).url("/v1/releases/" + id + "/publish"), "{}");
        assertThat(published.status()).as(published.toString()).isEqualTo(200);
        cluster.awaitApplied(published.revision());
        assertThat(greeting(cluster.node(1), "default", "")).isEqualTo("hello-5");
    }

    @Test
    @Order(6)
    void rollbackAndRestoreReproduceEarlierContentAfterTheKeysHistoryRolledOver() {
        long r1 = publish(create("r1", doc("default", "compat:\n  greeting: r1\n"), doc("dev", "compat:\n  greeting: dev-r1\n")));
        String afterR1 = documentsDigest();
        long r2 = publish(create("r2", doc("default", "compat:\n  greeting: r2\n"), doc("dev", "compat:\n  greeting: dev-r2\n")));
        Http.Response rollback = Http.post(cluster.node(3).url("/v1/releases/" + r2 + "/rollback"), "{\"comment\":\"bad\"}");
        assertThat(rollback.status()).as(rollback.toString()).isEqualTo(201);
        assertThat(rollback.json().path("rollbackOf").asLong()).isEqualTo(r2);
        cluster.awaitApplied(rollback.revision());
        assertThat(documentsDigest()).isEqualTo(afterR1);

        long last = 0;
        for (int i = 0; i < 12; i++) {
            last = put(cluster.awaitLeader(), "config/" + APP + "/default", "compat:\n  greeting: churn-" + i + "\n");
        }
        cluster.awaitApplied(last);
        Http.Response restore = Http.post(cluster.node(1).url("/v1/config/" + APP + "/default/restore"),
                "{\"toRelease\":" + r1 + "}");
        assertThat(restore.status()).as(restore.toString()).isEqualTo(201);
        assertThat(restore.json().path("restoreOf").asLong()).isEqualTo(r1);
        cluster.awaitApplied(restore.revision());
        assertThat(documentsDigest()).isEqualTo(afterR1);

        Http.Response query = Http.post(cluster.node(3).url("/v1/query"), "{\"sql\":\"SELECT r.state, r.rollback_of, "
                + "d.app, d.profile FROM config_release r JOIN config_release_document d ON d.release_id = r.release_id "
                + "WHERE r.release_id = " + rollback.json().path("id").asLong() + " ORDER BY d.position\","
                + "\"minRevision\":" + restore.revision() + "}");
        assertThat(query.status()).as(query.toString()).isEqualTo(200);
        assertThat(query.json().get("rows").toString()).isEqualTo("[[\"published\"," + r2 + ",\"" + APP
                + "\",\"default\"],[\"published\"," + r2 + ",\"" + APP + "\",\"dev\"]]");

        JsonNode history = Http.get(cluster.node(2).url("/v1/releases?app=" + APP + "&state=published&limit=3")).json();
        assertThat(history.at("/releases/0/restoreOf").asLong()).isEqualTo(r1);
        assertThat(history.at("/releases/1/rollbackOf").asLong()).isEqualTo(r2);
        assertThat(history.at("/releases/1/publishedBy").asString()).isEqualTo("admin");
        assertThat(history.at("/releases/1/publishedAt").asString()).isNotEmpty();

        String metrics = Http.get(cluster.node(1).url("/actuator/prometheus")).text();
        assertThat(metrics).containsPattern("muster_releases\\{[^}]*state=\"published\"[^}]*} [1-9]")
                .contains("muster_release_publish_seconds_count");
    }

    @Test
    @Order(7)
    void validationAgainstSpringBootsOwnMetadataRefusesWhatTheApplicationWouldNot() throws IOException {
        Http.Response schema = Http.put(cluster.node(1).url("/v1/config/" + APP + "/schema"), bootMetadata(),
                "Content-Type", "application/json");
        assertThat(schema.status()).as(schema.toString()).isEqualTo(200);
        assertThat(schema.json().path("properties").asInt()).isGreaterThan(300);
        Http.Response policy = Http.put(cluster.node(1).url("/v1/config/" + APP + "/policy"),
                "{\"validation\":\"enforce\",\"unknownKeys\":\"error\"}", "Content-Type", "application/json");
        assertThat(policy.status()).as(policy.toString()).isEqualTo(200);
        cluster.awaitApplied(policy.revision());
        long before = cluster.settledCommitIndex();

        Http.Response refused = Http.post(cluster.node(2).url("/v1/releases"), release("Bad", doc("default", """
                server.port: abc
                sevrer.port: 8080
                logging.level.com.acme: debug
                spring.main.banner-mode: sideways
                compat.legacy-greeting: old
                """)));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(refused.json().path("type").asString()).endsWith("config-invalid");
        Map<String, JsonNode> problems = new java.util.TreeMap<>();
        refused.json().path("problems").forEach(problem -> problems.put(problem.path("key").asString(), problem));
        assertThat(problems).containsKeys("server.port", "sevrer.port", "spring.main.banner-mode", "compat.legacy-greeting")
                .doesNotContainKey("logging.level.com.acme");
        assertThat(problems.get("server.port").path("message").asString()).contains("Integer");
        assertThat(problems.get("sevrer.port").path("suggestion").asString()).contains("server.port");
        assertThat(problems.get("spring.main.banner-mode").path("message").asString()).contains("off");
        assertThat(problems.get("compat.legacy-greeting").path("severity").asString()).isEqualTo("error");
        assertThat(problems.get("compat.legacy-greeting").path("suggestion").asString()).contains("compat.greeting");
        assertThat(cluster.settledCommitIndex()).as("nothing proposed").isEqualTo(before);

        Http.put(cluster.node(1).url("/v1/config/" + APP + "/policy"), "{\"validation\":\"warn\",\"unknownKeys\":\"warn\"}",
                "Content-Type", "application/json");
        JsonNode warned = create("Warned", doc("default", "sevrer.port: 8080\ncompat.greeting: warned\n"));
        assertThat(warned.at("/release/validation/status").asString()).isEqualTo("warnings");
        long id = warned.at("/release/id").asLong();
        Http.Response published = Http.post(cluster.node(3).url("/v1/releases/" + id + "/publish"), "{}");
        assertThat(published.status()).as(published.toString()).isEqualTo(200);
        assertThat(published.json().at("/validation/problems/0/key").asString()).isEqualTo("sevrer.port");
    }

    @Test
    @Order(8)
    void fourEyesRefusesTheAuthorButNotAnotherWriterNorAnAdminInAnEmergency() {
        String alice = token("alice", "writer");
        String bob = token("bob", "writer");
        Http.put(cluster.node(1).url("/v1/config/" + APP + "/policy"), "{\"validation\":\"off\",\"fourEyes\":true}",
                "Content-Type", "application/json");
        long byAlice = createAs(alice, "By alice", doc("default", "compat:\n  greeting: alice\n"));
        Http.Response policy = Http.send(Http.request(cluster.node(1).url("/v1/config/" + APP + "/policy"), "Authorization",
                Http.bearer(alice), "Content-Type", "application/json").PUT(java.net.http.HttpRequest.BodyPublishers
                .ofString("{\"fourEyes\":false}")));
        assertThat(policy.status()).as("a writer may not change the policy that binds it: " + policy).isEqualTo(403);
        Http.Response registry = Http.get(cluster.node(1).url("/v1/releases/" + byAlice + "/instances"), "Authorization",
                Http.bearer(alice));
        assertThat(registry.status()).as("a token confined to keys may not list the registry: " + registry).isEqualTo(403);
        assertThat(Http.get(cluster.node(2).url("/v1/config/" + APP + "/policy")).json().path("validation").asString())
                .isEqualTo("off");
        Http.Response own = post(alice, "/v1/releases/" + byAlice + "/publish", "{}");
        assertThat(own.status()).as(own.toString()).isEqualTo(403);
        assertThat(own.json().path("type").asString()).endsWith("same-author");
        Http.Response other = post(bob, "/v1/releases/" + byAlice + "/publish", "{}");
        assertThat(other.status()).as(other.toString()).isEqualTo(200);

        long byAdmin = create("By admin", doc("default", "compat:\n  greeting: admin\n")).at("/release/id").asLong();
        assertThat(Http.post(cluster.node(1).url("/v1/releases/" + byAdmin + "/publish"), "{}").status()).isEqualTo(403);
        Http.Response emergency = Http.send(Http.request(cluster.node(1).url("/v1/releases/" + byAdmin + "/publish"),
                "Content-Type", "application/json", "X-Muster-Emergency", "INC-4411 greeting outage")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(emergency.status()).as(emergency.toString()).isEqualTo(200);
        assertThat(emergency.json().at("/published/emergency").asString()).isEqualTo("INC-4411 greeting outage");
        cluster.awaitApplied(emergency.revision());
        assertThat(Http.get(cluster.node(2).url("/v1/audit?prefix=release&who=admin&limit=1000&minRevision="
                + emergency.revision())).text()).contains("INC-4411");

        long secret = createAs(alice, "Secret", doc("dev", "spring:\n  datasource:\n    password: hunter2\n    url: jdbc:x\n"));
        JsonNode masked = Http.get(cluster.node(1).url("/v1/releases/" + secret + "/diff"), "Authorization",
                Http.bearer(alice)).json();
        assertThat(masked.get(0).at("/added/spring.datasource.password").asString()).isEqualTo("******");
        assertThat(masked.get(0).at("/added/spring.datasource.url").asString()).isEqualTo("jdbc:x");
        JsonNode plain = Http.get(cluster.node(1).url("/v1/releases/" + secret + "/diff")).json();
        assertThat(plain.get(0).at("/added/spring.datasource.password").asString()).as("an admin").isEqualTo("hunter2");
        Http.post(cluster.node(1).url("/v1/releases/" + secret + "/abandon"), "{}");
    }

    @Test
    @Order(9)
    void badInputIsAProblemAndProposesNothing() {
        Http.put(cluster.node(1).url("/v1/config/" + APP + "/policy"), "{\"validation\":\"off\"}", "Content-Type",
                "application/json");
        long abandoned = create("Abandoned", doc("default", "a: 1\n")).at("/release/id").asLong();
        Http.post(cluster.node(1).url("/v1/releases/" + abandoned + "/abandon"), "{}");
        long open = create("Open", doc("default", "a: 2\n")).at("/release/id").asLong();
        Http.Response grayed = Http.post(cluster.node(1).url("/v1/releases/" + open + "/gray"), "{\"rule\":{\"percent\":5}}");
        long grayOther = create("Other", doc("default", "a: 3\n")).at("/release/id").asLong();
        cluster.awaitApplied(grayed.revision());
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 33; i++) {
            many.append(i == 0 ? "" : ",").append(docJson("p" + i, "a: 1\n"));
        }
        String huge = "a: " + "x".repeat(3 << 20) + "\n";
        long before = cluster.settledCommitIndex();
        record Case(String what, String path, String body, int status, String type) {
        }
        for (Case bad : List.of(
                new Case("33 documents", "/v1/releases", "{\"title\":\"t\",\"documents\":[" + many + "]}", 400, "invalid-request"),
                new Case("an oversized draft", "/v1/releases", release("Huge", doc("default", huge)), 413, "request-too-large"),
                new Case("percent 101", "/v1/releases/" + open + "/gray", "{\"rule\":{\"percent\":101}}", 400, "invalid-request"),
                new Case("17 labels", "/v1/releases/" + open + "/gray", "{\"rule\":{\"labels\":" + labels(17) + "}}", 400,
                        "invalid-request"),
                new Case("an IP that is not one", "/v1/releases/" + open + "/gray", "{\"rule\":{\"ips\":[\"10.1.2.300\"]}}",
                        400, "invalid-request"),
                new Case("an empty rule", "/v1/releases/" + open + "/gray", "{\"rule\":{}}", 400, "invalid-request"),
                new Case("a null instance", "/v1/releases/" + open + "/gray", "{\"rule\":{\"instances\":[null]}}", 400,
                        "invalid-request"),
                new Case("a null label", "/v1/releases/" + open + "/gray", "{\"rule\":{\"labels\":{\"k\":null}}}", 400,
                        "invalid-request"),
                new Case("a release that does not exist", "/v1/releases/999999/publish", "{}", 404, "release-not-found"),
                new Case("publishing an abandoned release", "/v1/releases/" + abandoned + "/publish", "{}", 409,
                        "release-not-open"),
                new Case("gray on a document already in gray", "/v1/releases/" + grayOther + "/gray",
                        "{\"rule\":{\"percent\":5}}", 409, "document-in-gray"),
                new Case("a document that does not parse", "/v1/releases", release("Broken", doc("default", "a: [\n")), 400,
                        "invalid-config-document"),
                new Case("a format that is none", "/v1/releases", "{\"title\":\"t\",\"documents\":[{\"app\":\"" + APP
                        + "\",\"profile\":\"default\",\"contentType\":\"text/plain\",\"content\":\"a\"}]}", 415,
                        "unsupported-config-format"),
                new Case("a reserved segment", "/v1/releases", "{\"title\":\"t\",\"documents\":[{\"app\":\"" + APP
                        + "\",\"profile\":\"~policy\",\"content\":\"a: 1\"}]}", 400, "invalid-request"),
                new Case("no title", "/v1/releases", "{\"documents\":[" + docJson("default", "a: 1\n") + "]}", 400,
                        "invalid-request"))) {
            Http.Response response = Http.post(cluster.node(2).url(bad.path), bad.body);
            assertThat(response.status()).as(bad.what + ": " + response).isEqualTo(bad.status);
            assertThat(response.header("Content-Type")).as(bad.what).startsWith("application/problem+json");
            assertThat(response.json().path("type").asString()).as(bad.what).endsWith(bad.type);
        }
        Http.Response notMetadata = Http.put(cluster.node(2).url("/v1/config/" + APP + "/schema"),
                "{\"name\":\"not metadata\"}", "Content-Type", "application/json");
        assertThat(notMetadata.status()).as(notMetadata.toString()).isEqualTo(400);
        assertThat(notMetadata.json().path("type").asString()).endsWith("invalid-schema");
        assertThat(cluster.settledCommitIndex()).as("nothing proposed").isEqualTo(before);
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static long put(TestNode node, String key, String yaml) {
        Http.Response response = Http.put(node.url("/v1/kv/" + key), yaml, "Content-Type", "application/yaml");
        assertThat(response.status()).as(response.toString()).isIn(200, 201);
        return response.revision();
    }

    private static Http.Response register(String id, String address, String metadata) {
        Http.Response registered = Http.put(cluster.node(1).url("/v1/services/" + APP + "/instances/" + id),
                "{\"address\":\"" + address + "\",\"port\":8080,\"metadata\":" + metadata + ",\"ttlSeconds\":120}",
                "Content-Type", "application/json");
        assertThat(registered.status()).as(registered.toString()).isIn(200, 201);
        return registered;
    }

    /** The next change message within {@code wait}, or {@code null} when none came. */
    private static SseStream.Message changeWithin(SseStream watch, Duration wait) {
        SseStream.Message message = watch.within("change", wait);
        return message == SseStream.END ? null : message;
    }

    private static String greeting(TestNode node, String profile, String labels, String... headers) {
        List<String> all = new ArrayList<>(List.of(headers));
        if (!labels.isEmpty()) {
            all.addAll(List.of("X-Muster-Labels", labels));
        }
        JsonNode environment = Http.get(node.url("/config/" + APP + "/" + profile), all.toArray(String[]::new)).json();
        return environment.at("/propertySources/0/source/compat.greeting").asString("");
    }

    private static long modRevision(TestNode node, String profile) {
        return Long.parseLong(Http.get(node.url("/v1/kv/config/" + APP + "/" + profile)).header("ETag").replace("\"", ""));
    }

    private static String documentsDigest() {
        StringBuilder content = new StringBuilder();
        for (String profile : List.of("default", "dev")) {
            content.append(Http.get(cluster.node(2).url("/v1/kv/config/" + APP + "/" + profile + "?consistency=linearizable"))
                    .text()).append('\u0000');
        }
        return content.toString();
    }

    private static long latest(String state) {
        return Http.get(cluster.node(1).url("/v1/releases?state=" + state + "&limit=1")).json().at("/releases/0/id").asLong();
    }

    private static JsonNode create(String title, String... documents) {
        Http.Response created = Http.post(cluster.node(1).url("/v1/releases"), release(title, documents));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json();
    }

    private static long createAs(String token, String title, String... documents) {
        Http.Response created = post(token, "/v1/releases", release(title, documents));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().at("/release/id").asLong();
    }

    private static long publish(JsonNode draft) {
        Http.Response published = Http.post(cluster.node(1).url("/v1/releases/" + draft.at("/release/id").asLong()
                + "/publish"), "{}");
        assertThat(published.status()).as(published.toString()).isEqualTo(200);
        cluster.awaitApplied(published.revision());
        return published.json().path("id").asLong();
    }

    private static Http.Response publishOnce(long id) {
        return Http.send(Http.request(cluster.node(3).url("/v1/releases/" + id + "/publish"), "Content-Type",
                "application/json", "Idempotency-Key", "publish-" + id)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"comment\":\"ship\"}")));
    }

    private static Http.Response post(String token, String path, String json) {
        return Http.send(Http.request(cluster.node(1).url(path), "Authorization", Http.bearer(token), "Content-Type",
                "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)));
    }

    private static String token(String name, String role) {
        Http.Response created = Http.post(cluster.node(1).url("/v1/auth/tokens"), "{\"name\":\"" + name
                + "\",\"roles\":[\"" + role + "\"],\"prefixes\":[\"config/\"]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        cluster.awaitApplied(created.revision());
        return created.json().path("secret").asString();
    }

    private static String release(String title, String... documents) {
        return "{\"title\":\"" + title + "\",\"documents\":[" + String.join(",", documents) + "]}";
    }

    private static String doc(String profile, String yaml) {
        return docJson(profile, yaml);
    }

    private static String docJson(String profile, String yaml) {
        ObjectNode document = JSON.createObjectNode();
        document.put("app", APP).put("profile", profile).put("contentType", "application/yaml").put("content", yaml);
        return document.toString();
    }

    private static String labels(int count) {
        ObjectNode labels = JSON.createObjectNode();
        for (int i = 0; i < count; i++) {
            labels.put("l" + i, "v");
        }
        return labels.toString();
    }

    private static List<String> allPods() {
        List<String> pods = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            pods.add("pod-" + i);
        }
        return pods;
    }

    /** Spring Boot's own configuration metadata (spring-boot and its auto-configuration), merged as one object. */
    static byte[] bootMetadata() throws IOException {
        ObjectNode merged = JSON.createObjectNode();
        ArrayNode groups = merged.putArray("groups");
        ArrayNode properties = merged.putArray("properties");
        ArrayNode hints = merged.putArray("hints");
        for (URL url : Collections.list(ReleaseIT.class.getClassLoader().getResources("META-INF/spring-configuration-metadata.json"))) {
            if (!url.toString().contains("/org/springframework/boot/")) {
                continue;
            }
            try (InputStream in = url.openStream()) {
                JsonNode metadata = JSON.readTree(in);
                metadata.path("groups").forEach(groups::add);
                metadata.path("properties").forEach(properties::add);
                metadata.path("hints").forEach(hints::add);
            }
        }
        assertThat(properties.size()).as("Spring Boot's metadata on the test classpath").isGreaterThan(300);
        // What an application's own additional-spring-configuration-metadata.json adds: Boot 4's metadata
        // gives enum properties no value hints, and deprecates nothing at level error.
        JsonNode additional = JSON.readTree("""
                {"properties": [{"name": "compat.legacy-greeting", "type": "java.lang.String",
                                 "deprecation": {"level": "error", "replacement": "compat.greeting"}},
                                {"name": "compat.greeting", "type": "java.lang.String"}],
                 "hints": [{"name": "spring.main.banner-mode",
                            "values": [{"value": "console"}, {"value": "log"}, {"value": "off"}]}]}
                """);
        additional.path("properties").forEach(properties::add);
        additional.path("hints").forEach(hints::add);
        return JSON.writeValueAsBytes(merged);
    }
}
