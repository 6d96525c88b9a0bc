package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
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
 * Configuration documents on a real three-node cluster, served over the Spring Cloud Config Server
 * protocol: documents are checked before anything is proposed, every node serves the same environment
 * with the same version in Spring's precedence order, the credentials stock clients send work on
 * /config and nowhere else, a token must cover every candidate document, and a node cut off from the
 * majority still answers and says so.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpringConfigIT {

    @TempDir
    static Path root;
    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(3, root, Map.of("muster.springconfig.labels", "main,team/stable"));
        TestNode leader = cluster.awaitLeader();
        put(leader, "config/compat-client/default", "application/yaml", "compat:\n  greeting: hello\n  list: [a, b]\n");
        put(leader, "config/compat-client/dev", "application/yaml", "compat:\n  greeting: hello-dev\n");
        put(leader, "config/application/default", "text/x-java-properties", "compat.shared=s\ncompat.greeting=shared\n");
        long revision = put(leader, "config/extra/default", "application/json", "{\"compat\":{\"greeting\":\"extra\"}}");
        cluster.awaitApplied(revision);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static long put(TestNode node, String key, String type, String content) {
        Http.Response response = Http.put(node.url("/v1/kv/" + key), content, "Content-Type", type);
        assertThat(response.status()).as(response.toString()).isIn(200, 201);
        return response.revision();
    }

    private static Map<String, JsonNode> sources(JsonNode environment) {
        Map<String, JsonNode> sources = new java.util.LinkedHashMap<>();
        environment.path("propertySources").forEach(source -> sources.put(source.path("name").asString(), source.path("source")));
        return sources;
    }

    @Test
    @Order(1)
    void everyNodeServesTheSameEnvironmentInSpringsOrder() {
        List<String> versions = new ArrayList<>();
        for (TestNode node : cluster.nodes) {
            Http.Response response = Http.get(node.url("/config/compat-client/default"));
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.header("Content-Type")).startsWith("application/json");
            JsonNode environment = response.json();
            assertThat(environment.path("name").asString()).isEqualTo("compat-client");
            assertThat(environment.path("profiles").get(0).asString()).isEqualTo("default");
            assertThat(environment.has("label")).isTrue();
            assertThat(environment.path("state").isNull()).isTrue();
            Map<String, JsonNode> sources = sources(environment);
            assertThat(sources.keySet()).containsExactly("muster:compat-client", "muster:application");
            assertThat(sources.get("muster:compat-client").path("compat.greeting").asString()).isEqualTo("hello");
            assertThat(sources.get("muster:compat-client").path("compat.list[1]").asString()).isEqualTo("b");
            assertThat(sources.get("muster:application").path("compat.shared").asString()).isEqualTo("s");
            assertThat(response.header("X-Muster-Config-Version")).isEqualTo(environment.path("version").asString());
            versions.add(environment.path("version").asString());
        }
        assertThat(versions).hasSize(3).allMatch(version -> version.matches("[0-9a-f]{16}"));
        assertThat(versions.stream().distinct()).hasSize(1);
    }

    @Test
    @Order(2)
    void profilesAndNamesRankAsSpringCloudConfigServerRanksThem() {
        JsonNode environment = Http.get(cluster.node(2).url("/config/compat-client,extra/dev")).json();
        assertThat(sources(environment).keySet()).containsExactly("muster:extra-dev", "muster:compat-client-dev",
                "muster:application-dev", "muster:extra", "muster:compat-client", "muster:application");
        assertThat(sources(environment).get("muster:compat-client-dev").path("compat.greeting").asString()).isEqualTo("hello-dev");
        assertThat(sources(environment).get("muster:extra-dev").isEmpty()).as("an absent document is an empty source").isTrue();

        JsonNode unknown = Http.get(cluster.node(3).url("/config/nosuch/default")).json();
        assertThat(sources(unknown).keySet()).containsExactly("muster:nosuch", "muster:application");
        assertThat(sources(unknown).get("muster:application").path("compat.shared").asString()).isEqualTo("s");
    }

    @Test
    @Order(3)
    void theVersionChangesExactlyWhenTheAnswerDoes() {
        TestNode node = cluster.node(1);
        String before = Http.get(node.url("/config/compat-client/dev")).json().path("version").asString();
        long revision = put(cluster.awaitLeader(), "config/unrelated/default", "application/yaml", "x: 1\n");
        cluster.awaitApplied(revision);
        assertThat(Http.get(node.url("/config/compat-client/dev")).json().path("version").asString())
                .as("a document the environment does not include").isEqualTo(before);
        revision = put(cluster.awaitLeader(), "config/compat-client/dev", "application/yaml", "compat:\n  greeting: hello-dev\n");
        cluster.awaitApplied(revision);
        assertThat(Http.get(node.url("/config/compat-client/dev")).json().path("version").asString())
                .as("the same content rewritten").isEqualTo(before);
        revision = put(cluster.awaitLeader(), "config/compat-client/dev", "application/yaml", "compat:\n  greeting: hello-dev2\n");
        cluster.awaitApplied(revision);
        assertThat(Http.get(node.url("/config/compat-client/dev")).json().path("version").asString()).isNotEqualTo(before);
        revision = put(cluster.awaitLeader(), "config/compat-client/dev", "application/yaml", "compat:\n  greeting: hello-dev\n");
        cluster.awaitApplied(revision);
    }

    @Test
    @Order(4)
    void labelsMediaTypesAndFileViews() {
        TestNode node = cluster.node(1);
        assertThat(Http.get(node.url("/config/compat-client/dev/main")).status()).isEqualTo(200);
        Http.Response unknownLabel = Http.get(node.url("/config/compat-client/dev/x"));
        assertThat(unknownLabel.status()).isEqualTo(404);
        assertThat(unknownLabel.json().path("type").asString()).endsWith("label-not-found");
        Http.Response slashed = Http.get(node.url("/config/compat-client/dev/team(_)stable"));
        assertThat(slashed.status()).as(slashed.toString()).isEqualTo(200);
        assertThat(slashed.json().path("label").asString()).isEqualTo("team/stable");
        Http.Response allLabels = Http.get(node.url("/config/compat-client/dev/x,main"));
        assertThat(allLabels.status()).as("a client that sends all its labels at once").isEqualTo(200);
        assertThat(allLabels.json().path("label").asString()).isEqualTo("main");
        for (String accept : List.of("application/vnd.spring-cloud.config-server.v2+json",
                "application/vnd.spring-cloud.config-server.v1+json", "application/json", "*/*",
                "application/vnd.spring-cloud.config-server.v2+json, application/json")) {
            Http.Response response = Http.get(node.url("/config/compat-client/dev"), "Accept", accept);
            assertThat(response.status()).as(accept).isEqualTo(200);
            assertThat(response.header("Content-Type")).as(accept).startsWith("application/json");
        }
        assertThat(Http.get(node.url("/config/compat-client-dev.properties")).text())
                .contains("compat.greeting: hello-dev\n", "compat.list[1]: b\n", "compat.shared: s\n");
        assertThat(Http.get(node.url("/config/main/compat-client-dev.yml")).text()).contains("greeting: hello-dev");
        JsonNode nested = Http.get(node.url("/config/compat-client-dev.json")).json();
        assertThat(nested.path("compat").path("list").get(1).asString()).isEqualTo("b");
        assertThat(nested.path("compat").path("greeting").asString()).isEqualTo("hello-dev");
    }

    @Test
    @Order(5)
    void badDocumentsAndRequestsAreRefusedAndProposeNothing() {
        TestNode node = cluster.node(2);
        long before = cluster.settledCommitIndex();
        Http.Response yaml = Http.put(node.url("/v1/kv/config/compat-client/default"), "a: 1\nb: [x\n",
                "Content-Type", "application/yaml");
        assertThat(yaml.status()).as(yaml.toString()).isEqualTo(400);
        assertThat(yaml.json().path("type").asString()).endsWith("invalid-config-document");
        assertThat(yaml.json().path("line").asInt()).isPositive();
        assertThat(yaml.json().path("column").asInt()).isPositive();
        assertThat(yaml.json().path("key").asString()).isEqualTo("config/compat-client/default");
        Http.Response text = Http.put(node.url("/v1/kv/config/compat-client/default"), "a=1", "Content-Type", "text/plain");
        assertThat(text.status()).isEqualTo(415);
        assertThat(text.json().path("type").asString()).endsWith("unsupported-config-format");
        Http.Response shape = Http.put(node.url("/v1/kv/config/compat-client"), "a: 1", "Content-Type", "application/yaml");
        assertThat(shape.status()).isEqualTo(400);
        assertThat(shape.json().path("type").asString()).endsWith("invalid-key");
        Http.Response deep = Http.put(node.url("/v1/kv/config/a/b/c"), "a: 1", "Content-Type", "application/yaml");
        assertThat(deep.status()).isEqualTo(400);
        Http.Response activate = Http.put(node.url("/v1/kv/config/compat-client/dev"),
                "spring.config.activate.on-profile=dev\n", "Content-Type", "text/x-java-properties");
        assertThat(activate.status()).isEqualTo(400);
        Http.Response txn = Http.post(node.url("/v1/txn"), "{\"then\":[{\"op\":\"put\",\"key\":\"config/compat-client/dev\","
                + "\"value\":\"{oops\",\"contentType\":\"application/json\"}]}");
        assertThat(txn.status()).as(txn.toString()).isEqualTo(400);
        assertThat(txn.json().path("field").asString()).isEqualTo("then[0]");
        for (String path : List.of("/config/bad%20name/dev", "/config/compat-client/de%2Fv", "/config/compat-client/dev,",
                "/config/~schema/dev")) {
            Http.Response response = Http.get(node.url(path));
            assertThat(response.status()).as(path + " " + response).isBetween(400, 404);
            assertThat(response.header("Content-Type")).as(path).startsWith("application/problem+json");
        }
        assertThat(node.commandsAppliedAfter(before)).as("commands after the refused requests").isEmpty();
        assertThat(Http.get(node.url("/config/compat-client/dev")).json().toString()).contains("hello-dev");
    }

    @Test
    @Order(6)
    void stockClientCredentialsWorkOnConfigPathsOnly() {
        TestNode node = cluster.node(3);
        String secret = createToken("cfg-reader", "reader", List.of("config/compat-client/", "config/application/"));
        String path = "/config/compat-client/dev";
        assertThat(Http.get(node.url(path), "Authorization", "", "X-Config-Token", secret).status()).isEqualTo(200);
        assertThat(Http.get(node.url(path), "Authorization", "Bearer " + secret).status()).isEqualTo(200);
        assertThat(Http.get(node.url(path), "Authorization", basic("user", secret)).status()).isEqualTo(200);
        assertThat(Http.get(node.url(path), "Authorization", "").status()).isEqualTo(401);
        assertThat(Http.get(node.url(path), "Authorization", "", "X-Config-Token", "wrong-secret").status()).isEqualTo(401);
        assertThat(Http.get(node.url(path), "Authorization", basic("user", "wrong")).status()).isEqualTo(401);
        Http.Response basicOnKv = Http.get(node.url("/v1/kv/config/compat-client/dev"), "Authorization", basic("user", secret));
        assertThat(basicOnKv.status()).as("Basic outside /config").isEqualTo(401);
        Http.Response configTokenOnKv = Http.get(node.url("/v1/kv/config/compat-client/dev"), "Authorization", "",
                "X-Config-Token", secret);
        assertThat(configTokenOnKv.status()).as("X-Config-Token outside /config").isEqualTo(401);

        Http.Response other = Http.get(node.url("/config/extra/dev"), "Authorization", "", "X-Config-Token", secret);
        assertThat(other.status()).as("a candidate document outside the token's prefixes").isEqualTo(403);
        assertThat(other.json().path("detail").asString()).contains("config/extra/");
        String narrow = createToken("cfg-narrow", "reader", List.of("config/compat-client/"));
        Http.Response shared = Http.get(node.url(path), "Authorization", "", "X-Config-Token", narrow);
        assertThat(shared.status()).as("the shared documents are candidates too").isEqualTo(403);
        assertThat(shared.json().path("detail").asString()).contains("config/application/");
    }

    @Test
    @Order(7)
    void deletingAProfileDocumentLeavesAnEmptySourceNotAStaleOne() {
        Http.Response deleted = Http.delete(cluster.awaitLeader().url("/v1/kv/config/compat-client/dev"));
        assertThat(deleted.status()).isEqualTo(200);
        cluster.awaitApplied(deleted.revision());
        Map<String, JsonNode> sources = sources(Http.get(cluster.node(1).url("/config/compat-client/dev")).json());
        assertThat(sources).containsKey("muster:compat-client-dev");
        assertThat(sources.get("muster:compat-client-dev").isEmpty()).isTrue();
    }

    @Test
    @Order(8)
    void aNodeCutOffFromTheMajorityStillAnswersAndSaysSo() {
        TestNode survivor = cluster.node(1);
        String version = Http.get(survivor.url("/config/compat-client/default")).json().path("version").asString();
        cluster.node(2).stop();
        cluster.node(3).stop();
        Http.Response answer = Waits.until("the survivor to know it hears no leader", Duration.ofSeconds(20), () -> {
            Http.Response response = Http.get(survivor.url("/config/compat-client/default"));
            return response.header("X-Muster-Leaderless") != null ? response : null;
        });
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("version").asString()).isEqualTo(version);
        Http.Response linearizable = Http.get(survivor.url("/config/compat-client/default?consistency=linearizable"));
        assertThat(linearizable.status()).isEqualTo(503);
        assertThat(linearizable.header("Content-Type")).startsWith("application/problem+json");
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String createToken(String name, String role, List<String> prefixes) {
        String json = "{\"name\":\"" + name + "\",\"roles\":[\"" + role + "\"],\"prefixes\":["
                + String.join(",", prefixes.stream().map(p -> "\"" + p + "\"").toList()) + "]}";
        Http.Response response = Http.post(cluster.node(1).url("/v1/auth/tokens"), json);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        cluster.awaitApplied(response.revision());
        return response.json().path("secret").asString();
    }
}
