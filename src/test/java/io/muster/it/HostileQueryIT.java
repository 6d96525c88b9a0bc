package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.view.Gadget;
import io.muster.view.View;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Proves, on a real one-node cluster, that {@code POST /v1/query} cannot be turned against the node
 * (issue 18, must-fix 2 to 4): every hostile query of the issue (Java deserialization, memory and CPU
 * bombs, other schemas, a literal that once overflowed the guard's stack) is answered with a 4xx
 * problem within the query timeout, after which the node is live, ready and its view exact; a
 * deserialization that bypasses the guard still fails inside H2 and constructs nothing; and a view
 * database closed under load is reported (OUT_OF_SERVICE, a failure metric), rebuilt into a fresh
 * database, exact again and UP, while liveness answers within a second throughout.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileQueryIT {

    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration HEALTH_LIMIT = Duration.ofSeconds(1);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path root;
    static TestCluster cluster;
    static TestNode node;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(1, root, Map.of("muster.view.query-timeout", QUERY_TIMEOUT.toSeconds() + "s",
                "muster.limits.history-versions", "3", "muster.view.query-max-allocation", "32MB"));
        node = cluster.awaitLeader();
        for (int i = 0; i < 20; i++) {
            Http.put(node.url("/v1/kv/app/k" + (i % 5)), "value-" + i + " aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    "Content-Type", "text/plain");
        }
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void everyHostileQueryIsRefusedWithAProblemWithinTheTimeoutAndTheNodeStaysWhole() throws Exception {
        List<String> wrong = new ArrayList<>();
        try (HealthProbe probe = HealthProbe.start(node)) {
            for (Map.Entry<String, List<Object>> hostile : hostileQueries().entrySet()) {
                String verdict = send(hostile.getKey(), hostile.getValue());
                if (verdict != null) {
                    wrong.add(verdict);
                }
            }
            assertThat(wrong).as("hostile queries not answered with a 4xx problem within the timeout").isEmpty();
            assertNodeWhole();
            probe.assertAnsweredWithin(HEALTH_LIMIT);
        }
    }

    @Test
    @Order(2)
    void anAllowedQueryThatHoldsTooMuchIsCancelledByItsMemoryBudget() throws Exception {
        // Every quadruple of audit records grouped by a text of its own: allowed words, a million groups.
        String sql = "SELECT a.request_id || b.request_id || c.request_id || d.request_id AS k, COUNT(*) "
                + "FROM audit a, audit b, audit c, audit d GROUP BY k";
        assertThat(Http.post(node.url("/v1/query"), JSON.writeValueAsString(Map.of("sql",
                "SELECT COUNT(*) FROM audit"))).json().at("/rows/0/0").asLong()).as("audit rows").isGreaterThan(20);
        try (HealthProbe probe = HealthProbe.start(node)) {
            Http.Response response = Http.post(node.url("/v1/query"), JSON.writeValueAsString(Map.of("sql", sql)));
            assertThat(response.status()).as(response.toString()).isEqualTo(422);
            assertThat(response.json().path("type").asString()).endsWith("query-failed");
            assertThat(response.json().path("detail").asString()).contains("allocated more than 32 MB");
            assertNodeWhole();
            probe.assertAnsweredWithin(HEALTH_LIMIT);
        }
    }

    @Test
    @Order(2)
    void aDeserializationThatBypassesTheGuardFailsAndConstructsNothing() throws Exception {
        String hex = HexFormat.of().formatHex(Gadget.serialized(new Gadget()));
        // The view's own database, reached directly (no guard, no HTTP): its serializer refuses.
        try (Connection connection = DriverManager.getConnection(node.bean(View.class).databaseUrl(), "muster", "")) {
            assertDeserializationFails(connection, hex);
        }
        // Any other H2 database in this process: H2's process-wide serializer refuses too.
        try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:", "sa", "")) {
            assertDeserializationFails(connection, hex);
        }
        assertThat(Gadget.CONSTRUCTED.get()).as("gadgets deserialized").isZero();
    }

    @Test
    @Order(3)
    void aViewDatabaseClosedUnderLoadIsReportedAndRebuiltFresh() throws Exception {
        View view = node.bean(View.class);
        String closed = view.databaseUrl();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong writes = new AtomicLong();
        Thread writer = new Thread(() -> write(writing, writes), "heal-writer");
        try (HealthProbe probe = HealthProbe.liveness(node)) {
            writer.start();
            Waits.until("some writes under way", TestCluster.DEADLINE, () -> writes.get() >= 20 ? true : null);
            try (Connection admin = DriverManager.getConnection(closed, "muster", "");
                 Statement statement = admin.createStatement()) {
                statement.execute("SHUTDOWN IMMEDIATELY");
            }
            // The failure is reported (readiness OUT_OF_SERVICE while the view is rebuilt: ViewHealthIndicatorTest)
            // and counted; the rebuild takes milliseconds here, too short to catch the status in between.
            Waits.until("the view's failure counted", TestCluster.DEADLINE, () -> failuresMetric() >= 1 ? true : null);
            Waits.until("the view UP again", TestCluster.DEADLINE, () -> "UP".equals(viewStatus()) ? true : null);
            long healedAt = writes.get();
            Waits.until("writes after the heal", TestCluster.DEADLINE, () -> writes.get() >= healedAt + 20 ? true : null);
            writing.set(false);
            writer.join(TestCluster.DEADLINE.toMillis());
            assertThat(view.databaseUrl()).as("the rebuilt view's database").isNotEqualTo(closed);
            assertThat(Http.get(node.url("/actuator/health/readiness")).json().at("/components/view/details/failures")
                    .asLong()).as("failures in the view's health details").isGreaterThanOrEqualTo(1);
            assertNodeWhole();
            probe.assertAnsweredWithin(HEALTH_LIMIT);
        } finally {
            writing.set(false);
            writer.join(TestCluster.DEADLINE.toMillis());
        }
    }

    /** The hostile queries (and their variants), with their parameters. */
    private static Map<String, List<Object>> hostileQueries() throws IOException {
        String list = HexFormat.of().formatHex(Gadget.serialized(new ArrayList<>(List.of("deserialized"))));
        Map<String, List<Object>> queries = new LinkedHashMap<>();
        queries.put("SELECT CAST(X'" + list + "' AS JAVA_OBJECT)", List.of());
        queries.put("SELECT CAST(X'" + list + "' AS OTHER)", List.of());
        queries.put("SELECT CONVERT(X'" + list + "', JAVA_OBJECT)", List.of());
        queries.put("SELECT CAST(? AS JAVA_OBJECT)", List.of(list));
        queries.put("WITH RECURSIVE r(n,s) AS (SELECT 1, REPEAT('x',100000) UNION ALL SELECT n+1, s || n FROM r "
                + "WHERE n<100000) SELECT COUNT(*) FROM r", List.of());
        queries.put("SELECT REPEAT('x', 2000000000)", List.of());
        queries.put("SELECT 1 // AS e(\n, REPEAT('x', 999999999) // )\nFROM entries", List.of());
        queries.put("SELECT LENGTH(REPEAT(REPEAT('x', 1000000), 1000))", List.of());
        queries.put("SELECT REGEXP_LIKE(REPEAT('x',28)||'!', '((x+)+)\\2y')", List.of());
        queries.put("SELECT HASH('SHA256','a',60000000)", List.of());
        queries.put("SELECT * FROM \"INFORMATION_SCHEMA\".\"TABLES\"", List.of());
        queries.put("SELECT COUNT(*) FROM SYSTEM_RANGE(1, 2000000000)", List.of());
        queries.put("SELECT 1 FROM entries WHERE entry_key = '" + "x".repeat(2000) + "'", List.of());
        queries.put("SELECT entry_key FROM entries WHERE UTF8TOSTRING(value_bytes) LIKE '%a%a%a%a%a%a%a%a%b'", List.of());
        queries.put("SELECT entry_key FROM entries WHERE UTF8TOSTRING(value_bytes) LIKE ?",
                List.of("%a%a%a%a%a%a%a%a%b"));
        return queries;
    }

    /** Sends one hostile query; {@code null} when it was answered as it must be, else what went wrong. */
    private static String send(String sql, List<Object> params) {
        String shown = sql.length() > 80 ? sql.substring(0, 80) + "..." : sql;
        long start = System.nanoTime();
        Http.Response response;
        try {
            response = Http.post(node.url("/v1/query"), JSON.writeValueAsString(Map.of("sql", sql, "params", params)));
        } catch (RuntimeException e) {
            return shown + ": " + e;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        String contentType = response.header("Content-Type");
        boolean problem = contentType != null && contentType.startsWith("application/problem+json");
        if (response.status() / 100 != 4 || !problem || millis > QUERY_TIMEOUT.toMillis() + 1000) {
            return shown + ": " + response.status() + " after " + millis + " ms: " + truncated(response.text());
        }
        return null;
    }

    /** Live, ready, the view equal to the state, and the endpoints the view answers all answering. */
    private static void assertNodeWhole() {
        assertThat(Http.get(node.url("/actuator/health/liveness")).status()).isEqualTo(200);
        Waits.until("the node ready", TestCluster.DEADLINE,
                () -> Http.get(node.url("/actuator/health/readiness")).status() == 200 ? true : null);
        cluster.assertViewsEqualStates("after hostile queries");
        long revision = Http.put(node.url("/v1/kv/app/after"), "one", "Content-Type", "text/plain").json()
                .get("revision").asLong();
        Http.put(node.url("/v1/kv/app/after"), "two", "Content-Type", "text/plain");
        Http.Response history = Http.get(node.url("/v1/history/app/after?minRevision=" + (revision + 1)));
        assertThat(history.status()).as(history.toString()).isEqualTo(200);
        assertThat(Http.get(node.url("/v1/search?prefix=app/")).status()).isEqualTo(200);
        assertThat(Http.get(node.url("/v1/audit")).status()).isEqualTo(200);
        assertThat(Http.get(node.url("/v1/cluster/digest")).status()).isEqualTo(200);
        Http.Response rollback = Http.post(node.url("/v1/rollback/app/after"), "{\"toRevision\":" + revision + "}");
        assertThat(rollback.status()).as(rollback.toString()).isEqualTo(200);
        assertThat(Http.get(node.url("/v1/kv/app/after")).text()).isEqualTo("one");
        Http.Response query = Http.post(node.url("/v1/query"), "{\"sql\":\"SELECT COUNT(*) FROM entries\"}");
        assertThat(query.status()).as(query.toString()).isEqualTo(200);
    }

    private static void assertDeserializationFails(Connection connection, String hex) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT CAST(X'" + hex + "' AS JAVA_OBJECT)")) {
            row.next();
            assertThatThrownBy(() -> row.getObject(1)).isInstanceOf(SQLException.class);
        }
    }

    private static void write(AtomicBoolean writing, AtomicLong writes) {
        for (int i = 0; i < 100_000 && writing.get(); i++) {
            Http.Response response = Http.put(node.url("/v1/kv/heal/k" + (i % 40)), "v" + i, "Content-Type", "text/plain");
            if (response.status() == 200) {
                writes.incrementAndGet();
            }
        }
    }

    /** The {@code view} health component's status, as an operator (admin token) sees it. */
    private static String viewStatus() {
        JsonNode health = Http.get(node.url("/actuator/health/readiness")).json();
        return health.at("/components/view/status").asString();
    }

    private static double failuresMetric() {
        for (String line : Http.get(node.url("/actuator/prometheus")).text().split("\n")) {
            if (line.startsWith("muster_view_failures_total")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }


    private static String truncated(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
