package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Streams of a token that loses its rights, on a real three-node cluster, from a follower: every kind
 * of stream (watch of a key, of a prefix, of a service, an election's observe) and every long poll (a
 * key's, a service's) that a token opened ends when its revoke is applied on that node, and delivers
 * nothing at or after the revoke's revision although matching writes follow it at once; the streams
 * end with a {@code revoked} message, the long polls with 401. A token over its watch limit is told
 * when to come back ({@code Retry-After}), and a stream its client closed gives its slot back within
 * two seconds. The node stays live and ready within a second throughout, and its view stays exact.
 *
 * <p>The API can only create and revoke tokens (a token's role and prefixes never change in place), so
 * a "narrowed" token is a revoked one here; the hub's re-check of a changed token against a stream's
 * filter is proved by {@code WatchHubTest}.
 */
class HostileStreamsIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** How long a revoked stream may take to end once its node applied the revoke (generous for a busy CI). */
    private static final Duration END_DEADLINE = Duration.ofSeconds(10);
    private static final int WATCHES_PER_TOKEN = 4;

    @TempDir
    static Path root;
    static TestCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(3, root, Map.of("muster.security.requests-per-second", "100000",
                "muster.security.request-burst", "100000",
                "muster.security.max-watches-per-token", Integer.toString(WATCHES_PER_TOKEN)));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void everyStreamAndLongPollOfARevokedTokenEndsAtTheRevokeOnAFollower() throws Exception {
        TestNode leader = cluster.awaitLeader();
        TestNode follower = cluster.followers().get(0);
        String secret = createToken("hs-reader", "reader");
        String[] auth = {"Authorization", Http.bearer(secret)};
        long lease = Http.post(leader.url("/v1/leases"), "{\"ttlSeconds\": 60}").json().path("id").asLong();
        long written = Http.put(leader.url("/v1/kv/hs/k"), "before", "Content-Type", "text/plain").revision();
        registerInstance(leader, "hs-1");
        cluster.awaitApplied(Http.get(leader.url("/v1/services/hs-svc")).revision());

        try (HealthProbe health = HealthProbe.start(follower)) {
            Map<String, SseStream> streams = new LinkedHashMap<>();
            streams.put("watch key", SseStream.open(follower.url("/v1/watch?key=hs/k"), auth));
            streams.put("watch prefix", SseStream.open(follower.url("/v1/watch?prefix=hs/"), auth));
            streams.put("watch service", SseStream.open(follower.url("/v1/watch?service=hs-svc"), auth));
            streams.put("observe election", SseStream.open(follower.url("/v1/elections/hs-el/observe"), auth));
            try {
                for (Map.Entry<String, SseStream> stream : streams.entrySet()) {
                    assertThat(stream.getValue().status()).as(stream.getKey()).isEqualTo(200);
                    assertThat(stream.getValue().next("progress", WAIT)).as(stream.getKey())
                            .isNotEqualTo(SseStream.END);
                }
                long servicesAt = Http.get(follower.url("/v1/services/hs-svc"), auth).revision();
                CompletableFuture<Http.Response> keyPoll = CompletableFuture.supplyAsync(() -> Http.get(
                        follower.url("/v1/kv/hs/k?waitRevision=" + written + "&wait=60s"), auth));
                CompletableFuture<Http.Response> servicePoll = CompletableFuture.supplyAsync(() -> Http.get(
                        follower.url("/v1/services/hs-svc?waitRevision=" + servicesAt + "&wait=60s"), auth));
                Waits.until("both long polls waiting on " + follower.id, WAIT,
                        () -> longPollsWaiting(follower) >= 2 ? true : null);

                Http.Response revoke = Http.delete(leader.url("/v1/auth/tokens/hs-reader"));
                assertThat(revoke.status()).as(revoke.toString()).isEqualTo(204);
                long revoked = revoke.revision();
                // Matching changes right behind the revoke, before the follower has necessarily applied it.
                long afterKey = Http.put(leader.url("/v1/kv/hs/k"), "after", "Content-Type", "text/plain").revision();
                registerInstance(leader, "hs-2");
                Http.Response elected = Http.post(leader.url("/v1/elections/hs-el/campaign"), "{\"leaseId\": " + lease
                        + ", \"candidate\": \"hs-candidate\", \"waitSeconds\": 0}");
                assertThat(elected.status()).as(elected.toString()).isEqualTo(200);
                assertThat(afterKey).isGreaterThan(revoked);
                cluster.awaitApplied(elected.revision());

                for (Map.Entry<String, SseStream> stream : streams.entrySet()) {
                    assertEndedAtRevoke(stream.getKey(), stream.getValue(), revoked);
                }
                assertUnauthorized("kv long poll", keyPoll.get(WAIT.toSeconds(), TimeUnit.SECONDS));
                assertUnauthorized("registry long poll", servicePoll.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            } finally {
                streams.values().forEach(SseStream::close);
            }
            health.assertAnsweredWithin(Duration.ofSeconds(1));
        }
        cluster.assertViewsEqualStates("after revoking a token with open streams");
    }

    @Test
    void aStreamOfARevokedTokenOpenedEarlierThanTheRevokeDeliversOnlyWhatCameBefore() {
        TestNode leader = cluster.awaitLeader();
        TestNode follower = cluster.followers().get(1);
        String secret = createToken("hs-behind", "reader");
        long first = Http.put(leader.url("/v1/kv/hb/a"), "1", "Content-Type", "text/plain").revision();
        try (HealthProbe health = HealthProbe.start(follower);
                SseStream stream = SseStream.open(follower.url("/v1/watch?prefix=hb/&fromRevision=" + first),
                        "Authorization", Http.bearer(secret))) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.next("change", WAIT).revision()).isEqualTo(first);
            long second = Http.put(leader.url("/v1/kv/hb/b"), "2", "Content-Type", "text/plain").revision();
            assertThat(stream.next("change", WAIT).revision()).isEqualTo(second);

            long revoked = Http.delete(leader.url("/v1/auth/tokens/hs-behind")).revision();
            for (int i = 0; i < 5; i++) {
                Http.put(leader.url("/v1/kv/hb/c" + i), "after", "Content-Type", "text/plain");
            }
            assertEndedAtRevoke("prefix watch from a past revision", stream, revoked);
            health.assertAnsweredWithin(Duration.ofSeconds(1));
        }
    }

    @Test
    void aReadWaitingForARevisionIsRefusedWhenItsTokenIsRevokedMeanwhile() throws Exception {
        TestNode leader = cluster.awaitLeader();
        TestNode follower = cluster.followers().get(0);
        String secret = createToken("hs-waiter", "reader");
        long now = Http.put(leader.url("/v1/kv/hw/k"), "before", "Content-Type", "text/plain").revision();
        cluster.awaitApplied(now);
        // A revision well past the revoke (other entries may come between), reached by writes after it.
        long awaited = now + 20;
        CompletableFuture<Http.Response> read = CompletableFuture.supplyAsync(() -> Http.get(
                follower.url("/v1/kv/hw/k?minRevision=" + awaited), "Authorization", Http.bearer(secret)));
        Waits.until("the read waiting on " + follower.id, WAIT, () -> requestsWaiting(follower) >= 1 ? true : null);
        long revoked = Http.delete(leader.url("/v1/auth/tokens/hs-waiter")).revision();
        assertThat(revoked).isLessThan(awaited);
        long last = revoked;
        for (int i = 0; i < 40 && last < awaited; i++) {
            last = Http.put(leader.url("/v1/kv/hw/k"), "after-" + i, "Content-Type", "text/plain").revision();
        }
        assertThat(last).isGreaterThanOrEqualTo(awaited);
        assertUnauthorized("read waiting for minRevision", read.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void aTokenAtItsWatchLimitIsToldWhenToComeBackAndAClosedStreamFreesItsSlotPromptly() {
        TestNode follower = cluster.followers().get(0);
        String secret = createToken("hs-limited", "reader");
        String[] auth = {"Authorization", Http.bearer(secret)};
        String url = follower.url("/v1/watch?prefix=hl/");
        List<SseStream> open = new ArrayList<>();
        try (HealthProbe health = HealthProbe.start(follower)) {
            for (int i = 0; i < WATCHES_PER_TOKEN; i++) {
                SseStream stream = SseStream.open(url, auth);
                open.add(stream);
                assertThat(stream.status()).isEqualTo(200);
                assertThat(stream.next("progress", WAIT)).isNotEqualTo(SseStream.END);
            }
            Http.Response refused = Http.get(url, auth);
            assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
            assertThat(refused.json().path("type").asString()).isEqualTo("urn:muster:problem:rate-limited");
            assertThat(refused.header("Retry-After")).as("Retry-After of a 429 for too many watches")
                    .isNotNull().matches("[1-9][0-9]*");

            SseStream closed = open.remove(0);
            closed.close();
            long closedAt = System.nanoTime();
            SseStream again = Waits.until("a slot freed within 2 s of its client closing", Duration.ofSeconds(2),
                    () -> {
                        SseStream attempt = SseStream.open(url, auth);
                        if (attempt.status() == 200) {
                            return attempt;
                        }
                        attempt.close();
                        return null;
                    });
            open.add(again);
            System.out.printf("HostileStreamsIT: a closed stream's slot was free again after %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt));
            health.assertAnsweredWithin(Duration.ofSeconds(1));
        } finally {
            open.forEach(SseStream::close);
        }
    }

    /**
     * Reads {@code stream} to its end: no change at or after {@code revoked} may have come, and the last
     * message must be {@code revoked}, a problem saying why.
     */
    private static void assertEndedAtRevoke(String what, SseStream stream, long revoked) {
        List<SseStream.Message> messages = new ArrayList<>();
        long deadline = System.nanoTime() + END_DEADLINE.toNanos();
        SseStream.Message message = null;
        while (System.nanoTime() < deadline) {
            try {
                message = stream.poll(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            if (message == null || message == SseStream.END) {
                break;
            }
            messages.add(message);
        }
        assertThat(messages).as("%s: changes delivered at or after the revoke's revision %d", what, revoked)
                .filteredOn(delivered -> delivered.event().equals("change"))
                .allSatisfy(change -> assertThat(change.revision()).isLessThan(revoked));
        assertThat(message).as("%s: the stream ended within %s (messages: %s)", what, END_DEADLINE, messages)
                .isEqualTo(SseStream.END);
        assertThat(messages).as("%s: the messages", what).isNotEmpty();
        SseStream.Message last = messages.get(messages.size() - 1);
        assertThat(last.event()).as("%s: the final message", what).isEqualTo("revoked");
        JsonNode problem = last.json();
        assertThat(problem.path("type").asString()).isEqualTo("urn:muster:problem:unauthorized");
        assertThat(problem.path("status").asInt()).isEqualTo(401);
        assertThat(problem.path("detail").asString()).contains("revoked");
    }

    private static void assertUnauthorized(String what, Http.Response response) {
        assertThat(response.status()).as("%s: %s", what, response).isEqualTo(401);
        assertThat(response.header("Content-Type")).as(what).startsWith("application/problem+json");
        assertThat(response.json().path("type").asString()).as(what).isEqualTo("urn:muster:problem:unauthorized");
    }

    private static double requestsWaiting(TestNode node) {
        Gauge gauge = node.bean(MeterRegistry.class).find("muster.wait.requests").gauge();
        return gauge == null ? 0 : gauge.value();
    }

    private static double longPollsWaiting(TestNode node) {
        Gauge gauge = node.bean(MeterRegistry.class).find("muster.watch.long-polls").gauge();
        return gauge == null ? 0 : gauge.value();
    }

    private static void registerInstance(TestNode node, String id) {
        Http.Response registered = Http.send(Http.request(node.url("/v1/services/hs-svc/instances/" + id),
                "Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"address\": \"10.9.0.1\", \"port\": 80}")));
        assertThat(registered.status()).as(registered.toString()).isIn(200, 201);
    }

    /** Creates a token and waits until every node has applied it; returns its secret. */
    private static String createToken(String name, String role) {
        Http.Response created = Http.post(cluster.awaitLeader().url("/v1/auth/tokens"), "{\"name\":\"" + name
                + "\",\"roles\":[\"" + role + "\"]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        cluster.awaitApplied(created.revision());
        return created.json().path("secret").asString();
    }
}
