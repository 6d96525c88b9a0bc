package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Requests that wait hold no server thread. With 500 requests waiting on one follower (for a held
 * lock, for an election, or for a revision nobody has written yet), that node's liveness and readiness
 * answer within a second throughout; requests beyond a token's cap get 429 {@code rate-limited} and
 * beyond the node's cap 503 {@code too-many-waits}, both problem+json with {@code Retry-After}, at
 * once; and the waiting ones end as they should: the lock is handed over in arrival order with growing
 * fencing tokens, candidates leave the election queue when their wait runs out, and reads answer once
 * their revision is written (or 504 at their timeout). Every wait slot is given back afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileWaitsIT {

    private static final int PER_TOKEN = 125;
    private static final int PER_NODE = 500;
    private static final Duration HEALTH_LIMIT = Duration.ofSeconds(1);
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Pattern WAITING = Pattern.compile("^muster_wait_requests(?:\\{[^}]*})? (\\S+)$",
            Pattern.MULTILINE);

    @TempDir
    static Path root;
    static TestCluster cluster;
    /** The follower every waiting request is sent to. */
    static TestNode target;
    static HttpClient client;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(3, root, Map.of(
                "muster.security.max-waits-per-token", Integer.toString(PER_TOKEN),
                "muster.waits.max-waiting", Integer.toString(PER_NODE)));
        target = cluster.followers().get(0);
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void fiveHundredLockWaitersHoldNoThreadAndAreServedInArrivalOrder() throws Exception {
        List<String> writers = tokens("lock-writer-", "writer", 5);
        long lease = grant();
        String lock = "/v1/locks/hostile/queue";
        Http.Response held = Http.post(target.url(lock), acquireBody(lease, "first", 0));
        assertThat(held.status()).as(held.toString()).isEqualTo(200);

        Map<String, CompletableFuture<Http.Response>> byHolder = new HashMap<>();
        try (HealthProbe probe = HealthProbe.start(target)) {
            try {
                // Four tokens, each within its cap, fill the node's: 500 requests wait in the lock's queue.
                for (int t = 1; t < writers.size(); t++) {
                    for (int i = 0; i < PER_TOKEN; i++) {
                        waiter(byHolder, writers.get(t), lock, lease, "w" + t + "-" + i);
                    }
                }
                Http.Response state = Waits.until("500 waiters queued", DEADLINE, () -> {
                    assertNoneAnswered(byHolder.values());
                    Http.Response read = Http.get(target.url(lock));
                    return read.json().path("waiters").asInt() == PER_NODE ? read : null;
                });
                awaitWaiting(PER_NODE);
                // Beyond the node's cap, a token with nothing waiting is refused at once with 503 ...
                List<CompletableFuture<Http.Response>> surplus = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    surplus.add(waiter(byHolder, writers.get(0), lock, lease, "w0-" + i));
                }
                answered(surplus, surplus.size()).forEach(response -> assertRefused(response, 503, "too-many-waits"));
                // ... and beyond its own cap, a token with 125 waiting is refused with 429.
                assertRefused(waiter(byHolder, writers.get(1), lock, lease, "w1-one-more").join(), 429, "rate-limited");

                // Hand the lock over 500 times, in the queue's order.
                List<String> order = queueOrder("locks/hostile/queue", state.revision());
                assertThat(order).hasSize(PER_NODE);
                long token = held.json().path("fencingToken").asLong();
                for (String holder : order) {
                    CompletableFuture<Http.Response> waiting = byHolder.get(holder);
                    assertThat(waiting).as(holder + " is answered only when the lock reaches it").isNotDone();
                    Http.Response released = Http.delete(target.url(lock + "?token=" + token));
                    assertThat(released.status()).as(released.toString()).isEqualTo(200);
                    assertThat(released.json().path("holder").asString()).isEqualTo(holder);
                    Http.Response acquired = waiting.get(20, TimeUnit.SECONDS);
                    assertThat(acquired.status()).as(acquired.toString()).isEqualTo(200);
                    assertThat(acquired.json().path("holder").asString()).isEqualTo(holder);
                    long fencingToken = acquired.json().path("fencingToken").asLong();
                    assertThat(fencingToken).as("the fencing token grows").isGreaterThan(token);
                    token = fencingToken;
                }
                assertThat(Http.delete(target.url(lock + "?token=" + token)).status()).isEqualTo(200);
                awaitWaiting(0);
            } finally {
                report("500 lock waiters", probe);
            }
            probe.assertAnsweredWithin(HEALTH_LIMIT);
        } finally {
            Http.delete(target.url("/v1/leases/" + lease));
        }
    }

    @Test
    @Order(2)
    void fiveHundredCandidatesHoldNoThreadAndLeaveTheQueueWhenTheirWaitRunsOut() {
        List<String> writers = tokens("candidate-", "writer", 4);
        long lease = grant();
        String campaign = "/v1/elections/hostile/campaign";
        Http.Response leader = Http.post(target.url(campaign), campaignBody(lease, "leader", 0));
        assertThat(leader.status()).as(leader.toString()).isEqualTo(200);

        try (HealthProbe probe = HealthProbe.start(target)) {
            try {
                List<CompletableFuture<Http.Response>> candidates = new ArrayList<>();
                for (int t = 0; t < writers.size(); t++) {
                    for (int i = 0; i < PER_TOKEN; i++) {
                        candidates.add(send(writers.get(t), "POST", campaign, campaignBody(lease, "c" + t + "-" + i, 10)));
                    }
                }
                Waits.until("500 candidates queued", DEADLINE, () -> {
                    assertNoneAnswered(candidates);
                    return Http.get(target.url("/v1/elections/hostile/leader")).json().path("candidatesWaiting").asInt()
                            == PER_NODE ? true : null;
                });
                awaitWaiting(PER_NODE);
                assertRefused(send(writers.get(0), "POST", campaign, campaignBody(lease, "one-more", 10)).join(), 429,
                        "rate-limited");
                assertRefused(send(TestNode.ADMIN_TOKEN, "POST", campaign, campaignBody(lease, "admin", 10)).join(), 503,
                        "too-many-waits");
                assertThat(candidates).as("nobody was elected or refused while the leader leads").noneMatch(
                        CompletableFuture::isDone);

                for (Http.Response answer : answered(candidates, PER_NODE)) {
                    assertThat(answer.status()).as(answer.toString()).isEqualTo(409);
                    assertThat(answer.json().path("type").asString()).isEqualTo("urn:muster:problem:not-elected");
                    assertThat(answer.json().path("leader").asString()).isEqualTo("leader");
                }
                JsonNode after = Http.get(target.url("/v1/elections/hostile/leader")).json();
                assertThat(after.path("leader").asString()).isEqualTo("leader");
                assertThat(after.path("candidatesWaiting").asInt()).as("every candidate withdrew").isZero();
                awaitWaiting(0);
            } finally {
                report("500 election candidates", probe);
            }
            probe.assertAnsweredWithin(HEALTH_LIMIT);
        } finally {
            Http.delete(target.url("/v1/leases/" + lease));
        }
    }

    @Test
    @Order(3)
    void fiveHundredReadsOfAnUnwrittenRevisionHoldNoThreadAndAnswerOnceItIsWritten() {
        List<String> readers = tokens("reader-", "reader", 4);
        String key = "hostile/read";
        Http.Response written = Http.put(target.url("/v1/kv/" + key), "v0", "Content-Type", "text/plain");
        assertThat(written.status()).as(written.toString()).isIn(200, 201);
        long wanted = written.revision() + 10;

        try (HealthProbe probe = HealthProbe.start(target)) {
            try {
                // 500 reads of a revision ten writes ahead: of the node's state (kv), of its view (history, query).
                List<CompletableFuture<Http.Response>> kv = new ArrayList<>();
                List<CompletableFuture<Http.Response>> history = new ArrayList<>();
                List<CompletableFuture<Http.Response>> query = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    for (int i = 0; i < PER_TOKEN; i++) {
                        (i % 2 == 0 ? kv : history).add(send(readers.get(t), "GET", (i % 2 == 0 ? "/v1/kv/"
                                : "/v1/history/") + key + "?minRevision=" + wanted, null));
                    }
                }
                for (int i = 0; i < PER_TOKEN; i++) {
                    query.add(send(TestNode.ADMIN_TOKEN, "POST", "/v1/query", "{\"sql\": \"SELECT COUNT(*) FROM entries\", "
                            + "\"minRevision\": " + wanted + "}"));
                }
                awaitWaiting(PER_NODE);
                assertRefused(send(readers.get(0), "GET", "/v1/kv/" + key + "?minRevision=" + wanted, null).join(), 429,
                        "rate-limited");
                assertRefused(send(readers.get(3), "GET", "/v1/history/" + key + "?minRevision=" + wanted, null).join(),
                        503, "too-many-waits");
                List<CompletableFuture<Http.Response>> all = new ArrayList<>(kv);
                all.addAll(history);
                all.addAll(query);
                assertThat(all).as("no read answered before its revision was written").noneMatch(CompletableFuture::isDone);

                // Each read answers with the value the key had at the revision it read (other entries, such as
                // lease expiries, may also move the revision forward).
                NavigableMap<Long, String> values = new TreeMap<>();
                values.put(written.revision(), "v0");
                for (int i = 1; i <= 10; i++) {
                    values.put(Http.put(target.url("/v1/kv/" + key), "v" + i, "Content-Type", "text/plain").revision(),
                            "v" + i);
                }
                for (Http.Response answer : answered(kv, kv.size())) {
                    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
                    assertThat(answer.revision()).isGreaterThanOrEqualTo(wanted);
                    assertThat(answer.text()).isEqualTo(values.floorEntry(answer.revision()).getValue());
                }
                for (Http.Response answer : answered(history, history.size())) {
                    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
                    long viewRevision = answer.json().path("viewRevision").asLong();
                    assertThat(viewRevision).isGreaterThanOrEqualTo(wanted);
                    assertThat(answer.json().at("/versions/0/value").asString())
                            .isEqualTo(values.floorEntry(viewRevision).getValue());
                }
                // The queries all wake at once: those beyond the node's query slots are told to come back.
                int queried = 0;
                for (Http.Response answer : answered(query, query.size())) {
                    if (answer.status() == 503) {
                        assertThat(answer.json().path("detail").asString()).contains("max-concurrent-queries");
                        assertThat(answer.header("Retry-After")).isEqualTo("1");
                        continue;
                    }
                    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
                    assertThat(answer.json().path("viewRevision").asLong()).isGreaterThanOrEqualTo(wanted);
                    queried++;
                }
                assertThat(queried).as("queries answered").isPositive();
                awaitWaiting(0);

                // A revision nobody writes: every read answers 504 revision-not-reached at its timeout.
                long never = wanted + 1_000_000;
                List<CompletableFuture<Http.Response>> unreached = new ArrayList<>();
                for (int i = 0; i < PER_TOKEN; i++) {
                    unreached.add(send(readers.get(1), "GET", "/v1/kv/" + key + "?minRevision=" + never, null));
                    unreached.add(send(readers.get(2), "GET", "/v1/history/" + key + "?minRevision=" + never, null));
                }
                answered(unreached, unreached.size()).forEach(answer -> assertRefused(answer, 504, "revision-not-reached"));
                awaitWaiting(0);
            } finally {
                report("500 minRevision reads", probe);
            }
            probe.assertAnsweredWithin(HEALTH_LIMIT);
        }
    }

    @Test
    @Order(4)
    void theViewsStillMatchTheStates() {
        cluster.assertViewsEqualStates("after 500 waiting requests of each kind");
    }

    // ---- helpers ----

    private static CompletableFuture<Http.Response> waiter(Map<String, CompletableFuture<Http.Response>> byHolder,
            String secret, String lock, long lease, String holder) {
        CompletableFuture<Http.Response> answer = send(secret, "POST", lock, acquireBody(lease, holder, 60));
        byHolder.put(holder, answer);
        return answer;
    }

    /** Sends one request without waiting for its answer; a transport failure answers status -1. */
    private static CompletableFuture<Http.Response> send(String secret, String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.url(path)))
                .timeout(Duration.ofSeconds(90)).header(Http.AUTHORIZATION, Http.bearer(secret));
        if (body == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(response -> new Http.Response(response.statusCode(), response.headers(), response.body()))
                .exceptionally(failure -> new Http.Response(-1, HttpHeaders.of(Map.of(), (name, value) -> true),
                        failure.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** Waits until exactly {@code count} of {@code requests} are answered (the rest still wait), and returns those. */
    private static List<Http.Response> answered(List<CompletableFuture<Http.Response>> requests, int count) {
        return Waits.until(count + " answers", DEADLINE, () -> {
            List<Http.Response> done = requests.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join)
                    .toList();
            assertThat(done.size()).as("answered requests").isLessThanOrEqualTo(count);
            return done.size() == count ? done : null;
        });
    }

    /** Fails at once, naming the answer, when any of {@code requests} was answered. */
    private static void assertNoneAnswered(Collection<CompletableFuture<Http.Response>> requests) {
        requests.stream().filter(CompletableFuture::isDone).findFirst().ifPresent(done -> {
            throw new AssertionError("a waiting request was answered while it should still wait: " + done.join());
        });
    }

    private static void assertRefused(Http.Response response, int status, String type) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.header("Retry-After")).as("Retry-After of " + response).isNotNull();
        assertThat(response.json().path("type").asString()).isEqualTo("urn:muster:problem:" + type);
    }

    /** Waits until the target's {@code muster.wait.requests} gauge shows {@code count} waiting requests. */
    private static void awaitWaiting(int count) {
        Waits.until(count + " waiting requests on " + target.id, DEADLINE, () -> waiting() == count ? true : null);
    }

    private static long waiting() {
        Matcher matcher = WAITING.matcher(Http.get(target.url("/actuator/prometheus")).text());
        return matcher.find() ? (long) Double.parseDouble(matcher.group(1)) : -1;
    }

    /** The holders queued for {@code lock}, first in line first, as the target's view shows them. */
    private static List<String> queueOrder(String lock, long revision) {
        Http.Response rows = Http.post(target.url("/v1/query"), "{\"sql\": \"SELECT holder FROM lock_waiters WHERE "
                + "lock_name = ? ORDER BY position\", \"params\": [\"" + lock + "\"], \"minRevision\": " + revision + "}");
        assertThat(rows.status()).as(rows.toString()).isEqualTo(200);
        List<String> holders = new ArrayList<>();
        rows.json().path("rows").forEach(row -> holders.add(row.get(0).asString()));
        return holders;
    }

    private static List<String> tokens(String prefix, String role, int count) {
        List<String> secrets = new ArrayList<>();
        long revision = 0;
        for (int i = 0; i < count; i++) {
            Http.Response created = Http.post(cluster.node(1).url("/v1/auth/tokens"), "{\"name\": \"" + prefix + i
                    + "\", \"roles\": [\"" + role + "\"], \"prefixes\": []}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            secrets.add(created.json().path("secret").asString());
            revision = Math.max(revision, created.revision());
        }
        cluster.awaitApplied(revision);
        return secrets;
    }

    private static long grant() {
        Http.Response granted = Http.post(target.url("/v1/leases"), "{\"ttlSeconds\": 120}");
        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
        return granted.json().path("id").asLong();
    }

    private static String acquireBody(long lease, String holder, int waitSeconds) {
        return "{\"leaseId\": " + lease + ", \"holder\": \"" + holder + "\", \"waitSeconds\": " + waitSeconds + "}";
    }

    private static String campaignBody(long lease, String candidate, int waitSeconds) {
        return "{\"leaseId\": " + lease + ", \"candidate\": \"" + candidate + "\", \"waitSeconds\": " + waitSeconds + "}";
    }

    /** Prints what the health probe saw: the figure the README's security notes quote. */
    private static void report(String load, HealthProbe probe) {
        System.out.printf("HostileWaitsIT %s: slowest liveness %d ms, slowest readiness %d ms%n", load,
                probe.slowestMillis(HealthProbe.PATHS.get(0)), probe.slowestMillis(HealthProbe.PATHS.get(1)));
    }
}
