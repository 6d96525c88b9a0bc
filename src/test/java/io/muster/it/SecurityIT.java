package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.security.RequiresRole;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * Security on a real three-node cluster: every endpoint not on the public list refuses a request
 * without a token (found by walking the request mappings at runtime, so a new endpoint cannot be
 * forgotten), a role-by-endpoint matrix grants nothing beyond each role, a revoke cuts off writes
 * ordered after it on every node, and the audit trail records who did what.
 */
class SecurityIT {

    @TempDir
    static Path root;
    static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(3, root, Map.of("muster.security.requests-per-second", "100000",
                "muster.security.request-burst", "100000"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void everyEndpointButThePublicOnesRefusesARequestWithoutAToken() {
        TestNode node = cluster.node(1);
        RequestMappingHandlerMapping mappings = node.bean("requestMappingHandlerMapping",
                RequestMappingHandlerMapping.class);
        List<String> checked = new ArrayList<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> mapping : mappings.getHandlerMethods().entrySet()) {
            if (!mapping.getValue().getBeanType().getName().startsWith("io.muster.")) {
                continue;
            }
            assertThat(mapping.getValue().getMethodAnnotation(RequiresRole.class) != null
                    || mapping.getValue().getBeanType().getAnnotation(RequiresRole.class) != null)
                    .as("%s declares its role", mapping.getValue()).isTrue();
            Set<RequestMethod> methods = mapping.getKey().getMethodsCondition().getMethods();
            for (String pattern : mapping.getKey().getPatternValues()) {
                for (RequestMethod method : methods) {
                    String path = concrete(pattern);
                    for (String[] credentials : List.of(new String[] {"Authorization", ""},
                            new String[] {"Authorization", Http.bearer("mst_not-a-token")},
                            new String[] {"Authorization", "Basic YWRtaW46YWRtaW4="})) {
                        Http.Response response = Http.send(Http.request(node.url(path), credentials[0], credentials[1],
                                "Content-Type", "application/json")
                                .method(method.name(), java.net.http.HttpRequest.BodyPublishers.ofString("{}")));
                        assertThat(response.status()).as("%s %s with '%s'", method, path, credentials[1]).isEqualTo(401);
                        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
                        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
                    }
                    checked.add(method + " " + pattern);
                }
            }
        }
        System.out.println("[security] " + checked.size() + " endpoint/method pairs refuse requests without a valid "
                + "token: " + new TreeSet<>(checked));
        assertThat(checked).hasSizeGreaterThanOrEqualTo(35);
        assertThat(Http.get(node.url("/actuator/metrics"), "Authorization", "").status()).isEqualTo(401);
        assertThat(Http.get(node.url("/error"), "Authorization", "").status()).isEqualTo(401);
    }

    @Test
    void publicEndpointsAnswerWithoutATokenAndHealthDetailsNeedAnAdmin() {
        TestNode node = cluster.node(2);
        for (String path : List.of("/actuator/health", "/actuator/health/readiness", "/actuator/health/liveness",
                "/actuator/info", "/actuator/prometheus", "/v3/api-docs")) {
            assertThat(Http.get(node.url(path), "Authorization", "").status()).as(path).isEqualTo(200);
        }
        JsonNode anonymous = Http.get(node.url("/actuator/health"), "Authorization", "").json();
        assertThat(anonymous.path("status").asString()).isEqualTo("UP");
        assertThat(anonymous.has("components")).as("components without a token").isFalse();
        assertThat(Http.get(node.url("/actuator/health")).json().path("components").has("raft")).isTrue();
        String reader = createToken("health-reader", "reader", List.of()).path("secret").asString();
        assertThat(Http.get(node.url("/actuator/health"), "Authorization", Http.bearer(reader)).json().has("components"))
                .as("components for a reader").isFalse();
    }

    @Test
    void noRoleReachesBeyondItsRights() {
        String reader = createToken("m-reader", "reader", List.of()).path("secret").asString();
        String writer = createToken("m-writer", "writer", List.of()).path("secret").asString();
        String scoped = createToken("m-team", "writer", List.of("team/")).path("secret").asString();
        String admin = createToken("m-admin", "admin", List.of()).path("secret").asString();
        Http.put(cluster.node(1).url("/v1/kv/team/seed"), "x", "Content-Type", "text/plain");
        Http.put(cluster.node(1).url("/v1/kv/other/seed"), "x", "Content-Type", "text/plain");
        long lease = Http.post(cluster.node(1).url("/v1/leases"), "{\"ttlSeconds\":60}").json().path("id").asLong();

        // method, path, body, the weakest role allowed, whether a token confined to team/ may (cluster status is
        // no key data: a confined token may read it)
        List<Object[]> matrix = List.of(
                new Object[] {"GET", "/v1/kv/team/seed", null, "reader", true},
                new Object[] {"GET", "/v1/kv/other/seed", null, "reader", false},
                new Object[] {"GET", "/v1/kv?prefix=team/", null, "reader", true},
                new Object[] {"GET", "/v1/kv", null, "reader", false},
                new Object[] {"PUT", "/v1/kv/team/a", "v", "writer", true},
                new Object[] {"PUT", "/v1/kv/other/a", "v", "writer", false},
                new Object[] {"PUT", "/v1/kv/team/leased?lease=" + lease, "v", "writer", false},
                new Object[] {"DELETE", "/v1/kv/other/none", null, "writer", false},
                new Object[] {"POST", "/v1/txn", "{\"then\":[{\"op\":\"put\",\"key\":\"team/t\",\"value\":\"1\"}]}", "writer", true},
                new Object[] {"POST", "/v1/txn", "{\"then\":[{\"op\":\"put\",\"key\":\"team/t\",\"value\":\"1\"},"
                        + "{\"op\":\"get\",\"key\":\"other/seed\"}]}", "writer", false},
                new Object[] {"GET", "/v1/history/team/seed", null, "reader", true},
                new Object[] {"GET", "/v1/history/other/seed", null, "reader", false},
                new Object[] {"GET", "/v1/search?prefix=team/", null, "reader", false},
                new Object[] {"GET", "/v1/leases/" + lease, null, "reader", false},
                new Object[] {"POST", "/v1/leases", "{\"ttlSeconds\":60}", "writer", false},
                new Object[] {"GET", "/v1/services", null, "reader", false},
                new Object[] {"PUT", "/v1/services/api/instances/m1", "{\"address\":\"10.0.0.1\",\"port\":80}", "writer", false},
                new Object[] {"GET", "/v1/locks/locks/m", null, "reader", false},
                new Object[] {"GET", "/v1/elections/m/leader", null, "reader", false},
                new Object[] {"GET", "/v1/cluster", null, "reader", true},
                new Object[] {"GET", "/v1/cluster/digest", null, "reader", true},
                new Object[] {"POST", "/v1/cluster/snapshot", "", "admin", false},
                new Object[] {"POST", "/v1/cluster/members", "{\"id\":\"n1\",\"address\":\"127.0.0.1:1\"}", "admin", false},
                new Object[] {"DELETE", "/v1/cluster/members/nobody", null, "admin", false},
                new Object[] {"POST", "/v1/cluster/leader", "{\"id\":\"nobody\"}", "admin", false},
                new Object[] {"POST", "/v1/query", "{\"sql\":\"SELECT COUNT(*) FROM entries\"}", "admin", false},
                new Object[] {"GET", "/v1/audit", null, "admin", false},
                new Object[] {"GET", "/v1/auth/tokens", null, "admin", false},
                new Object[] {"POST", "/v1/auth/tokens", "{\"name\":\"x-escalated\",\"roles\":[\"admin\"]}", "admin", false},
                new Object[] {"DELETE", "/v1/auth/tokens/m-nobody", null, "admin", false},
                new Object[] {"GET", "/actuator/metrics", null, "admin", false});
        Map<String, String> tokens = Map.of("reader", reader, "writer", writer, "scoped", scoped, "admin", admin);
        List<String> roles = List.of("reader", "writer", "admin");
        int escalations = 0;
        int checks = 0;
        for (Object[] row : matrix) {
            for (Map.Entry<String, String> token : tokens.entrySet()) {
                String role = token.getKey().equals("scoped") ? "writer" : token.getKey();
                boolean allowed = roles.indexOf(role) >= roles.indexOf((String) row[3])
                        && (!token.getKey().equals("scoped") || (boolean) row[4]);
                Http.Response response = send((String) row[0], cluster.node(1 + checks % 3).url((String) row[1]),
                        (String) row[2], token.getValue());
                checks++;
                String what = token.getKey() + " " + row[0] + " " + row[1] + " -> " + response;
                if (allowed) {
                    assertThat(response.status()).as(what).isNotIn(401, 403);
                } else {
                    if (response.status() != 403) {
                        escalations++;
                    }
                    assertThat(response.status()).as(what).isEqualTo(403);
                    assertThat(response.json().path("type").asString()).as(what).isEqualTo("urn:muster:problem:forbidden");
                }
            }
        }
        System.out.println("[security] role matrix: " + matrix.size() + " requests x " + tokens.size() + " tokens = "
                + checks + " checks, " + escalations + " escalations");
        assertThat(send("PUT", cluster.node(2).url("/v1/kv/reader/tried"), "v", reader).status()).isEqualTo(403);
        assertThat(send("PUT", cluster.node(3).url("/v1/kv/other/scoped-tried"), "v", scoped).status()).isEqualTo(403);
        assertThat(Http.get(cluster.node(1).url("/v1/kv/reader/tried")).status()).as("a refused write wrote nothing")
                .isEqualTo(404);
        assertThat(Http.get(cluster.node(1).url("/v1/kv/other/scoped-tried")).status()).isEqualTo(404);
    }

    @Test
    void noWriteOrderedAfterARevokeIsAccepted() throws Exception {
        String secret = createToken("racer", "writer", List.of()).path("secret").asString();
        ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService writers = Executors.newFixedThreadPool(6);
        for (int w = 0; w < 6; w++) {
            int writer = w;
            writers.submit(() -> {
                for (int i = 0; i < 2000 && !stop.get(); i++) {
                    Http.Response response = Http.put(cluster.node(1 + writer % 3).url("/v1/kv/race/" + writer + "/" + i),
                            "v", "Content-Type", "text/plain", "Authorization", Http.bearer(secret));
                    if (response.status() == 200 || response.status() == 201) {
                        acknowledged.add(response.json().path("modRevision").asLong());
                    }
                }
                return null;
            });
        }
        Waits.until("writes under way", TestCluster.DEADLINE, () -> acknowledged.size() >= 30 ? true : null);
        Http.Response revoke = Http.delete(cluster.node(2).url("/v1/auth/tokens/racer"));
        assertThat(revoke.status()).isEqualTo(204);
        long revokedAt = revoke.revision();
        Waits.until("the revoke applied on every node", TestCluster.DEADLINE, () -> cluster.running().stream()
                .allMatch(node -> Http.put(node.url("/v1/kv/race/after"), "v", "Content-Type", "text/plain",
                        "Authorization", Http.bearer(secret)).status() == 401) ? true : null);
        stop.set(true);
        writers.shutdown();
        assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        assertThat(acknowledged).isNotEmpty().allSatisfy(revision -> assertThat(revision).isLessThan(revokedAt));
        cluster.convergedDigests();
        cluster.assertViewsEqualStates("after the race");
        for (TestNode node : cluster.running()) {
            JsonNode rows = Http.post(node.url("/v1/query"), "{\"sql\":\"SELECT revision, outcome FROM audit WHERE "
                    + "principal = 'racer' AND revision > " + revokedAt + " AND outcome = 'ok'\"}").json();
            assertThat(rows.path("rows")).as(node.id + ": writes by racer accepted after its revoke").isEmpty();
            JsonNode page = Http.get(node.url("/v1/audit?who=racer&limit=1000")).json();
            assertThat(page.path("records")).as(node.id + " audits racer's writes").isNotEmpty();
        }
        JsonNode refusedAtApply = Http.post(cluster.node(1).url("/v1/query"), "{\"sql\":\"SELECT COUNT(*) FROM audit "
                + "WHERE principal = 'racer' AND outcome = 'permission-denied'\"}").json().path("rows").get(0).get(0);
        System.out.println("[security] revoke at revision " + revokedAt + ": " + acknowledged.size()
                + " writes acknowledged, all before it; " + refusedAtApply.asLong() + " passed the API's check but were "
                + "refused in apply, after the revoke");
    }

    @Test
    void theAuditTrailAndTheHistoryNameWhoChangedWhat() {
        String secret = createToken("auditor-subject", "writer", List.of()).path("secret").asString();
        Http.Response put = Http.put(cluster.node(3).url("/v1/kv/audited/key"), "1", "Content-Type", "text/plain",
                "Authorization", Http.bearer(secret), "X-Request-Id", "req-audit-1");
        assertThat(put.status()).isEqualTo(201);
        assertThat(put.header("X-Request-Id")).isEqualTo("req-audit-1");
        long revision = put.json().path("modRevision").asLong();
        cluster.awaitApplied(revision);
        JsonNode record = Waits.until("the audit record", TestCluster.DEADLINE, () -> {
            JsonNode records = Http.get(cluster.node(1).url("/v1/audit?prefix=audited/&who=auditor-subject")).json()
                    .path("records");
            return records.isEmpty() ? null : records.get(0);
        });
        assertThat(record.path("revision").asLong()).isEqualTo(revision);
        assertThat(record.path("requestId").asString()).isEqualTo("req-audit-1");
        assertThat(record.path("action").asString()).isEqualTo("put");
        assertThat(record.path("outcome").asString()).isEqualTo("ok");
        JsonNode history = Http.get(cluster.node(1).url("/v1/history/audited/key?minRevision=" + revision)).json();
        assertThat(history.path("versions").get(0).path("modifiedBy").asString()).isEqualTo("auditor-subject");
    }

    @Test
    void tokenSecretsAreShownOnceAndNeverListed() {
        JsonNode created = createToken("shown-once", "reader", List.of());
        String secret = created.path("secret").asString();
        assertThat(secret).startsWith("mst_").hasSizeGreaterThan(40);
        String listing = Http.get(cluster.node(2).url("/v1/auth/tokens")).text();
        assertThat(listing).contains("shown-once").doesNotContain(secret).doesNotContain("secret");
        cluster.assertViewsEqualStates("with the new token");
        String sql = Http.post(cluster.node(2).url("/v1/query"), "{\"sql\":\"SELECT * FROM tokens\"}").text();
        assertThat(sql).contains("shown-once").doesNotContain(secret);
        assertThat(createTokenResponse("shown-once", "reader", List.of()).status()).isEqualTo(409);
        assertThat(createTokenResponse("Bad Name", "reader", List.of()).status()).isEqualTo(400);
        assertThat(createTokenResponse("admin-scoped", "admin", List.of("a/")).status()).isEqualTo(400);
        assertThat(createTokenResponse("no-role", "superuser", List.of()).status()).isEqualTo(400);
        assertThat(Http.delete(cluster.node(1).url("/v1/auth/tokens/never-made")).status()).isEqualTo(404);
    }

    @Test
    void aTokenOverItsRateIsToldWhenToComeBack() {
        // The cluster's own limit is raised for the other tests; prove the limiter on a fresh single node.
        TestCluster single = TestCluster.start(1, root.resolve("single"), Map.of("muster.security.requests-per-second", "5",
                "muster.security.request-burst", "5", "muster.security.max-watches-per-token", "2",
                "muster.watch.progress-interval", "200ms"));
        try {
            String watch = single.node(1).url("/v1/watch?prefix=w/");
            SseStream first = SseStream.open(watch);
            try (SseStream second = SseStream.open(watch); SseStream third = SseStream.open(watch)) {
                assertThat(List.of(first.status(), second.status())).containsOnly(200);
                assertThat(third.status()).as("a third watch for a token allowed two").isEqualTo(429);
            }
            first.close();
            SseStream again = Waits.until("a closed watch gives its slot back", TestCluster.DEADLINE, () -> {
                SseStream attempt = SseStream.open(watch);
                if (attempt.status() == 200) {
                    return attempt;
                }
                attempt.close();
                return null;
            });
            again.close();
            Waits.until("the rate limit bucket refilled", TestCluster.DEADLINE,
                    () -> Http.get(single.node(1).url("/v1/cluster")).status() == 200 ? true : null);
            String url = single.node(1).url("/v1/cluster");
            Http.Response limited = null;
            for (int i = 0; i < 50 && limited == null; i++) {
                Http.Response response = Http.get(url);
                if (response.status() == 429) {
                    limited = response;
                }
            }
            assertThat(limited).as("a 429 within 50 requests at 5/s").isNotNull();
            assertThat(limited.header("Retry-After")).isEqualTo("1");
            assertThat(limited.json().path("type").asString()).isEqualTo("urn:muster:problem:rate-limited");
        } finally {
            single.close();
        }
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aNodeWithSecurityOffAcceptsAnyoneAndSaysSoLoudly(CapturedOutput output) {
        TestCluster open = TestCluster.start(1, root.resolve("open"), Map.of("muster.security.enabled", "false",
                "muster.security.bootstrap-token", ""));
        try {
            String url = open.node(1).url("/v1/kv/open/k");
            Http.Response put = Http.put(url, "v", "Content-Type", "text/plain", "Authorization", "");
            assertThat(put.status()).isEqualTo(201);
            assertThat(output.getAll()).contains("SECURITY IS OFF");
            JsonNode record = Waits.until("the audit record", TestCluster.DEADLINE, () -> {
                JsonNode records = Http.get(open.node(1).url("/v1/audit?prefix=open/"), "Authorization", "").json()
                        .path("records");
                return records.isEmpty() ? null : records.get(0);
            });
            assertThat(record.path("principal").asString()).isEqualTo("anonymous");
        } finally {
            open.close();
        }
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void noSecretReachesALogLine(CapturedOutput output) {
        LoggerFactory.getLogger(SecurityIT.class).warn("log scan: capturing");
        String secret = createToken("logged-maybe", "writer", List.of()).path("secret").asString();
        String unknown = "mst_" + "u".repeat(43);
        for (TestNode node : cluster.running()) {
            assertThat(Http.put(node.url("/v1/kv/logscan/k"), "v", "Content-Type", "text/plain", "Authorization",
                    Http.bearer(secret)).status()).isIn(200, 201);
            assertThat(Http.get(node.url("/v1/kv/logscan/k"), "Authorization", Http.bearer(unknown)).status())
                    .isEqualTo(401);
        }
        Http.delete(cluster.node(1).url("/v1/auth/tokens/logged-maybe"));
        Waits.until("the revoke in force", TestCluster.DEADLINE, () -> Http.get(cluster.node(3).url("/v1/kv/logscan/k"),
                "Authorization", Http.bearer(secret)).status() == 401 ? true : null);
        assertThat(output.getAll()).as("the capture sees log lines").contains("log scan: capturing");
        assertThat(output.getAll()).doesNotContain(secret).doesNotContain(unknown).doesNotContain(TestNode.ADMIN_TOKEN);
    }

    @Test
    void onlyHealthInfoAndPrometheusAreExposedAndNoneShowsASecret() {
        TestNode node = cluster.node(1);
        for (String path : List.of("/actuator/env", "/actuator/beans", "/actuator/heapdump", "/actuator/configprops",
                "/actuator/loggers", "/h2-console", "/h2-console/login.do")) {
            assertThat(Http.get(node.url(path)).status()).as(path + " with an admin token").isEqualTo(404);
        }
        for (String path : List.of("/actuator/info", "/actuator/prometheus", "/actuator/health", "/v3/api-docs")) {
            assertThat(Http.get(node.url(path)).text()).as(path).doesNotContain(TestNode.ADMIN_TOKEN)
                    .doesNotContain("bootstrap-token");
        }
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aNodeWithoutABootstrapTokenGeneratesOneIntoItsDataDirectory(CapturedOutput output) throws Exception {
        Path dataDir = root.resolve("generated");
        TestCluster single = TestCluster.start(1, dataDir.getParent().resolve("generated-root"), Map.of(
                "muster.security.bootstrap-token", ""));
        try {
            Path file = dataDir.getParent().resolve("generated-root").resolve("n1").resolve("admin.token");
            String secret = Waits.until("admin.token written", TestCluster.DEADLINE,
                    () -> Files.exists(file) ? readSecret(file) : null);
            assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(
                    java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                    java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            assertThat(secret).startsWith("mst_");
            String url = single.node(1).url("/v1/auth/tokens");
            JsonNode tokens = Waits.until("the generated token works", TestCluster.DEADLINE, () -> {
                Http.Response response = Http.get(url, "Authorization", Http.bearer(secret));
                return response.status() == 200 ? response.json() : null;
            });
            assertThat(tokens.path("tokens").get(0).path("name").asString()).isEqualTo("admin");
            assertThat(Http.get(url).status()).as("the test token was never configured here").isEqualTo(401);
            assertThat(output.getAll()).as("the log says where the secret is, never what it is")
                    .contains(file.toString()).doesNotContain(secret);
        } finally {
            single.close();
        }
    }

    /** The pattern with a sample value for each variable, e.g. /v1/kv/{*key} -> /v1/kv/sample/x. */
    private static String concrete(String pattern) {
        return pattern.replaceAll("\\{\\*[^}]+}", "/sample/x").replace("/{id}", "/7").replaceAll("\\{[^}]+}", "sample");
    }

    private static String readSecret(Path file) {
        try {
            String text = Files.readString(file).strip();
            return text.isEmpty() ? null : text;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static JsonNode createToken(String name, String role, List<String> prefixes) {
        Http.Response response = createTokenResponse(name, role, prefixes);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        JsonNode token = response.json();
        cluster.awaitApplied(response.revision());
        return token;
    }

    private static Http.Response createTokenResponse(String name, String role, List<String> prefixes) {
        String json = "{\"name\":\"" + name + "\",\"roles\":[\"" + role + "\"],\"prefixes\":["
                + String.join(",", prefixes.stream().map(p -> "\"" + p + "\"").toList()) + "]}";
        return Http.post(cluster.node(1).url("/v1/auth/tokens"), json);
    }

    private static Http.Response send(String method, String url, String body, String secret) {
        return Http.send(Http.request(url, "Authorization", Http.bearer(secret), "Content-Type",
                "PUT".equals(method) && !url.contains("/services/") ? "text/plain" : "application/json")
                .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(body)));
    }
}
