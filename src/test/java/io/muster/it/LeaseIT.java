package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
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
 * Leases on a real three-node cluster: keep-alives sent to a follower keep a lease and its keys alive
 * without adding a single entry to the Raft log, and the follower's list of leases shows the leader's
 * time left without resetting it; a lease whose keep-alives stop ends no earlier than
 * its TTL and no later than TTL plus slack, deleting its keys; a lease kept alive survives its leader
 * being stopped; and bad requests name what was wrong and propose nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeaseIT {

    private static final Duration TTL = Duration.ofSeconds(2);
    /**
     * The TTL of leases that must outlive the set-up before their first keep-alive (waits for the log,
     * a leader's graceful stop), which can take more than two seconds on a busy machine.
     */
    private static final Duration KEPT_TTL = Duration.ofSeconds(6);
    /** The documented slack (check interval plus one commit) with room for a slow machine and polling. */
    private static final Duration SLACK = Duration.ofSeconds(3);
    private static final Duration BEAT = Duration.ofMillis(400);

    @TempDir
    static Path root;
    static TestCluster cluster;
    /** The node test 3 stopped and restarted; later tests talk to the others (see the note in test 3). */
    static TestNode restarted;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(3, root, Map.of("muster.lease.min-ttl", "2s", "muster.lease.check-interval", "100ms"));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    @Order(1)
    void keepAlivesThroughAFollowerKeepALeaseAliveWithoutWritingToTheLog() {
        TestNode follower = cluster.followers().get(0);
        long lease = grant(follower, KEPT_TTL);
        assertThat(Http.put(follower.url("/v1/kv/svc/web/1?lease=" + lease), "10.0.0.1:80").status()).isEqualTo(201);
        long before = cluster.settledCommitIndex();
        TestNode leader = cluster.awaitLeader();

        long end = System.nanoTime() + TTL.multipliedBy(3).toNanos();
        int beats = 0;
        while (System.nanoTime() < end) {
            Http.Response alive = Http.post(follower.url("/v1/leases/" + lease + "/keepalive"), "");
            assertThat(alive.status()).as(alive.toString()).isEqualTo(200);
            assertThat(alive.json().path("remainingMillis").asLong()).isBetween(KEPT_TTL.toMillis() - 500,
                    KEPT_TTL.toMillis());
            beats++;
            pause(BEAT);
        }

        // The list, through the follower: one trip to the leader for the page's times, which resets no timer.
        JsonNode listed = listed(follower, lease);
        long listedRemaining = listed.path("remainingMillis").asLong();
        assertThat(listed.path("keys").asInt()).isEqualTo(1);
        assertThat(listed.path("instances").asInt()).isZero();
        assertThat(listed.path("ttlSeconds").asLong()).isEqualTo(KEPT_TTL.toSeconds());
        assertThat(listedRemaining).isBetween(1L, KEPT_TTL.toMillis());
        Waits.until("the listed time left to run down", SLACK, () ->
                listed(follower, lease).path("remainingMillis").asLong() < listedRemaining - 500 ? true : null);

        assertThat(beats).isGreaterThanOrEqualTo(10);
        assertThat(leader.commandsAppliedAfter(before)).as("commands added by %d keep-alives and the lists", beats)
                .isEmpty();
        assertThat(Http.get(follower.url("/v1/kv/svc/web/1")).status()).isEqualTo(200);
        Http.Response read = Http.get(cluster.node(3).url("/v1/leases/" + lease));
        assertThat(read.json().path("keys").toString()).isEqualTo("[\"svc/web/1\"]");
        assertThat(read.json().path("ttlSeconds").asLong()).isEqualTo(KEPT_TTL.toSeconds());
    }

    /** Lease {@code id} as {@code GET /v1/leases} on {@code node} lists it. */
    private static JsonNode listed(TestNode node, long id) {
        JsonNode page = Http.get(node.url("/v1/leases?limit=1&after=" + (id - 1))).json();
        JsonNode lease = page.path("leases").get(0);
        assertThat(lease.path("id").asLong()).as(page.toString()).isEqualTo(id);
        return lease;
    }

    @Test
    @Order(2)
    void aLeaseWithoutKeepAlivesEndsWithinItsTtlPlusSlackAndTakesItsKeys() {
        TestNode node = cluster.node(1);
        long lease = grant(node);
        Http.put(node.url("/v1/kv/svc/api/1?lease=" + lease), "a");
        Http.put(node.url("/v1/kv/svc/api/2?lease=" + lease), "b");
        Http.put(node.url("/v1/kv/svc/api/plain"), "stays");

        long lastBeat = System.nanoTime();
        assertThat(Http.post(node.url("/v1/leases/" + lease + "/keepalive"), "").status()).isEqualTo(200);
        long gone = Waits.until("the lease's keys to go", TTL.plus(SLACK).plusSeconds(2), () ->
                Http.get(node.url("/v1/kv/svc/api/2?consistency=stale")).status() == 404 ? System.nanoTime() : null);

        Duration lived = Duration.ofNanos(gone - lastBeat);
        assertThat(lived).as("time from the last keep-alive to the keys' deletion").isGreaterThanOrEqualTo(TTL)
                .isLessThanOrEqualTo(TTL.plus(SLACK));
        assertThat(Http.get(node.url("/v1/kv/svc/api/1")).status()).isEqualTo(404);
        assertThat(Http.get(node.url("/v1/kv/svc/api/plain")).status()).isEqualTo(200);
        assertThat(Http.get(node.url("/v1/leases/" + lease)).status()).isEqualTo(404);
        assertThat(Http.post(node.url("/v1/leases/" + lease + "/keepalive"), "").status()).isEqualTo(404);
    }

    @Test
    @Order(3)
    void aLeaseKeptAliveSurvivesItsLeaderStoppingAndTheNewLeaderExpiresItLater() {
        TestNode leader = cluster.awaitLeader();
        long lease = grant(leader, KEPT_TTL);
        Http.put(leader.url("/v1/kv/svc/db/1?lease=" + lease), "primary");
        TestNode survivor = cluster.followers().get(0);

        leader.stop();
        long end = System.nanoTime() + TTL.multipliedBy(3).toNanos();
        int answered = 0;
        while (System.nanoTime() < end) {
            if (Http.post(survivor.url("/v1/leases/" + lease + "/keepalive"), "").status() == 200) {
                answered++;
            }
            assertThat(Http.get(survivor.url("/v1/kv/svc/db/1?consistency=stale")).status())
                    .as("the key while its lease is kept alive across the leader change").isEqualTo(200);
            pause(BEAT);
        }
        assertThat(answered).as("keep-alives the new leader answered").isGreaterThan(5);
        assertThat(cluster.awaitLeader()).isNotSameAs(leader);

        Waits.until("the new leader to expire the lease", KEPT_TTL.plus(SLACK).plusSeconds(2), () ->
                Http.get(survivor.url("/v1/kv/svc/db/1?consistency=stale")).status() == 404 ? true : null);
        // A node restarted here was once seen, in a fresh-clone CI run, left behind by its leader in a Ratis
        // INCONSISTENCY loop (its reply's next index below the match index the leader kept for it); it then
        // failed linearizable reads. Recorded in the closing note of 2026-11-28 for the fault-injection
        // work; the following tests use the nodes that were not restarted.
        leader.start();
        restarted = leader;
        cluster.awaitLeader();
    }

    @Test
    @Order(4)
    void revokingALeaseDeletesItsKeysAtOnce() {
        TestNode node = notRestarted();
        long lease = grant(node);
        Http.put(node.url("/v1/kv/jobs/lock?lease=" + lease), "worker-7");

        Http.Response revoked = Http.delete(node.url("/v1/leases/" + lease));

        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        assertThat(revoked.json().path("deletedKeys").toString()).isEqualTo("[\"jobs/lock\"]");
        assertThat(Http.get(node.url("/v1/kv/jobs/lock")).status()).isEqualTo(404);
        Http.Response listed = Http.get(node.url("/v1/kv?prefix=jobs/"));
        assertThat(listed.json().path("items").size()).isZero();
        long kept = grant(node);
        Http.put(node.url("/v1/kv/jobs/kept?lease=" + kept), "x");
        cluster.assertViewsEqualStates("with leases and a bound key");
        assertThat(Http.post(node.url("/v1/query"), "{\"sql\": \"SELECT e.lease_id = l.lease_id FROM entries e JOIN leases l "
                + "ON l.lease_id = e.lease_id WHERE e.entry_key = 'jobs/kept'\"}").json().path("rows").toString())
                .isEqualTo("[[true]]");
        // Revoked now rather than left to expire, which would add an entry during the next test's count.
        assertThat(Http.delete(node.url("/v1/leases/" + kept)).status()).isEqualTo(200);
    }

    @Test
    @Order(5)
    void badLeaseRequestsNameWhatWasWrongAndProposeNothing() {
        TestNode node = notRestarted();
        long lease = grant(node);
        Http.delete(node.url("/v1/leases/" + lease));
        // Leases of earlier tests expiring now would add entries to the count below: wait until none is left.
        Waits.until("the earlier tests' leases to end", Duration.ofSeconds(30), () -> Http.post(
                cluster.awaitLeader().url("/v1/query"), "{\"sql\": \"SELECT COUNT(*) FROM leases\"}").json()
                .at("/rows/0/0").asLong() == 0 ? true : null);
        long before = cluster.settledCommitIndex();
        TestNode leader = cluster.awaitLeader();

        List<Http.Response> refused = List.of(
                Http.post(node.url("/v1/leases"), "{\"ttlSeconds\": 1}"),
                Http.post(node.url("/v1/leases"), "{}"),
                Http.post(node.url("/v1/leases"), "{\"ttlSeconds\": 99999999999}"),
                Http.post(node.url("/v1/leases/" + lease + "/keepalive"), ""),
                Http.delete(node.url("/v1/leases/" + lease)),
                Http.put(node.url("/v1/kv/orphan?lease=" + lease), "x"),
                Http.put(node.url("/v1/kv/orphan?lease=0"), "x"),
                Http.get(node.url("/v1/leases/" + lease)));

        assertThat(refused).extracting(Http.Response::status).containsExactly(400, 400, 400, 404, 404, 404, 400, 404);
        assertThat(refused).allSatisfy(response ->
                assertThat(response.header("Content-Type")).startsWith("application/problem+json"));
        assertThat(refused.get(0).json().path("field").asString()).isEqualTo("ttlSeconds");
        assertThat(refused.get(5).json().path("type").asString()).isEqualTo("urn:muster:problem:lease-not-found");
        assertThat(leader.commandsAppliedAfter(before)).as("commands proposed by refused requests").isEmpty();
    }

    private static TestNode notRestarted() {
        return cluster.nodes.stream().filter(node -> node != restarted).findFirst().orElseThrow();
    }

    private static long grant(TestNode node) {
        return grant(node, TTL);
    }

    private static long grant(TestNode node, Duration ttl) {
        Http.Response granted = Http.post(node.url("/v1/leases"), "{\"ttlSeconds\": " + ttl.toSeconds() + "}");
        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
        assertThat(granted.header("Location")).isEqualTo("/v1/leases/" + granted.json().path("id").asLong());
        return granted.json().path("id").asLong();
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
