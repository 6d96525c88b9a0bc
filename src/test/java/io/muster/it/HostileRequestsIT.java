package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The "should fix" requests of the hostile-input review, one case each, against a real node: a token
 * confined to {@code app/} learns nothing about leases and may read cluster status; odd request lines
 * and methods, bad chunking, strings and fractions for integers, explicit nulls, a retried token
 * creation, a large body with {@code Expect: 100-continue}, two {@code Authorization} headers, a forged
 * {@code Host} and anonymous {@code /actuator/info} each get the stated answer. Every error is a typed
 * problem+json that names no Java class, nothing in the corpus proposes a command (digest and audit
 * unchanged), and the node stays live, ready and its view exact throughout.
 */
class HostileRequestsIT {

    private static final Pattern JAVA_NAMES = Pattern.compile("[A-Z][a-z]+(Controller|Exception)|java\\.|io\\.muster\\.");
    private static final String JSON = "application/json";
    private static final String ONCE_KEY = "create-ci-token-1";
    private static final String ONCE_BODY = "{\"name\":\"ci-once\",\"roles\":[\"reader\"],\"prefixes\":[\"app/\"]}";
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @TempDir
    static Path root;
    static TestCluster cluster;
    static TestNode node;
    static String confined;
    static long lease;

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(1, root, Map.of("muster.limits.max-request-bytes", "2MB"));
        node = cluster.node(1);
        confined = Http.post(node.url("/v1/auth/tokens"), "{\"name\":\"app-writer\",\"roles\":[\"writer\"],"
                + "\"prefixes\":[\"app/\"]}").json().path("secret").asString();
        lease = Http.post(node.url("/v1/leases"), "{\"ttlSeconds\":3600}").json().path("id").asLong();
        Http.Response created = Http.send(Http.request(node.url("/v1/auth/tokens"), "Content-Type", JSON,
                "Idempotency-Key", ONCE_KEY).POST(HttpRequest.BodyPublishers.ofString(ONCE_BODY)));
        assertThat(created.status()).as("the first token creation: " + created).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    /**
     * One hostile request and the answer it must get: a status, and for an error the problem type (and
     * the {@code field} it names, where it must name one); text the answer must not contain.
     */
    static final class Case {
        final String kind;
        String method = "GET";
        String path;
        String raw;
        String token = "admin";
        String contentType;
        String body;
        final List<String> headers = new ArrayList<>();
        int status;
        String type;
        String field;
        final List<String> absent = new ArrayList<>();
        String detailHas;

        private Case(String kind) {
            this.kind = kind;
        }

        static Case http(String kind, String method, String path) {
            Case c = new Case(kind);
            c.method = method;
            c.path = path;
            return c;
        }

        /** A request written on a socket as is (request line, headers, body), for what HTTP clients refuse to send. */
        static Case raw(String kind, String request) {
            Case c = new Case(kind);
            c.raw = request;
            return c;
        }

        Case as(String token) {
            this.token = token;
            return this;
        }

        Case json(String body) {
            this.contentType = JSON;
            this.body = body;
            return this;
        }

        Case header(String name, String value) {
            headers.add(name);
            headers.add(value);
            return this;
        }

        Case expect(int status, String type) {
            this.status = status;
            this.type = type;
            return this;
        }

        Case field(String field) {
            this.field = field;
            return this;
        }

        Case without(String text) {
            absent.add(text);
            return this;
        }

        Case detailNames(String text) {
            this.detailHas = text;
            return this;
        }
    }

    /** What came back: every status line in order (a {@code 100 Continue} first, if one was sent), headers and body. */
    record Answer(List<Integer> statuses, String contentType, String body) {

        int status() {
            return statuses.get(statuses.size() - 1);
        }

        @Override
        public String toString() {
            return statuses + " " + (body.length() > 400 ? body.substring(0, 400) + "..." : body);
        }
    }

