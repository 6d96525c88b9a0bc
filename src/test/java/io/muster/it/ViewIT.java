package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.view.View;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Proves that each node's H2 view follows its state exactly: after a random concurrent workload
 * (puts, deletes, transactions, text and binary values, histories longer than retained) the view's
 * content digest equals the state's at the same revision on every node, also after a restart; a
 * client reads its own write from any node's view with {@code minRevision}; and bad history requests
 * are refused. Node n3's projector queue holds one change, so it overflows all the time and its view
 * must recover by rebuilding from the state; n1 and n2 follow change by change. n2 keeps its view on
 * disk with a 1 MB cache, so most of its tables are read back from the file.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ViewIT {

    private static final long SEED = Long.getLong("seed", System.nanoTime());
    private static final int WRITERS = 4;
    private static final int OPERATIONS_PER_WRITER = 120;

    @TempDir
    static Path root;
    static TestCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(3, root, Map.of("muster.limits.history-versions", "3",
                "muster.view.query-timeout", "1s"), Map.of(2, Map.of("muster.view.storage", "disk", "muster.view.cache-size", "1MB"),
                3, Map.of("muster.view.queue-capacity", "1")));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    @Order(1)
    void afterARandomWorkloadEveryViewEqualsItsState() throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                Random random = new Random(SEED + w);
                done.add(writers.submit(() -> workload(random)));
            }
            for (Future<?> writer : done) {
                writer.get(2, TimeUnit.MINUTES);
            }
        } finally {
            writers.shutdownNow();
        }
        cluster.assertViewsEqualStates("(seed " + SEED + ")");
        assertThat(cluster.node(3).bean(View.class).rebuilds()).as("n3's rebuilds after queue overflows")
                .isGreaterThan(1);
        assertThat(cluster.node(1).bean(View.class).events()).as("entries n1 projected one by one")
                .isGreaterThan(WRITERS * OPERATIONS_PER_WRITER / 2);
        assertThat(root.resolve("n2").resolve("view").resolve("muster-view.mv.db")).as("n2's view on disk")
                .isRegularFile();
        assertThat(root.resolve("n1").resolve("view")).as("n1's view in memory").doesNotExist();
    }

    @Test
    @Order(2)
    void aClientReadsItsOwnWriteFromAnyNodesView() {
        TestNode writer = cluster.followers().get(0);
        Http.Response put = Http.put(writer.url("/v1/kv/ryw/key"), "mine", "Content-Type", "text/plain");
        long revision = put.json().get("revision").asLong();
        for (TestNode node : cluster.running()) {
            Http.Response history = Http.get(node.url("/v1/history/ryw/key?minRevision=" + revision));
            assertThat(history.status()).as(node.id + ": " + history).isEqualTo(200);
            assertThat(Long.parseLong(history.header("X-Muster-View-Revision"))).isGreaterThanOrEqualTo(revision);
            JsonNode newest = history.json().get("versions").get(0);
            assertThat(newest.get("value").asString()).isEqualTo("mine");
            assertThat(newest.get("modRevision").asLong()).isEqualTo(revision);
            Http.Response search = Http.get(node.url("/v1/search?prefix=ryw/&minRevision=" + revision));
            assertThat(search.json().get("items").get(0).get("value").asString()).as(node.id).isEqualTo("mine");
            Http.Response query = Http.post(node.url("/v1/query"), "{\"sql\":\"SELECT version FROM entries WHERE "
                    + "entry_key = 'ryw/key'\",\"minRevision\":" + revision + "}");
            assertThat(query.json().get("rows").toString()).as(node.id).isEqualTo("[[1]]");
        }
    }

    @Test
    @Order(3)
    void historyIsRetainedNewestFirstAndPaged() {
        TestNode node = cluster.node(1);
        for (int i = 1; i <= 5; i++) {
            Http.put(node.url("/v1/kv/paged/key"), "v" + i, "Content-Type", "text/plain");
        }
        long revision = Http.put(node.url("/v1/kv/paged/key"), new byte[] {0, 1}, "Content-Type",
                "application/octet-stream").json().get("revision").asLong();
        JsonNode first = Http.get(node.url("/v1/history/paged/key?limit=2&minRevision=" + revision)).json();
        assertThat(first.get("versions")).hasSize(2);
        assertThat(first.get("versions").get(0).get("valueBase64").asString()).isEqualTo("AAE=");
        assertThat(first.get("versions").get(1).get("value").asString()).isEqualTo("v5");
        JsonNode second = Http.get(node.url("/v1/history/paged/key?limit=2&before=" + first.get("next").asLong())).json();
        assertThat(second.get("versions")).hasSize(1).first()
                .satisfies(version -> assertThat(version.get("value").asString()).isEqualTo("v4"));
        assertThat(second.has("next")).isFalse();
    }

    @Test
    @Order(4)
    void badHistoryRequestsAreRefused() {
        TestNode node = cluster.node(2);
        assertThat(Http.get(node.url("/v1/history/absent/key")).status()).isEqualTo(404);
        for (String query : List.of("?limit=0", "?before=0", "?minRevision=-1", "?limit=x")) {
            Http.Response refused = Http.get(node.url("/v1/history/paged/key" + query));
            assertThat(refused.status()).as(query).isEqualTo(400);
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        }
        assertThat(Http.get(node.url("/v1/history/bad//key")).status()).isEqualTo(400);
        Http.Response future = Http.get(node.url("/v1/history/paged/key?minRevision=999999999"));
        assertThat(future.status()).isEqualTo(504);
        assertThat(future.json().get("type").asString()).isEqualTo("urn:muster:problem:revision-not-reached");
    }

    @Test
    @Order(5)
    void aRetainedVersionCanBeWrittenBackAndAnExpiredOneCannot() {
        TestNode node = cluster.followers().get(0);
        long[] revisions = new long[5];
        for (int i = 0; i < 5; i++) {
            revisions[i] = Http.put(node.url("/v1/kv/roll/key"), "v" + i, "Content-Type", "text/plain").json()
                    .get("revision").asLong();
        }
        // minRevision: this node's view must have seen the last write, or the compare would be against an older one.
        Http.Response rolled = Http.post(node.url("/v1/rollback/roll/key?minRevision=" + revisions[4]),
                "{\"toRevision\":" + revisions[3] + "}");
        assertThat(rolled.status()).as(rolled.toString()).isEqualTo(200);
        long revision = rolled.json().get("revision").asLong();
        assertThat(revision).isGreaterThan(revisions[4]);
        Http.Response current = Http.get(cluster.node(1).url("/v1/kv/roll/key"));
        assertThat(current.text()).isEqualTo("v3");
        assertThat(current.header("Content-Type")).startsWith("text/plain");

        // A client that chose the version at one mod revision does not overwrite a change made since.
        long seen = Http.get(node.url("/v1/history/roll/key?minRevision=" + revision)).json().get("versions").get(0)
                .get("modRevision").asLong();
        Http.Response meanwhile = Http.put(cluster.node(1).url("/v1/kv/roll/key"), "concurrent", "Content-Type", "text/plain");
        Http.Response refused = Http.send(Http.request(node.url("/v1/rollback/roll/key"), "Content-Type", "application/json",
                "If-Match", "\"" + seen + "\"").POST(HttpRequest.BodyPublishers.ofString(
                "{\"toRevision\":" + revisions[4] + "}")));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(412);
        assertThat(refused.json().get("currentModRevision").asLong()).isEqualTo(meanwhile.json().get("revision").asLong());
        assertThat(Http.get(cluster.node(1).url("/v1/kv/roll/key")).text()).isEqualTo("concurrent");

        Http.Response expired = Http.post(node.url("/v1/rollback/roll/key"), "{\"toRevision\":" + revisions[0] + "}");
        assertThat(expired.status()).isEqualTo(404);
        assertThat(expired.json().get("type").asString()).isEqualTo("urn:muster:problem:version-not-retained");
        assertThat(Http.post(node.url("/v1/rollback/roll/key"), "{}").status()).isEqualTo(400);
        assertThat(Http.post(node.url("/v1/rollback/roll/key"), "{\"toRevision\":\"x\"}").status()).isEqualTo(400);
        assertThat(Http.get(node.url("/v1/kv/roll/key")).text()).as("nothing else written").isEqualTo("concurrent");
    }

    @Test
    @Order(6)
    void searchFiltersCurrentEntriesByPrefixTypeTimeRevisionAndText() {
        TestNode node = cluster.node(2);
        long before = Http.put(node.url("/v1/kv/find/a"), "alpha needle", "Content-Type", "text/plain").json()
                .get("revision").asLong();
        Http.put(node.url("/v1/kv/find/b"), "{\"needle\":true}", "Content-Type", "application/json");
        long last = Http.put(node.url("/v1/kv/find/c"), "plain hay", "Content-Type", "text/plain").json()
                .get("revision").asLong();
        String base = "/v1/search?prefix=find/&minRevision=" + last;
        assertThat(keys(Http.get(node.url(base)))).containsExactly("find/a", "find/b", "find/c");
        assertThat(keys(Http.get(node.url(base + "&contentType=text/plain")))).containsExactly("find/a", "find/c");
        assertThat(keys(Http.get(node.url(base + "&valueContains=needle")))).containsExactly("find/a", "find/b");
        assertThat(keys(Http.get(node.url(base + "&modifiedAfter=" + before)))).containsExactly("find/b", "find/c");
        assertThat(keys(Http.get(node.url(base + "&modifiedAfter=2000-01-01T00:00:00Z")))).hasSize(3);
        Http.Response page = Http.get(node.url(base + "&limit=2"));
        assertThat(keys(page)).containsExactly("find/a", "find/b");
        assertThat(page.header("X-Muster-View-Revision")).isNotNull();
        assertThat(keys(Http.get(node.url(base + "&limit=2&after=" + page.json().get("next").asString()))))
                .containsExactly("find/c");
        for (String bad : List.of("&modifiedAfter=yesterday", "&valueContains=", "&limit=0")) {
            Http.Response refused = Http.get(node.url(base + bad));
            assertThat(refused.status()).as(bad).isEqualTo(400);
        }
        assertThat(Http.get(node.url("/v1/search?prefix=/bad")).status()).isEqualTo(400);
        assertThat(Http.get(node.url("/v1/search?minRevision=-2")).status()).isEqualTo(400);
    }

    @Test
    @Order(7)
    void readinessIncludesTheView() {
        for (TestNode node : cluster.running()) {
            Http.Response readiness = Waits.until(node.id + " ready", TestCluster.DEADLINE, () -> {
                Http.Response response = Http.get(node.url("/actuator/health/readiness"));
                return response.status() == 200 ? response : null;
            });
            assertThat(readiness.json().at("/components/view/status").asString()).isEqualTo("UP");
        }
    }

    @Test
    @Order(8)
    void operatorsQueryTheViewWithReadOnlySql() {
        TestNode node = cluster.node(3);
        long revision = Http.put(node.url("/v1/kv/sql/a"), "one", "Content-Type", "text/plain").json()
                .get("revision").asLong();
        Waits.until("the view at " + revision, TestCluster.DEADLINE,
                () -> node.bean(View.class).revision() >= revision ? true : null);
        Http.Response answer = Http.post(node.url("/v1/query"), "{\"sql\":\"SELECT entry_key, version, mod_revision "
                + "FROM entries WHERE entry_key LIKE ? ORDER BY entry_key\",\"params\":[\"sql/%\"],\"maxRows\":5}");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        JsonNode result = answer.json();
        assertThat(result.get("columns").toString()).isEqualTo("[\"entry_key\",\"version\",\"mod_revision\"]");
        assertThat(result.get("rows").get(0).toString()).isEqualTo("[\"sql/a\",1," + revision + "]");
        assertThat(result.get("truncated").asBoolean()).isFalse();
        assertThat(result.get("viewRevision").asLong()).isGreaterThanOrEqualTo(revision);

        Http.Response capped = Http.post(node.url("/v1/query"),
                "{\"sql\":\"SELECT mod_revision FROM entry_history\",\"maxRows\":2}");
        assertThat(capped.json().get("rows")).hasSize(2);
        assertThat(capped.json().get("truncated").asBoolean()).isTrue();
    }

    @Test
    @Order(9)
    void queriesThatWriteEscapeOrRunTooLongAreRefusedAndChangeNothing() {
        TestNode node = cluster.node(3);
        String before = Http.get(node.url("/v1/cluster/digest")).json().at("/view/contentSha256").asString();
        Map<String, String> refused = Map.ofEntries(
                Map.entry("DELETE FROM entries", "query-not-allowed"),
                Map.entry("SELECT 1; DELETE FROM entries", "query-not-allowed"),
                Map.entry("WITH x AS (DELETE FROM entries RETURNING *) SELECT * FROM x", "query-not-allowed"),
                Map.entry("CALL 1", "query-not-allowed"),
                Map.entry("SCRIPT TO 'dump.sql'", "query-not-allowed"),
                Map.entry("SELECT FILE_READ('/etc/hostname')", "query-not-allowed"),
                Map.entry("SELECT * FROM CSVREAD('/etc/hostname')", "query-not-allowed"),
                Map.entry("SELECT * FROM INFORMATION_SCHEMA.USERS", "query-not-allowed"),
                Map.entry("SELECT nonsense FROM entries", "query-not-allowed"),
                Map.entry("SELECT tag FROM entries", "invalid-query"),
                Map.entry("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT COUNT(*) FROM t",
                        "query-not-allowed"),
                Map.entry("SELEKT 1", "query-not-allowed"));
        refused.forEach((sql, type) -> {
            Http.Response response = Http.post(node.url("/v1/query"), "{\"sql\":\"" + sql + "\"}");
            assertThat(response.status()).as(sql + ": " + response).isEqualTo(400);
            assertThat(response.json().get("type").asString()).as(sql).isEqualTo("urn:muster:problem:" + type);
        });
        Http.Response tooLong = Http.post(node.url("/v1/query"), "{\"sql\":\"SELECT '" + "x".repeat(5000) + "'\"}");
        assertThat(tooLong.status()).isEqualTo(400);
        Http.Response wrongType = Http.post(node.url("/v1/query"),
                "{\"sql\":\"SELECT * FROM entries WHERE version = ?\",\"params\":[\"not a number\"]}");
        assertThat(wrongType.status()).as(wrongType.toString()).isEqualTo(422);
        Http.Response missingParameter = Http.post(node.url("/v1/query"),
                "{\"sql\":\"SELECT * FROM entries WHERE version = ?\"}");
        assertThat(missingParameter.status()).isEqualTo(400);
        // Recursion is refused now; a cross join of the audit trail (hundreds of rows on n1) with itself is not.
        Http.Response timedOut = Http.post(cluster.node(1).url("/v1/query"), "{\"sql\":\"SELECT COUNT(*) FROM audit a, "
                + "audit b, audit c, audit d\"}");
        assertThat(timedOut.status()).as(timedOut.toString()).isEqualTo(408);
        assertThat(timedOut.json().get("type").asString()).isEqualTo("urn:muster:problem:query-timeout");
        assertThat(Http.post(node.url("/v1/query"), "{\"sql\":\"SELECT 1\",\"maxRows\":0}").status()).isEqualTo(400);
        assertThat(Http.get(node.url("/v1/cluster/digest")).json().at("/view/contentSha256").asString())
                .as("the view is untouched").isEqualTo(before);
    }

    @Test
    @Order(10)
    void aRestartedNodeRebuildsAViewEqualToItsState() {
        TestNode node = cluster.node(3);
        node.stop();
        Http.put(cluster.node(1).url("/v1/kv/while/away"), "x", "Content-Type", "text/plain");
        node.start();
        cluster.awaitLeader();
        cluster.assertViewsEqualStates("(seed " + SEED + ")");
    }

    private static void workload(Random random) {
        for (int i = 0; i < OPERATIONS_PER_WRITER; i++) {
            TestNode node = cluster.nodes.get(random.nextInt(cluster.nodes.size()));
            int k = random.nextInt(12);
            String key = "w/k" + k;
            int choice = random.nextInt(10);
            Http.Response response;
            if (choice < 6) {
                response = random.nextBoolean()
                        ? Http.put(node.url("/v1/kv/" + key), "value-" + random.nextInt(1000), "Content-Type", "text/plain")
                        : Http.put(node.url("/v1/kv/" + key), new byte[] {(byte) random.nextInt(), 7}, "Content-Type",
                                "application/octet-stream");
            } else if (choice < 8) {
                response = Http.delete(node.url("/v1/kv/" + key));
            } else {
                String other = "w/k" + (k + 1 + random.nextInt(11)) % 12;
                response = Http.post(node.url("/v1/txn"), "{\"compare\":[{\"key\":\"" + key
                        + "\",\"target\":\"exists\",\"exists\":true}],\"then\":[{\"op\":\"put\",\"key\":\"" + other
                        + "\",\"value\":\"txn\"},{\"op\":\"delete\",\"key\":\"" + key + "\"}],\"else\":[{\"op\":\"put\","
                        + "\"key\":\"" + key + "\",\"value\":\"created\"}]}");
            }
            assertThat(response.status() / 100).as(response.toString()).isEqualTo(2);
        }
    }

    private static List<String> keys(Http.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        List<String> keys = new ArrayList<>();
        response.json().get("items").forEach(item -> keys.add(item.get("key").asString()));
        return keys;
    }
}
