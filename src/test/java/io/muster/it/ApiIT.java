package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The REST contract on a real single-node cluster: each kind of bad input gets an RFC 9457 problem
 * with a stable type naming what was wrong, and proposes nothing; the good paths answer the
 * documented shapes, headers and status codes; health describes the node (OpenApiIT: the API description);
 * the web console is served with its security headers, and what it reads (the cluster watch, locks and
 * elections, leases) answers the documented shapes.
 */
class ApiIT {

    @TempDir
    static Path root;
    static TestCluster cluster;
    static TestNode node;

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(1, root, Map.of(
                "muster.limits.max-value-bytes", "1KB",
                "muster.limits.max-txn-ops", "4"));
        node = cluster.node(1);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @ParameterizedTest(name = "{0} {1} -> {3} {4}")
    @CsvSource(delimiter = '|', value = {
            "PUT    | /v1/kv/a//b                       |                  | 400 | invalid-key",
            "PUT    | /v1/kv/a/b/                       |                  | 400 | invalid-key",
            "PUT    | /v1/kv/a%20b                      |                  | 400 | invalid-key",
            "GET    | /v1/kv/x/y?consistency=eventual    |                  | 400 | invalid-request",
            "GET    | /v1/kv/x?minRevision=-1           |                  | 400 | invalid-request",
            "GET    | /v1/kv?limit=-1                   |                  | 400 | invalid-request",
            "GET    | /v1/kv?limit=abc                  |                  | 400 | invalid-request",
            "GET    | /v1/kv?prefix=a//                 |                  | 400 | invalid-key",
            "GET    | /v1/kv/missing/key                |                  | 404 | key-not-found",
            "DELETE | /v1/kv/bad//key                   |                  | 400 | invalid-key",
            "DELETE | /v1/kv/x                          | If-Match:nope    | 400 | invalid-request",
            "PUT    | /v1/kv/x                          | If-Match:\"0\"   | 400 | invalid-request",
            "PUT    | /v1/kv/x                          | If-None-Match:\"3\" | 400 | invalid-request",
            "PUT    | /v1/kv/x                          | Content-Type:not a type | 415 | unsupported-media-type",
            "GET    | /v1/nothing-here                  |                  | 404 | not-found",
            "PATCH  | /v1/kv/x                          |                  | 405 | method-not-allowed"})
    void badRequestsAreProblemsThatProposeNothing(String method, String path, String header, int status, String type) {
        long commitBefore = node.status().commitIndex();
        String[] headers = header == null ? new String[0] : header.split(":", 2);
        Http.Response response = Http.send(Http.request(node.url(path.strip()), headers)
                .method(method.strip(), java.net.http.HttpRequest.BodyPublishers.ofString("v")));

        assertProblem(response, status, type);
        assertThat(node.commandsAppliedAfter(commitBefore)).as("nothing proposed").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/v1/kv/a%ZZb", "/v1/kv/a%00b", "/v1/kv?limit=%ZZ"})
    void requestsTomcatCannotDecodeAreProblemsToo(String target) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", node.httpPort)) {
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                    + Http.bearer(TestNode.ADMIN_TOKEN) + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(response).startsWith("HTTP/1.1 400");
            assertThat(response).containsIgnoringCase("Content-Type: application/problem+json");
            assertThat(response).contains("\"type\":\"urn:muster:problem:invalid-request\"");
        }
    }

    @Test
    void anEncodedSlashIsAKeySeparator() {
        assertThat(Http.put(node.url("/v1/kv/encoded%2Fslash"), "v").json().path("key").asString())
                .isEqualTo("encoded/slash");
    }

    @Test
    void aValueOverTheLimitIs413AndNothingIsProposed() {
        long commitBefore = node.status().commitIndex();
        Http.Response response = Http.put(node.url("/v1/kv/big"), new byte[1025]);

        assertProblem(response, 413, "value-too-large");
        assertThat(response.json().path("maxValueBytes").asLong()).isEqualTo(1024);
        assertThat(Http.put(node.url("/v1/kv/big"), new byte[1024]).status()).isEqualTo(201);
        assertThat(node.status().commitIndex()).isGreaterThan(commitBefore);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "malformed JSON                | {\"compare\":[                                              | invalid-request | compare",
            "unknown target                | {\"compare\":[{\"key\":\"a\",\"target\":\"bogus\"}]}       | invalid-request | compare[0].target",
            "unknown operation             | {\"then\":[{\"op\":\"explode\",\"key\":\"a\"}]}            | invalid-request | then[0].op",
            "missing number                | {\"compare\":[{\"key\":\"a\",\"target\":\"version\"}]}     | invalid-request | compare[0].number",
            "bad key in an operation       | {\"then\":[{\"op\":\"get\",\"key\":\"/a\"}]}              | invalid-key     | then[0].key",
            "put without a value           | {\"then\":[{\"op\":\"put\",\"key\":\"a\"}]}               | invalid-request | then[0].value",
            "bad base64                    | {\"then\":[{\"op\":\"put\",\"key\":\"a\",\"valueBase64\":\"%%\"}]} | invalid-request | then[0].valueBase64",
            "a key written twice           | {\"then\":[{\"op\":\"delete\",\"key\":\"a\"},{\"op\":\"delete\",\"key\":\"a\"}]} | invalid-request |",
            "more operations than allowed  | {\"then\":[{\"op\":\"get\",\"key\":\"a\"},{\"op\":\"get\",\"key\":\"b\"},{\"op\":\"get\",\"key\":\"c\"},{\"op\":\"get\",\"key\":\"d\"},{\"op\":\"get\",\"key\":\"e\"}]} | txn-too-large | compare+then+else"})
    void badTransactionsNameTheFieldAndProposeNothing(String name, String json, String type, String field) {
        long commitBefore = node.status().commitIndex();
        Http.Response response = Http.post(node.url("/v1/txn"), json.strip());

        assertProblem(response, 400, type.strip());
        if (field != null) {
            assertThat(response.json().path("field").asString()).isEqualTo(field.strip());
        }
        assertThat(node.commandsAppliedAfter(commitBefore)).as("nothing proposed").isEmpty();
    }

    @Test
    void anUnknownEnumValueIsAnsweredWithTheAcceptedNames() {
        Http.Response response = Http.post(node.url("/v1/txn"), "{\"compare\":[{\"key\":\"a\",\"target\":\"bogus\"}]}");

        assertProblem(response, 400, "invalid-request");
        assertThat(response.json().path("detail").asString())
                .isEqualTo("Invalid value for 'compare[0].target': 'bogus' is not one of "
                        + "[modRevision, createRevision, version, exists, value]");
    }

    @Test
    void aRevisionThisNodeHasNotAppliedTimesOutAsAProblem() {
        Http.Response response = Http.get(node.url("/v1/kv/x?consistency=stale&minRevision=999999999"));

        assertProblem(response, 504, "revision-not-reached");
        assertThat(response.json().path("minRevision").asLong()).isEqualTo(999999999);
    }

    @Test
    void putGetListAndDeleteAnswerTheDocumentedShapes() {
        Http.Response created = Http.put(node.url("/v1/kv/shape/json"), "{\"a\":1}", "Content-Type", "application/json");
        Http.Response binary = Http.put(node.url("/v1/kv/shape/bin"), new byte[] {(byte) 0xFF, 0},
                "Content-Type", "application/octet-stream");
        Http.Response replaced = Http.put(node.url("/v1/kv/shape/json"), "{\"a\":2}", "Content-Type", "application/json");
        Http.Response read = Http.get(node.url("/v1/kv/shape/json"));
        Http.Response page = Http.get(node.url("/v1/kv?prefix=shape/&limit=1"));
        Http.Response next = Http.get(node.url("/v1/kv?prefix=shape/&limit=1&after=" + page.json().path("next").asString()));
        Http.Response deleted = Http.delete(node.url("/v1/kv/shape/bin"), "If-Match", "\"" + binary.json().path("modRevision").asLong() + "\"");
        Http.Response gone = Http.delete(node.url("/v1/kv/shape/bin"));

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("version").asLong()).isEqualTo(1);
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.json().path("createRevision").asLong()).isEqualTo(created.json().path("revision").asLong());
        assertThat(replaced.json().path("version").asLong()).isEqualTo(2);
        assertThat(read.text()).isEqualTo("{\"a\":2}");
        assertThat(read.header("Content-Type")).isEqualTo("application/json");
        assertThat(read.header("ETag")).isEqualTo("\"" + replaced.json().path("modRevision").asLong() + "\"");
        assertThat(read.header("X-Muster-Version")).isEqualTo("2");
        JsonNode first = page.json().path("items").get(0);
        assertThat(first.path("key").asString()).isEqualTo("shape/bin");
        assertThat(first.path("valueBase64").asString()).isEqualTo("/wA=");
        assertThat(first.has("value")).isFalse();
        assertThat(next.json().path("items").get(0).path("value").asString()).isEqualTo("{\"a\":2}");
        assertThat(next.json().path("next").isNull()).isTrue();
        assertThat(deleted.json().path("deleted").asBoolean()).isTrue();
        assertThat(gone.json().path("deleted").asBoolean()).isFalse();
    }

    @Test
    void aConditionalGetWithTheCurrentEtagIsNotModified() {
        String etag = Http.put(node.url("/v1/kv/poll/me"), "v1").header("ETag");
        Http.Response unchanged = Http.get(node.url("/v1/kv/poll/me"), "If-None-Match", etag);
        Http.put(node.url("/v1/kv/poll/me"), "v2");
        Http.Response changed = Http.get(node.url("/v1/kv/poll/me"), "If-None-Match", etag);

        assertThat(unchanged.status()).isEqualTo(304);
        assertThat(unchanged.body()).isEmpty();
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.text()).isEqualTo("v2");
    }

    @Test
    void aFormEncodedBodyIsStoredAsRawBytes() {
        Http.put(node.url("/v1/kv/form"), "a=b&c=d", "Content-Type", "application/x-www-form-urlencoded");

        assertThat(Http.get(node.url("/v1/kv/form")).text()).isEqualTo("a=b&c=d");
    }

    @Test
    void healthHasARaftComponentAndClusterDescribesTheNode() {
        JsonNode raft = Http.get(node.url("/actuator/health")).json().path("components").path("raft");
        JsonNode cluster = Http.get(node.url("/v1/cluster")).json();

        assertThat(raft.path("status").asString()).isEqualTo("UP");
        assertThat(raft.path("details").path("role").asString()).isEqualTo("LEADER");
        assertThat(raft.path("details").path("leaderId").asString()).isEqualTo("n1");
        assertThat(cluster.path("nodeId").asString()).isEqualTo("n1");
        assertThat(cluster.path("clusterName").asString()).isEqualTo("muster");
        assertThat(cluster.path("members").get(0).path("address").asString()).isEqualTo("127.0.0.1:" + node.raftPort);
    }

    // ---- the web console (needs src/main/resources/static/console/index.html and the scripts it loads) ----

    @Test
    void theConsoleIsServedWithoutATokenWithItsSecurityHeadersAndRevalidates() {
        Http.Response bare = Http.get(node.url("/console"), "Authorization", "");
        Http.Response index = Http.get(node.url("/console/"), "Authorization", "");
        List<String> scripts = linked(SCRIPT, index.text());
        assertThat(scripts).as("the scripts index.html loads: " + index.text()).isNotEmpty();
        Http.Response script = Http.get(node.url(scripts.get(0)), "Authorization", "");
        Http.Response unchanged = Http.get(node.url("/console/"), "Authorization", "", "If-None-Match",
                index.header("ETag"));

        assertThat(bare.status()).isIn(301, 302);
        assertThat(bare.header("Location")).isEqualTo("/console/");
        assertThat(index.status()).as(index.toString()).isEqualTo(200);
        assertThat(index.header("Content-Type")).startsWith("text/html");
        assertThat(script.status()).isEqualTo(200);
        assertThat(script.header("Content-Type")).as("an ES module needs a JavaScript type").startsWith("text/javascript");
        for (Http.Response response : List.of(bare, index, script)) {
            assertThat(response.header("Content-Security-Policy")).isEqualTo("default-src 'none'; script-src 'self'; "
                    + "style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
                    + "form-action 'none'; frame-ancestors 'none'");
            assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(response.header("Referrer-Policy")).isEqualTo("no-referrer");
            assertThat(response.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(response.header("Cache-Control")).isEqualTo("no-cache");
        }
        assertThat(index.header("ETag")).isNotBlank();
        assertThat(unchanged.status()).as("revalidated with its ETag").isEqualTo(304);
        assertThat(Http.get(node.url("/v1/cluster"), "Authorization", "").status()).as("the API still needs a token")
                .isEqualTo(401);
        // The public path is no way around the token: dot segments, encoded or not, and path parameters reach no API.
        for (String path : List.of("/console/../v1/cluster", "/console/..;/v1/cluster", "/console/%2e%2e/v1/cluster",
                "/console/..%2fv1/cluster", "/console;x/../v1/cluster", "/console/%252e%252e/v1/cluster")) {
            Http.Response sneaking = Http.get(node.url(path), "Authorization", "");
            assertThat(sneaking.status()).as(path).isIn(400, 401, 404);
            assertThat(sneaking.text()).as(path).doesNotContain("\"nodeId\"");
        }
    }

    @Test
    void consoleAssetsAreGzippedButJsonAndEventStreamsAreNot() throws IOException {
        String index = Http.get(node.url("/console/"), "Authorization", "").text();
        List<String> assets = new ArrayList<>(List.of("/console/"));
        assets.addAll(linked(SCRIPT, index));
        assets.addAll(linked(STYLESHEET, index));
        // Tomcat compresses from 2 KB (server.compression.min-response-size): the first asset that large
        String large = assets.stream().filter(asset -> Http.get(node.url(asset), "Authorization", "")
                .body().length >= 2048).findFirst().orElseThrow(() -> new AssertionError("no asset of 2 KB: " + assets));
        Http.Response plain = Http.get(node.url(large), "Authorization", "");
        Http.Response gzipped = Http.get(node.url(large), "Authorization", "", "Accept-Encoding", "gzip");
        Http.Response json = Http.get(node.url("/v3/api-docs"), "Accept-Encoding", "gzip");
        HttpResponse<InputStream> events = Http.exchange(Http.request(node.url("/v1/cluster/watch"),
                "Accept-Encoding", "gzip").header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());

        assertThat(gzipped.header("Content-Encoding")).as(large).isEqualTo("gzip");
        try (InputStream unzipped = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
            assertThat(unzipped.readAllBytes()).isEqualTo(plain.body());
        }
        assertThat(json.body().length).isGreaterThan(2048);
        assertThat(json.header("Content-Encoding")).isNull();
        try (SseStream stream = SseStream.reading(events)) {
            assertThat(events.headers().firstValue("Content-Encoding")).isEmpty();
            assertThat(stream.next("status", Duration.ofSeconds(10)).json().path("node").path("nodeId").asString())
                    .as("a plain event stream").isEqualTo("n1");
        }
    }

    // ---- what the console reads ----

    @Test
    void theClusterWatchSendsThisNodesStatusAtOnceAndEverySecond() {
        JsonNode cluster = Http.get(node.url("/v1/cluster")).json();
        try (SseStream watch = SseStream.open(node.url("/v1/cluster/watch"))) {
            SseStream.Message first = watch.next("status", Duration.ofSeconds(10));
            long firstAt = System.nanoTime();
            SseStream.Message later = watch.next("status", Duration.ofSeconds(3));
            long apart = (System.nanoTime() - firstAt) / 1_000_000;

            assertThat(watch.status()).isEqualTo(200);
            JsonNode status = first.json();
            assertThat(status.path("node").propertyNames()).containsExactlyElementsOf(cluster.propertyNames());
            assertThat(status.path("node").path("nodeId").asString()).isEqualTo("n1");
            assertThat(status.path("node").path("role").asString()).isEqualTo("LEADER");
            assertThat(status.path("node").path("groupId").asString()).isEqualTo(cluster.path("groupId").asString());
            assertThat(status.path("quorum").path("status").asString()).isEqualTo("UP");
            assertThat(status.path("quorum").path("reason").asString()).isNotBlank();
            assertThat(first.revision()).isEqualTo(status.path("node").path("appliedIndex").asLong());
            assertThat(later.json().path("quorum").path("status").asString()).isEqualTo("UP");
            assertThat(apart).as("ms to the next status").isLessThan(2500);
        }
    }

    @Test
    void coordinationListsAndStreamsLocksAndElectionsWithTheirQueues() throws Exception {
        long lease = Http.post(node.url("/v1/leases"), "{\"ttlSeconds\":60}").json().path("id").asLong();
        long from = Http.get(node.url("/v1/coordination")).json().path("revision").asLong() + 1;
        try (SseStream watch = SseStream.open(node.url("/v1/coordination/watch?fromRevision=" + from))) {
            long token = acquire("console/a", lease, "w1", 0).json().path("fencingToken").asLong();
            CompletableFuture<Http.Response> waiting = CompletableFuture.supplyAsync(() -> acquire("console/a", lease, "w2", 20));
            JsonNode queued = Waits.until("w2 queued", TestCluster.DEADLINE, () -> {
                JsonNode lock = listed("locks", "console/a");
                return lock != null && lock.path("waiters").size() == 1 ? lock : null;
            });
            Http.Response elected = Http.post(node.url("/v1/elections/console-e/campaign"),
                    "{\"leaseId\":" + lease + ",\"candidate\":\"c1\"}");
            JsonNode election = listed("elections", "console-e");
            Http.delete(node.url("/v1/locks/console/a?token=" + token));
            long second = waiting.get(20, TimeUnit.SECONDS).json().path("fencingToken").asLong();
            Http.delete(node.url("/v1/locks/console/a?token=" + second));

            assertThat(queued.path("holder").asString()).isEqualTo("w1");
            assertThat(queued.path("lease").asLong()).isEqualTo(lease);
            assertThat(queued.path("fencingToken").asLong()).isEqualTo(token);
            assertThat(queued.path("waiters").get(0).path("holder").asString()).isEqualTo("w2");
            assertThat(queued.path("waiters").get(0).path("lease").asLong()).isEqualTo(lease);
            assertThat(queued.path("waiters").get(0).path("sinceRevision").asLong()).isGreaterThan(token);
            assertThat(election.path("leader").asString()).isEqualTo("c1");
            assertThat(election.path("term").asLong()).isEqualTo(elected.json().path("term").asLong());
            assertThat(election.path("candidates").isArray()).isTrue();
            assertThat(listed("locks", "console/a")).as("a released lock nobody waits for").isNull();
            assertThat(Http.get(node.url("/v1/coordination")).json().path("truncated").asBoolean()).isFalse();
            List<String> seen = new ArrayList<>();
            while (!seen.contains("locks/console/a delete - 0")) {
                SseStream.Message change = watch.next("change", TestCluster.DEADLINE);
                assertThat(change).as("after " + seen).isNotSameAs(SseStream.END);
                for (JsonNode event : change.json().path("events")) {
                    seen.add(event.path("key").asString() + " " + event.path("type").asString() + " "
                            + event.path("lock").path("holder").asString("-") + " " + event.path("lock").path("waiters").asInt());
                }
            }
            assertThat(seen).containsExactly("locks/console/a put w1 0", "locks/console/a put w1 1",
                    "elections/console-e put c1 0", "locks/console/a put w2 0", "locks/console/a delete - 0");
        }
    }

    @Test
    void leasesAreListedInIdOrderWithTheirBoundKeysInstancesAndTimeLeft() {
        long first = Http.post(node.url("/v1/leases"), "{\"ttlSeconds\":30}").json().path("id").asLong();
        long second = Http.post(node.url("/v1/leases"), "{\"ttlSeconds\":60}").json().path("id").asLong();
        Http.put(node.url("/v1/kv/listed/a?lease=" + first), "a");
        Http.put(node.url("/v1/kv/listed/b?lease=" + first), "b");
        Http.send(Http.request(node.url("/v1/services/listed/instances/i1"), "Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"address\":\"10.0.0.9\",\"port\":80,\"lease\":" + second + "}")));

        JsonNode page = Http.get(node.url("/v1/leases?limit=1&after=" + (first - 1))).json();
        JsonNode next = Http.get(node.url("/v1/leases?limit=1&after=" + page.path("next").asLong())).json();

        JsonNode one = page.path("leases").get(0);
        assertThat(page.path("leases")).hasSize(1);
        assertThat(one.path("id").asLong()).isEqualTo(first);
        assertThat(one.path("ttlSeconds").asLong()).isEqualTo(30);
        assertThat(one.path("grantedAt").asString()).isNotBlank();
        assertThat(one.path("keys").asInt()).isEqualTo(2);
        assertThat(one.path("instances").asInt()).isZero();
        assertThat(one.path("remainingMillis").asLong()).isBetween(1L, 30_000L);
        assertThat(page.path("next").asLong()).isEqualTo(first);
        JsonNode two = next.path("leases").get(0);
        assertThat(two.path("id").asLong()).isEqualTo(second);
        assertThat(two.path("keys").asInt()).isZero();
        assertThat(two.path("instances").asInt()).isEqualTo(1);
        assertThat(Http.get(node.url("/v1/leases?limit=0")).status()).isEqualTo(400);
        assertThat(Http.get(node.url("/v1/leases?limit=10001")).status()).isEqualTo(400);
    }

    @Test
    void aConfinedTokenReadsTheClusterWatchButNotLocksOrLeasesAndItsRevokeEndsTheWatch() {
        Http.Response created = Http.post(node.url("/v1/auth/tokens"),
                "{\"name\":\"console-team\",\"roles\":[\"reader\"],\"prefixes\":[\"team/\"]}");
        String secret = created.json().path("secret").asString();

        assertThat(Http.get(node.url("/v1/coordination"), "Authorization", Http.bearer(secret)).status()).isEqualTo(403);
        assertThat(Http.get(node.url("/v1/coordination/watch"), "Authorization", Http.bearer(secret)).status())
                .isEqualTo(403);
        assertThat(Http.get(node.url("/v1/leases"), "Authorization", Http.bearer(secret)).status()).isEqualTo(403);
        try (SseStream watch = SseStream.open(node.url("/v1/cluster/watch"), "Authorization", Http.bearer(secret))) {
            assertThat(watch.next("status", Duration.ofSeconds(10))).isNotSameAs(SseStream.END);
            Http.delete(node.url("/v1/auth/tokens/console-team"));
            SseStream.Message revoked = watch.next("revoked", TestCluster.DEADLINE);
            assertThat(revoked.json().path("status").asInt()).isEqualTo(401);
            assertThat(watch.next(Duration.ofSeconds(10))).isSameAs(SseStream.END);
        }
    }

    private static final Pattern SCRIPT = Pattern.compile("<script[^>]*\\ssrc=[\"']([^\"']+)[\"']");
    private static final Pattern STYLESHEET = Pattern.compile("<link[^>]*\\shref=[\"']([^\"']+\\.css)[\"']");

    /** The paths of what index.html links to with {@code pattern} (scripts, style sheets), resolved against /console/. */
    private static List<String> linked(Pattern pattern, String index) {
        List<String> paths = new ArrayList<>();
        Matcher link = pattern.matcher(index);
        while (link.find()) {
            String target = link.group(1);
            paths.add(target.startsWith("/") ? target : "/console/" + (target.startsWith("./") ? target.substring(2) : target));
        }
        return paths;
    }

    private static Http.Response acquire(String name, long lease, String holder, int waitSeconds) {
        return Http.post(node.url("/v1/locks/" + name), "{\"leaseId\":" + lease + ",\"holder\":\"" + holder
                + "\",\"waitSeconds\":" + waitSeconds + "}");
    }

    /** The lock or election {@code name} in {@code GET /v1/coordination}'s {@code list}, or {@code null}. */
    private static JsonNode listed(String list, String name) {
        for (JsonNode entry : Http.get(node.url("/v1/coordination")).json().path(list)) {
            if (entry.path("name").asString().equals(name)) {
                return entry;
            }
        }
        return null;
    }

    private static void assertProblem(Http.Response response, int status, String type) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).as(response.toString()).startsWith("application/problem+json");
        assertThat(response.json().path("type").asString()).isEqualTo("urn:muster:problem:" + type);
        assertThat(response.json().path("detail").asString()).isNotBlank();
    }
}