    static List<Case> corpus() {
        String admin = "Authorization: Bearer " + TestNode.ADMIN_TOKEN + "\r\n";
        List<Case> cases = new ArrayList<>();
        // A confined token: the same answer whether a lease exists or not; cluster status is readable.
        cases.add(Case.http("confined put naming an unknown lease", "PUT", "/v1/kv/app/x?lease=999999").as("confined")
                .expect(403, "forbidden").detailNames("leases"));
        cases.add(Case.http("confined put naming an existing lease", "PUT", "/v1/kv/app/x?lease=" + lease)
                .as("confined").expect(403, "forbidden").detailNames("leases"));
        cases.add(Case.http("confined read of a lease", "GET", "/v1/leases/" + lease).as("confined")
                .expect(403, "forbidden").detailNames("leases"));
        cases.add(Case.http("confined search", "GET", "/v1/search?prefix=app/").as("confined")
                .expect(403, "forbidden").detailNames("search"));
        cases.add(Case.http("confined cluster status", "GET", "/v1/cluster").as("confined").expect(200, null));
        cases.add(Case.http("confined cluster digest", "GET", "/v1/cluster/digest").as("confined").expect(200, null));
        cases.add(Case.http("confined cluster member", "GET", "/v1/cluster/members/n1").as("confined").expect(200, null));
        // Odd methods, request lines and framing, answered by Tomcat or the error page.
        cases.add(Case.raw("CONNECT", "CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: x\r\n\r\n")
                .expect(501, "not-implemented"));
        cases.add(Case.raw("HTTP/2.0 request line", "GET /v1/cluster HTTP/2.0\r\nHost: x\r\n" + admin + "\r\n")
                .expect(505, "http-version-not-supported"));
        cases.add(Case.raw("TRACE", "TRACE /v1/kv/x HTTP/1.1\r\nHost: x\r\n" + admin + "Connection: close\r\n\r\n")
                .expect(405, "method-not-allowed"));
        cases.add(Case.raw("bad chunk size", "POST /v1/txn HTTP/1.1\r\nHost: x\r\n" + admin + "Content-Type: "
                + JSON + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n")
                .expect(400, "invalid-request"));
        cases.add(Case.raw("bad chunk size in a value", "PUT /v1/kv/chunky HTTP/1.1\r\nHost: x\r\n" + admin
                + "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n-1\r\nv\r\n0\r\n\r\n")
                .expect(400, "invalid-request"));
        cases.add(Case.http("the error page asked for directly", "GET", "/error").expect(404, "not-found"));
        // Error details name no Java class, and name the field that was wrong.
        cases.add(Case.http("unknown field of a lease", "POST", "/v1/leases").json("{\"ttl\":5}")
                .expect(400, "invalid-request").field("ttl"));
        cases.add(Case.http("unknown field of a query", "POST", "/v1/query").json("{\"sql\":\"SELECT 1\",\"bogus\":1}")
                .expect(400, "invalid-request").field("bogus"));
        cases.add(Case.http("unknown field of a token", "POST", "/v1/auth/tokens")
                .json("{\"name\":\"x\",\"roles\":[\"reader\"],\"prefix\":[\"a/\"]}").expect(400, "invalid-request")
                .field("prefix"));
        cases.add(Case.http("a query deserializing an unknown class", "POST", "/v1/query")
                .json("{\"sql\":\"SELECT CAST(X'ACED00057372000B6E6F2E737563682E436C617373000000000000000102000078700000'"
                        + " AS JAVA_OBJECT)\"}").expect(0, "query-failed|query-not-allowed"));
        cases.add(Case.http("null ttlSeconds", "POST", "/v1/leases").json("{\"ttlSeconds\":null}")
                .expect(400, "invalid-request").field("ttlSeconds"));
        cases.add(Case.http("5,000-character member id", "POST", "/v1/cluster/members")
                .json("{\"id\":\"" + "m".repeat(5000) + "\",\"address\":\"127.0.0.1:1\"}").expect(400, "invalid-request")
                .field("id"));
        // JSON is strict: no strings or fractions for integers, no null for the transaction's lists.
        cases.add(Case.http("ttlSeconds as a string", "POST", "/v1/leases").json("{\"ttlSeconds\":\"10\"}")
                .expect(400, "invalid-request").field("ttlSeconds"));
        cases.add(Case.http("ttlSeconds as a fraction", "POST", "/v1/leases").json("{\"ttlSeconds\":10.7}")
                .expect(400, "invalid-request").field("ttlSeconds"));
        cases.add(Case.http("ttlSeconds in exponent notation", "POST", "/v1/leases").json("{\"ttlSeconds\":1e1}")
                .expect(400, "invalid-request").field("ttlSeconds"));
        cases.add(Case.http("maxRows as a fraction", "POST", "/v1/query").json("{\"sql\":\"SELECT 1\",\"maxRows\":1.5}")
                .expect(400, "invalid-request").field("maxRows"));
        cases.add(Case.http("port as a string", "PUT", "/v1/services/api/instances/i1")
                .json("{\"address\":\"10.0.0.1\",\"port\":\"80\"}").expect(400, "invalid-request").field("port"));
        cases.add(Case.http("compare: null", "POST", "/v1/txn")
                .json("{\"compare\":null,\"then\":[{\"op\":\"get\",\"key\":\"a\"}]}").expect(400, "invalid-request")
                .field("compare"));
        cases.add(Case.http("then: null", "POST", "/v1/txn").json("{\"then\":null}").expect(400, "invalid-request")
                .field("then"));
        // A retried token creation is told the token exists, without the secret; another request with its key is 422.
        cases.add(Case.http("token creation retried with its Idempotency-Key", "POST", "/v1/auth/tokens")
                .json(ONCE_BODY).header("Idempotency-Key", ONCE_KEY).expect(409, "token-already-created")
                .without("\"secret\"").without("mst_"));
        cases.add(Case.http("another token request with that Idempotency-Key", "POST", "/v1/auth/tokens")
                .json("{\"name\":\"ci-other\",\"roles\":[\"reader\"]}").header("Idempotency-Key", ONCE_KEY)
                .expect(422, "idempotency-key-reused").without("mst_"));
        // Authentication comes before the body: no 100 Continue, and 401 before 413.
        cases.add(Case.raw("3 MB with Expect: 100-continue and no token", "PUT /v1/kv/big HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: text/plain\r\nContent-Length: 3000000\r\nExpect: 100-continue\r\n\r\n")
                .expect(401, "unauthorized"));
        cases.add(Case.raw("3 MB with Expect: 100-continue and a token", "PUT /v1/kv/big HTTP/1.1\r\nHost: x\r\n" + admin
                + "Content-Type: text/plain\r\nContent-Length: 3000000\r\nExpect: 100-continue\r\n\r\n")
                .expect(413, "request-too-large"));
        cases.add(Case.http("two Authorization headers", "GET", "/v1/cluster")
                .header("Authorization", Http.bearer(TestNode.ADMIN_TOKEN)).header("Authorization", "Bearer other")
                .expect(400, "invalid-request").field("Authorization"));
        // Public answers tell an anonymous caller nothing it could aim with.
        cases.add(Case.raw("API description with a forged Host", "GET /v3/api-docs HTTP/1.1\r\nHost: evil.example:666\r\n"
                + "Connection: close\r\n\r\n").expect(200, null).without("evil.example"));
        cases.add(Case.http("anonymous info", "GET", "/actuator/info").as("none").expect(200, null)
                .without("vendor").without("\"jvm\"").without("runtime"));
        cases.add(Case.http("anonymous Prometheus scrape", "GET", "/actuator/prometheus").as("none").expect(200, null)
                .without("vendor=").without("runtime="));
        return cases;
    }

    /**
     * The state's digest once the log is quiet: the setup's writes are applied, and so is the commit
     * metadata entry a Ratis leader appends after them (it advances the revision, and with it the digest,
     * without any command). Quiet means two polls a while apart see the same revision.
     */
    private static String quietDigest() {
        cluster.settledCommitIndex();
        AtomicLong seen = new AtomicLong(-1);
        return Waits.until("no Raft entry in flight", TestCluster.DEADLINE, Duration.ofMillis(300), () -> {
            JsonNode digest = Http.get(node.url("/v1/cluster/digest")).json();
            long revision = digest.path("revision").asLong();
            return seen.getAndSet(revision) == revision ? digest.path("sha256").asString() : null;
        });
    }

    @Test
    void everyHostileRequestGetsItsStatedAnswerAndChangesNothing() {
        String digestBefore = quietDigest();
        long commitBefore = node.status().commitIndex();
        List<String> wrong = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        try (HealthProbe probe = HealthProbe.start(node)) {
            for (Case hostile : corpus()) {
                Answer answer = hostile.raw != null ? raw(hostile) : send(hostile);
                wrong.addAll(problems(hostile, answer));
                kinds.add(hostile.kind);
            }
            assertThat(wrong).as("answers unlike the stated ones").isEmpty();
            probe.assertAnsweredWithin(Duration.ofSeconds(1));
        }
        assertThat(kinds).hasSizeGreaterThanOrEqualTo(30).doesNotHaveDuplicates();
        assertThat(node.commandsAppliedAfter(commitBefore)).as("nothing proposed").isEmpty();
        assertThat(Http.get(node.url("/v1/cluster/digest")).json().path("sha256").asString())
                .as("state digest").isEqualTo(digestBefore);
        cluster.assertViewsEqualStates("after the hostile corpus");
        System.out.println("[hostile-requests] " + kinds.size() + " requests, each answered as stated; digest unchanged");
    }

    /** Everything about {@code answer} that is not what {@code hostile} must get, as lines naming the case. */
    private static List<String> problems(Case hostile, Answer answer) {
        List<String> wrong = new ArrayList<>();
        String what = hostile.kind + ": " + answer;
        if (answer.statuses().contains(100)) {
            wrong.add(what + " (sent 100 Continue)");
        }
        boolean statusOk = hostile.status == 0 ? answer.status() >= 400 && answer.status() < 500
                : answer.status() == hostile.status;
        if (!statusOk) {
            wrong.add(what + " (status, expected " + (hostile.status == 0 ? "4xx" : hostile.status) + ")");
        }
        for (String text : hostile.absent) {
            if (answer.body().contains(text)) {
                wrong.add(what + " (contains '" + text + "')");
            }
        }
        if (hostile.type == null) {
            return wrong;
        }
        if (answer.contentType() == null || !answer.contentType().startsWith("application/problem+json")) {
            wrong.add(what + " (content type " + answer.contentType() + ")");
            return wrong;
        }
        Matcher javaName = JAVA_NAMES.matcher(answer.body());
        if (javaName.find()) {
            wrong.add(what + " (names '" + javaName.group() + "')");
        }
        JsonNode problem = MAPPER.readTree(answer.body());
        String type = problem.path("type").asString();
        if (!List.of(hostile.type.split("\\|")).stream().anyMatch(slug -> type.equals("urn:muster:problem:" + slug))) {
            wrong.add(what + " (type, expected " + hostile.type + ")");
        }
        if (hostile.field != null && !hostile.field.equals(problem.path("field").asString())) {
            wrong.add(what + " (field, expected " + hostile.field + ")");
        }
        if (hostile.detailHas != null && !problem.path("detail").asString().contains(hostile.detailHas)) {
            wrong.add(what + " (detail does not name " + hostile.detailHas + ")");
        }
        return wrong;
    }

    private static Answer send(Case hostile) {
        List<String> headers = new ArrayList<>(hostile.headers);
        if (!hostile.token.equals("admin")) {
            headers.add("Authorization");
            headers.add(hostile.token.equals("confined") ? Http.bearer(confined) : "");
        }
        if (hostile.contentType != null) {
            headers.add("Content-Type");
            headers.add(hostile.contentType);
        }
        HttpRequest.BodyPublisher body = hostile.body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(hostile.body);
        Http.Response response = Http.send(Http.request(node.url(hostile.path), headers.toArray(String[]::new))
                .method(hostile.method, body));
        return new Answer(List.of(response.status()), response.header("Content-Type"), response.text());
    }

    /**
     * Writes {@code hostile.raw} on a fresh connection and reads until the final answer is complete, the
     * server closes, or 10 s pass.
     */
    private static Answer raw(Case hostile) {
        try (Socket socket = new Socket("127.0.0.1", node.httpPort)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(hostile.raw.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            Answer answer = null;
            while (answer == null) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException | java.net.SocketException stopped) {
                    n = -1;
                }
                if (n > 0) {
                    received.write(buffer, 0, n);
                }
                answer = parse(received.toString(StandardCharsets.ISO_8859_1), n < 0);
            }
            return answer;
        } catch (IOException e) {
            throw new UncheckedIOException(hostile.kind, e);
        }
    }

