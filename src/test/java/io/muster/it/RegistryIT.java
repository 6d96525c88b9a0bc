package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The service registry on a real three-node cluster: instances register, are found by status, zone,
 * tag and metadata on any node, drain and deregister; 300 heart-beating instances cost the log their
 * registrations only; an instance whose heartbeats stop disappears within its TTL plus slack and a
 * service watcher sees it expire; and the mass-expiry guard trips, shows in health, recovers when
 * heartbeats return, and lets go after its longest pause.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryIT {

    private static final Duration TTL = Duration.ofSeconds(2);
    private static final Duration SLACK = Duration.ofSeconds(3);
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path root;
    static TestCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(3, root, Map.of(
                "muster.lease.min-ttl", "2s",
                "muster.lease.check-interval", "100ms",
                "muster.lease.guard-window", "3s",
                "muster.lease.guard-max-pause", "6s"));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    @Order(1)
    void instancesAreRegisteredFoundByFiltersDrainedAndDeregistered() {
        TestNode node = cluster.node(1);
        Http.Response first = register(node, "payments", "pay-1", "{\"address\": \"10.0.0.1\", \"port\": 8443, "
                + "\"zone\": \"z1\", \"tags\": [\"canary\", \"v2\"], \"metadata\": {\"version\": \"2.4\"}, \"ttlSeconds\": 30}");
        register(node, "payments", "pay-2", "{\"address\": \"10.0.0.2\", \"port\": 8443, \"zone\": \"z2\", "
                + "\"tags\": [\"v2\"], \"metadata\": {\"version\": \"2.3\"}}");
        register(node, "payments", "pay-3", "{\"address\": \"10.0.0.3\", \"port\": 8443, \"zone\": \"z1\", "
                + "\"status\": \"STARTING\"}");
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        assertThat(first.json().path("leaseGranted").asBoolean()).isTrue();
        long lease = first.json().at("/instance/lease").asLong();
        assertThat(lease).isEqualTo(first.json().path("revision").asLong());

        TestNode other = cluster.node(3);
        assertThat(ids(Http.get(other.url("/v1/services/payments")))).containsExactly("pay-1", "pay-2");
        assertThat(ids(Http.get(other.url("/v1/services/payments?zone=z1")))).containsExactly("pay-1");
        assertThat(ids(Http.get(other.url("/v1/services/payments?tag=v2&tag=canary")))).containsExactly("pay-1");
        assertThat(ids(Http.get(other.url("/v1/services/payments?meta.version=2.3")))).containsExactly("pay-2");
        assertThat(ids(Http.get(other.url("/v1/services/payments?status=any")))).containsExactly("pay-1", "pay-2", "pay-3");
        assertThat(ids(Http.get(other.url("/v1/services/payments?status=starting&consistency=stale&minRevision="
                + first.revision())))).containsExactly("pay-3");

        Http.Response updated = register(node, "payments", "pay-1", "{\"address\": \"10.0.0.9\", \"port\": 9443}");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().at("/instance/lease").asLong()).as("an update keeps the lease").isEqualTo(lease);
        Http.Response drained = Http.send(Http.request(node.url("/v1/services/payments/instances/pay-2"),
                "Content-Type", "application/json").method("PATCH", HttpRequest.BodyPublishers.ofString(
                        "{\"status\": \"OUT_OF_SERVICE\"}")));
        assertThat(drained.status()).as(drained.toString()).isEqualTo(200);
        assertThat(ids(Http.get(other.url("/v1/services/payments")))).containsExactly("pay-1");

        cluster.assertViewsEqualStates("with instances, tags, metadata and a drained status");
        JsonNode fromView = Http.post(other.url("/v1/query"), "{\"sql\": \"SELECT s.instances, s.up, s.out_of_service, "
                + "(SELECT COUNT(*) FROM instance_tags t WHERE t.service = s.service) FROM services s "
                + "WHERE s.service = 'payments'\", \"minRevision\": " + drained.revision() + "}").json();
        assertThat(fromView.path("rows").toString()).as("pay-1's update gave it no tags").isEqualTo("[[3,1,1,1]]");
        JsonNode services = Http.get(other.url("/v1/services")).json().path("services");
        assertThat(services.get(0).path("name").asString()).isEqualTo("payments");
        assertThat(services.get(0).path("instances").asInt()).isEqualTo(3);
        assertThat(services.get(0).at("/byStatus/OUT_OF_SERVICE").asInt()).isEqualTo(1);

        List<Long> leases = new ArrayList<>();
        Http.get(other.url("/v1/services/payments?status=any")).json().path("instances")
                .forEach(instance -> leases.add(instance.path("lease").asLong()));
        for (String id : List.of("pay-1", "pay-2", "pay-3")) {
            assertThat(Http.delete(node.url("/v1/services/payments/instances/" + id)).json().path("removed").asBoolean())
                    .isTrue();
        }
        assertThat(ids(Http.get(other.url("/v1/services/payments?status=any")))).isEmpty();
        // A deregistered instance's lease lives on; end them now so that they expire inside no later count.
        leases.forEach(id -> assertThat(Http.delete(node.url("/v1/leases/" + id)).status()).isEqualTo(200));
    }

    @Test
    @Order(2)
    void heartbeatsCostTheLogNothingAndAnInstanceWithoutThemExpiresUnderAWatchersEyes() throws Exception {
        TestNode follower = cluster.followers().get(0);
        int instances = 300;
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            each(clients, instances, i -> register(follower, "fleet", "f-" + i, "{\"address\": \"10.1.0." + (i % 250)
                    + "\", \"port\": " + (1000 + i) + ", \"ttlSeconds\": 10}").status());
            long before = cluster.settledCommitIndex();
            TestNode leader = cluster.awaitLeader();
            long end = System.nanoTime() + TTL.multipliedBy(3).toNanos();
            while (System.nanoTime() < end) {
                List<Integer> beats = each(clients, instances, i -> Http.post(
                        follower.url("/v1/services/fleet/instances/f-" + i + "/heartbeat"), "").status());
                assertThat(beats).as("heartbeat answers").containsOnly(200);
            }
            assertThat(leader.commandsAppliedAfter(before)).as("commands added by heartbeats").isEmpty();
            assertThat(Http.get(follower.url("/v1/services/fleet")).json().path("instances").size()).isEqualTo(instances);
            cluster.assertViewsEqualStates("with 300 instances and their leases");

            each(clients, instances, i -> Http.delete(follower.url("/v1/services/fleet/instances/f-" + i)).status());
            try (SseStream watch = SseStream.open(follower.url("/v1/watch?service=fleet"))) {
                watch.next("progress", WAIT);
                register(follower, "fleet", "f-" + instances, "{\"address\": \"10.1.1.1\", \"port\": 80, \"ttlSeconds\": 2}");
                long lastBeat = System.nanoTime();
                Http.post(follower.url("/v1/services/fleet/instances/f-" + instances + "/heartbeat"), "");
                SseStream.Message expired = null;
                while (expired == null) {
                    SseStream.Message message = watch.next("change", TTL.plus(SLACK).plus(WAIT));
                    JsonNode event = message.json().at("/events/0");
                    if (event.path("type").asString().equals("expire")) {
                        expired = message;
                        assertThat(event.path("key").asString()).isEqualTo("fleet/f-" + instances);
                        assertThat(event.path("service").asString()).isEqualTo("fleet");
                    }
                }
                assertThat(Duration.ofNanos(System.nanoTime() - lastBeat)).isGreaterThanOrEqualTo(TTL)
                        .isLessThanOrEqualTo(TTL.plus(SLACK));
                assertThat(Http.post(follower.url("/v1/services/fleet/instances/f-" + instances + "/heartbeat"), "")
                        .status()).isEqualTo(404);
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    @Order(3)
    void theMassExpiryGuardTripsRecoversAndLetsGoAfterItsLongestPause() throws Exception {
        TestNode node = cluster.node(2);
        int instances = 20;
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            each(clients, instances, i -> register(node, "herd", "h-" + i, "{\"address\": \"10.2.0.1\", \"port\": "
                    + (2000 + i) + ", \"ttlSeconds\": 3}").status());

            // Every heartbeat stops at once: the guard holds the expiry back instead of emptying the service (a
            // first few overdue leases, under the share, may expire before it trips).
            Waits.until("the leases health to be DEGRADED", WAIT, () -> leasesHealth().equals("DEGRADED") ? true : null);
            List<String> held = ids(Http.get(node.url("/v1/services/herd")));
            assertThat(held).as("instances the guard held").hasSizeGreaterThanOrEqualTo(instances - 3);

            // Heartbeats return: the held leases revive and the guard lets go. Under its rule, instances still
            // overdue when the rest are back under the share (here at most 3 of 20) expire then.
            List<Integer> beats = each(clients, instances, i -> Http.post(
                    node.url("/v1/services/herd/instances/h-" + i + "/heartbeat"), "").status());
            Waits.until("the leases health to be UP", WAIT, () -> leasesHealth().equals("UP") ? true : null);
            List<String> alive = ids(Http.get(node.url("/v1/services/herd")));
            for (int i = 0; i < instances; i++) {
                if (beats.get(i) == 200) {
                    assertThat(alive).as("an instance whose heartbeat was answered").contains("h-" + i);
                }
            }
            assertThat(alive).as("held instances revived by their heartbeats").hasSizeGreaterThanOrEqualTo(held.size() - 3);

            // They stop for good: after the longest pause (6 s here) everything overdue expires.
            Waits.until("the guard to trip again", WAIT, () -> leasesHealth().equals("DEGRADED") ? true : null);
            Waits.until("the herd to expire after the longest pause", WAIT.plusSeconds(10), () ->
                    Http.get(node.url("/v1/services/herd?status=any")).json().path("instances").isEmpty() ? true : null);

            assertThat(leasesHealth()).isEqualTo("UP");
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    @Order(4)
    void badRegistryRequestsNameWhatWasWrongAndProposeNothing() {
        TestNode node = cluster.node(1);
        // Leases of earlier tests expiring now would add entries to the count below: wait until none is left.
        Waits.until("the earlier tests' leases to end", Duration.ofSeconds(30), () -> Http.post(
                cluster.awaitLeader().url("/v1/query"), "{\"sql\": \"SELECT COUNT(*) FROM leases\"}").json()
                .at("/rows/0/0").asLong() == 0 ? true : null);
        long before = cluster.settledCommitIndex();

        List<Http.Response> refused = List.of(
                register(node, "bad service", "x", "{\"address\": \"a\", \"port\": 1}"),
                register(node, "svc", "x", "{\"address\": \"a\", \"port\": 70000}"),
                register(node, "svc", "x", "{\"port\": 80}"),
                register(node, "svc", "x", "{\"address\": \"a\", \"port\": 80, \"ttlSeconds\": 1}"),
                register(node, "svc", "x", "{\"address\": \"a\", \"port\": 80, \"status\": \"HAPPY\"}"),
                register(node, "svc", "x", "{\"address\": \"a\", \"port\": 80, \"tags\": [\"a\", \"a\"]}"),
                register(node, "svc", "x", "{\"address\": \"a\", \"port\": 80, \"lease\": 99999999}"),
                Http.post(node.url("/v1/services/svc/instances/ghost/heartbeat"), ""),
                Http.send(Http.request(node.url("/v1/services/svc/instances/ghost"), "Content-Type", "application/json")
                        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"status\": \"DOWN\"}"))),
                Http.get(node.url("/v1/services/svc?status=sleepy")));

        assertThat(refused).extracting(Http.Response::status)
                .containsExactly(400, 400, 400, 400, 400, 400, 404, 404, 404, 400);
        assertThat(refused).allSatisfy(response ->
                assertThat(response.header("Content-Type")).startsWith("application/problem+json"));
        assertThat(refused.get(1).json().path("detail").asString()).contains("port");
        assertThat(refused.get(7).json().path("type").asString()).isEqualTo("urn:muster:problem:instance-not-found");
        assertThat(cluster.awaitLeader().commandsAppliedAfter(before)).as("commands proposed by refused requests")
                .isEmpty();
    }

    private static String leasesHealth() {
        TestNode leader = cluster.awaitLeader();
        return Http.get(leader.url("/actuator/health")).json().at("/components/leases/status").asString();
    }

    private static Http.Response register(TestNode node, String service, String id, String json) {
        return Http.send(Http.request(node.url("/v1/services/" + service.replace(" ", "%20") + "/instances/" + id),
                "Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static List<String> ids(Http.Response lookup) {
        assertThat(lookup.status()).as(lookup.toString()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        lookup.json().path("instances").forEach(instance -> ids.add(instance.path("id").asString()));
        return ids;
    }

    private interface Call {
        int run(int index);
    }

    /** Runs {@code call} for 0..count-1 on the client pool and returns the answers in order. */
    private static List<Integer> each(ExecutorService clients, int count, Call call) throws Exception {
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int index = i;
            answers.add(clients.submit(() -> call.run(index)));
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> answer : answers) {
            statuses.add(answer.get());
        }
        return statuses;
    }
}
