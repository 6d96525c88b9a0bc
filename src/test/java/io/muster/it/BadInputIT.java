package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of bad requests, one of each kind, against a real node with an admin token: every one is
 * answered 4xx with an RFC 9457 problem naming what was wrong, none with a 5xx or a stack trace, and
 * none changes the state (the digest and the commit index are the same after all of them).
 */
class BadInputIT {

    @TempDir
    static Path root;
    static TestCluster cluster;
    static TestNode node;

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(1, root, Map.of("muster.limits.max-value-bytes", "1KB",
                "muster.limits.max-request-bytes", "80KB", "muster.limits.max-txn-ops", "4"));
        node = cluster.node(1);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    /** One kind of bad input: how it is sent and the status it must get. */
    record Case(String kind, String method, String path, String contentType, byte[] body, int status,
            String... headers) {

        Case(String kind, String method, String path, String contentType, String body, int status, String... headers) {
            this(kind, method, path, contentType, body == null ? null : body.getBytes(StandardCharsets.UTF_8), status,
                    headers);
        }
    }

    static List<Case> corpus() {
        String json = "application/json";
        String text = "text/plain";
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("body over max-request-bytes", "PUT", "/v1/kv/big", text, new byte[100 * 1024], 413));
        cases.add(new Case("chunked body over max-request-bytes", "POST", "/v1/txn", json, (byte[]) null, 413,
                "X-Chunked", "100000"));
        cases.add(new Case("value over max-value-bytes", "PUT", "/v1/kv/big", text, new byte[2048], 413));
        cases.add(new Case("key over 512 bytes", "PUT", "/v1/kv/" + "k".repeat(600), text, "v", 400));
        cases.add(new Case("header over Tomcat's limit", "GET", "/v1/kv/x", null, (String) null, 400,
                "X-Padding", "p".repeat(20_000)));
        cases.add(new Case("invalid UTF-8 in the path", "GET", "/v1/kv/a%C3%28", null, (String) null, 400));
        cases.add(new Case("invalid UTF-8 in a JSON body", "POST", "/v1/txn", json,
                new byte[] {'{', '"', 't', 'h', 'e', 'n', '"', ':', '[', '{', '"', 'k', (byte) 0xC3, (byte) 0x28, '"',
                        ':', '1', '}', ']', '}'}, 400));
        cases.add(new Case("control character in a key", "PUT", "/v1/kv/a%01b", text, "v", 400));
        cases.add(new Case("NUL in the path", "GET", "/v1/kv/a%00b", null, (String) null, 400));
        cases.add(new Case("deeply nested JSON", "POST", "/v1/query", json, "{\"sql\":\"SELECT 1\",\"params\":["
                + "[".repeat(5000) + "]".repeat(5000) + "]}", 400));
        cases.add(new Case("JSON array for an object", "POST", "/v1/txn", json, "[[[[1]]]]", 400));
        cases.add(new Case("duplicate JSON keys", "POST", "/v1/txn", json,
                "{\"then\":[{\"op\":\"put\",\"key\":\"a\",\"key\":\"b\",\"value\":\"1\"}]}", 400));
        cases.add(new Case("wrong content type for a transaction", "POST", "/v1/txn", text, "{}", 415));
        cases.add(new Case("unknown JSON field", "POST", "/v1/auth/tokens", json,
                "{\"name\":\"x\",\"roles\":[\"reader\"],\"prefix\":[\"a/\"]}", 400));
        cases.add(new Case("negative number", "POST", "/v1/leases", json, "{\"ttlSeconds\":-5}", 400));
        cases.add(new Case("overflowing number", "POST", "/v1/leases", json, "{\"ttlSeconds\":99999999999999999999}", 400));
        cases.add(new Case("SQL meta-characters in a key", "PUT", "/v1/kv/a';DROP%20TABLE%20entries;--", text, "v", 400));
        cases.add(new Case("path traversal in a key", "PUT", "/v1/kv/a/%2e%2e/%2e%2e/etc/passwd", text, "v", 400));
        cases.add(new Case("malformed JSON", "POST", "/v1/txn", json, "{\"then\":", 400));
        cases.add(new Case("JSON of the wrong shape", "POST", "/v1/txn", json, "[1,2,3]", 400));
        cases.add(new Case("empty JSON body", "POST", "/v1/txn", json, "", 400));
        cases.add(new Case("transaction over max-txn-ops", "POST", "/v1/txn", json, "{\"then\":["
                + "{\"op\":\"get\",\"key\":\"a\"},".repeat(5) + "{\"op\":\"get\",\"key\":\"a\"}]}", 400));
        cases.add(new Case("invalid base64", "POST", "/v1/txn", json,
                "{\"then\":[{\"op\":\"put\",\"key\":\"a\",\"valueBase64\":\"!!!\"}]}", 400));
        cases.add(new Case("malformed If-Match", "PUT", "/v1/kv/x", text, "v", 400, "If-Match", "nope"));
        cases.add(new Case("malformed Content-Type", "PUT", "/v1/kv/x", "not a type", "v", 415));
        cases.add(new Case("unsupported method", "PATCH", "/v1/kv/x", text, "v", 405));
        cases.add(new Case("unacceptable Accept", "GET", "/v1/cluster", null, (String) null, 406, "Accept",
                "application/xml"));
        cases.add(new Case("unknown consistency", "GET", "/v1/kv/x?consistency=eventual", null, (String) null, 400));
        cases.add(new Case("negative page size", "GET", "/v1/kv?limit=-1", null, (String) null, 400));
        cases.add(new Case("page size over the maximum", "GET", "/v1/kv?limit=100000000", null, (String) null, 400));
        cases.add(new Case("non-numeric revision", "GET", "/v1/kv/x?minRevision=abc", null, (String) null, 400));
        cases.add(new Case("non-numeric lease id", "GET", "/v1/leases/abc", null, (String) null, 400));
        cases.add(new Case("ambiguous watch", "GET", "/v1/watch?key=a&prefix=b", null, (String) null, 400));
        cases.add(new Case("invalid service name", "PUT", "/v1/services/Bad%20Name/instances/x", json,
                "{\"address\":\"10.0.0.1\",\"port\":80}", 400));
        cases.add(new Case("port out of range", "PUT", "/v1/services/api/instances/x", json,
                "{\"address\":\"10.0.0.1\",\"port\":70000}", 400));
        cases.add(new Case("unknown enum value", "PATCH", "/v1/services/api/instances/x", json,
                "{\"status\":\"SIDEWAYS\"}", 400));
        cases.add(new Case("SQL that writes", "POST", "/v1/query", json, "{\"sql\":\"DROP TABLE entries\"}", 400));
        cases.add(new Case("invalid token name", "POST", "/v1/auth/tokens", json,
                "{\"name\":\"../admin\",\"roles\":[\"admin\"]}", 400));
        cases.add(new Case("unknown role", "POST", "/v1/auth/tokens", json, "{\"name\":\"x\",\"roles\":[\"root\"]}", 400));
        cases.add(new Case("key outside the allowed characters", "PUT", "/v1/kv/caf%C3%A9", text, "v", 400));
        cases.add(new Case("malformed audit time", "GET", "/v1/audit?since=yesterday", null, (String) null, 400));
        cases.add(new Case("revision below 1 for a watch", "GET", "/v1/watch?key=a&fromRevision=0", null, (String) null,
                400));
        cases.add(new Case("empty Idempotency-Key", "PUT", "/v1/kv/x", text, "v", 400, "Idempotency-Key", ""));
        cases.add(new Case("oversized Idempotency-Key", "PUT", "/v1/kv/x", text, "v", 400, "Idempotency-Key",
                "k".repeat(300)));
        cases.add(new Case("malformed bearer token", "GET", "/v1/cluster", null, (String) null, 401, "Authorization",
                "Bearer " + "\u00ff".repeat(3)));
        return cases;
    }

    @Test
    void everyKindOfBadInputIsAProblemThatChangesNothing() {
        String digestBefore = Http.get(node.url("/v1/cluster/digest")).json().path("sha256").asString();
        long commitBefore = node.status().commitIndex();
        List<String> kinds = new ArrayList<>();
        for (Case bad : corpus()) {
            Http.Response response = Http.send(request(bad));
            String what = bad.kind() + ": " + response;
            assertThat(response.status()).as(what).isEqualTo(bad.status());
            assertThat(response.header("Content-Type")).as(what).startsWith("application/problem+json");
            String body = response.text();
            assertThat(body).as(what).contains("\"type\":\"urn:muster:problem:").contains("\"detail\"")
                    .doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("io.muster.")
                    .doesNotContain(TestNode.ADMIN_TOKEN);
            kinds.add(bad.kind());
        }
        assertThat(kinds).hasSizeGreaterThanOrEqualTo(30).doesNotHaveDuplicates();
        assertThat(node.commandsAppliedAfter(commitBefore)).as("nothing proposed").isEmpty();
        assertThat(Http.get(node.url("/v1/cluster/digest")).json().path("sha256").asString())
                .as("state digest").isEqualTo(digestBefore);
        System.out.println("[bad-input] " + kinds.size() + " kinds, all 4xx problem+json, 0 x 5xx, 0 stack traces, "
                + "digest unchanged");
    }

    private static HttpRequest.Builder request(Case bad) {
        List<String> headers = new ArrayList<>(List.of(bad.headers()));
        String chunked = null;
        for (int i = 0; i < headers.size(); i += 2) {
            if (headers.get(i).equals("X-Chunked")) {
                chunked = headers.get(i + 1);
                headers.remove(i);
                headers.remove(i);
                break;
            }
        }
        if (bad.contentType() != null) {
            headers.add("Content-Type");
            headers.add(bad.contentType());
        }
        HttpRequest.BodyPublisher body;
        if (chunked != null) {
            byte[] bytes = ("{\"then\":[" + "{\"op\":\"get\",\"key\":\"a\"},".repeat(Integer.parseInt(chunked) / 24) + "]}")
                    .getBytes(StandardCharsets.UTF_8);
            body = HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes));
        } else {
            body = bad.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bad.body());
        }
        return Http.request(node.url(bad.path()), headers.toArray(String[]::new)).method(bad.method(), body);
    }
}