    /** The answer in {@code text} once its final response is complete (or the stream ended); else {@code null}. */
    private static Answer parse(String text, boolean ended) {
        List<Integer> statuses = new ArrayList<>();
        int start = 0;
        while (true) {
            int headEnd = text.indexOf("\r\n\r\n", start);
            if (headEnd < 0) {
                if (!ended) {
                    return null;
                }
                throw new AssertionError("no complete answer before the connection ended: " + text);
            }
            String[] head = text.substring(start, headEnd).split("\r\n");
            int status = Integer.parseInt(head[0].split(" ")[1]);
            statuses.add(status);
            if (status >= 200) {
                String contentType = header(head, "content-type");
                String rest = text.substring(headEnd + 4);
                boolean chunked = "chunked".equalsIgnoreCase(header(head, "transfer-encoding"));
                String body = chunked ? dechunk(rest) : rest;
                String length = header(head, "content-length");
                boolean complete = chunked ? body != null
                        : length != null && rest.length() >= Integer.parseInt(length);
                if (!complete && !ended) {
                    return null;
                }
                String utf8 = new String((body == null ? rest : body).getBytes(StandardCharsets.ISO_8859_1),
                        StandardCharsets.UTF_8);
                return new Answer(statuses, contentType, utf8);
            }
            start = headEnd + 4;
        }
    }

    private static String header(String[] head, String name) {
        for (int i = 1; i < head.length; i++) {
            int colon = head[i].indexOf(':');
            if (colon > 0 && head[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return head[i].substring(colon + 1).trim();
            }
        }
        return null;
    }

    /** The body of a chunked answer, or {@code null} while its last chunk has not arrived. */
    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            if (lineEnd < 0) {
                return null;
            }
            int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].trim(), 16);
            if (size == 0) {
                return body.toString();
            }
            if (chunked.length() < lineEnd + 2 + size + 2) {
                return null;
            }
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
