package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
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
 * documented shapes, headers and status codes; health describes the node (OpenApiIT: the API description).
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

    private static void assertProblem(Http.Response response, int status, String type) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).as(response.toString()).startsWith("application/problem+json");
        assertThat(response.json().path("type").asString()).isEqualTo("urn:muster:problem:" + type);
        assertThat(response.json().path("detail").asString()).isNotBlank();
    }
}
