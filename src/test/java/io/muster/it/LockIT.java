package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
 * Locks and elections on a real three-node cluster. Eight clients contend for one lock through all
 * three nodes: no two of them ever hold it at once, fencing tokens strictly increase, and a holder
 * whose lease expired while it was paused has its late write refused by the fencing check of the
 * resource the lock protects. Elections elect one candidate at a time, pass leadership on in order,
 * and an observer sees every change.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LockIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path root;
    static TestCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(3, root, Map.of("muster.lease.min-ttl", "2s", "muster.lease.check-interval", "100ms"));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    /** The resource a lock protects: it remembers the largest token it saw and refuses smaller ones. */
    static final class FencedResource {
        private long largest;
        private final List<Long> accepted = new ArrayList<>();
        private int refused;

        synchronized boolean write(long token) {
            if (token < largest) {
                refused++;
                return false;
            }
            largest = token;
            accepted.add(token);
            return true;
        }
    }

    record Holding(long token, long from, long to) {
    }

    @Test
    @Order(1)
    void contendingClientsNeverOverlapTokensGrowAndAnExpiredHoldersLateWriteIsFenced() throws Exception {
        FencedResource resource = new FencedResource();
        List<Holding> holdings = Collections.synchronizedList(new ArrayList<>());

        // A holder that stops heart-beating and pauses (a long GC, a frozen VM) past its lease.
        TestNode first = cluster.node(1);
        long pausedLease = grant(first, 2);
        Http.Response taken = acquire(first, pausedLease, "paused", 0);
        assertThat(taken.status()).as(taken.toString()).isEqualTo(200);
        long pausedToken = taken.json().path("fencingToken").asLong();
        assertThat(resource.write(pausedToken)).isTrue();

        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<Integer>> rounds = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        for (int c = 0; c < 8; c++) {
            TestNode node = cluster.node(1 + c % 3);
            String holder = "client-" + c;
            rounds.add(clients.submit(() -> {
                long lease = grant(node, 20);
                int held = 0;
                while (System.nanoTime() < end) {
                    Http.Response got = acquire(node, lease, holder, 5);
                    if (got.status() != 200) {
                        continue;
                    }
                    long from = System.nanoTime();
                    long token = got.json().path("fencingToken").asLong();
                    assertThat(resource.write(token)).as("a fresh holder's write").isTrue();
                    Thread.sleep(5);
                    long to = System.nanoTime();
                    holdings.add(new Holding(token, from, to));
                    Http.Response released = Http.delete(node.url("/v1/locks/jobs/critical?token=" + token));
                    assertThat(released.status()).as(released.toString()).isEqualTo(200);
                    held++;
                }
                return held;
            }));
        }
        int total = 0;
        for (Future<Integer> round : rounds) {
            total += round.get();
        }
        clients.shutdown();

        // The paused holder wakes up and writes with the token it still believes in.
        assertThat(resource.write(pausedToken)).as("the expired holder's late write").isFalse();
        assertThat(resource.refused).isEqualTo(1);
        assertThat(total).isGreaterThan(8);
        assertThat(resource.accepted).as("tokens in the order the resource saw them").isSorted().doesNotHaveDuplicates();
        List<Holding> byStart = new ArrayList<>(holdings);
        byStart.sort((a, b) -> Long.compare(a.from(), b.from()));
        for (int i = 1; i < byStart.size(); i++) {
            assertThat(byStart.get(i).from()).as("holding %d began before holding %d ended", i, i - 1)
                    .isGreaterThan(byStart.get(i - 1).to());
            assertThat(byStart.get(i).token()).isGreaterThan(byStart.get(i - 1).token());
        }
        assertThat(Http.get(first.url("/v1/locks/jobs/critical")).status()).isEqualTo(404);
        cluster.assertViewsEqualStates("after the contention");
    }

    @Test
    @Order(2)
    void anElectionHasOneLeaderAtATimeAndObserversSeeItChangeHands() {
        TestNode node = cluster.node(2);
        long a = grant(node, 20);
        long b = grant(node, 20);
        try (SseStream observer = SseStream.open(cluster.node(3).url("/v1/elections/scheduler/observe"))) {
            observer.next("progress", WAIT);
            Http.Response elected = campaign(node, a, "scheduler-a", 0);
            assertThat(elected.status()).as(elected.toString()).isEqualTo(200);
            long termA = elected.json().path("term").asLong();
            Http.Response refused = campaign(node, b, "scheduler-b", 0);
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.json().path("type").asString()).isEqualTo("urn:muster:problem:not-elected");
            assertThat(refused.json().path("leader").asString()).isEqualTo("scheduler-a");

            Http.Response leader = Http.get(cluster.node(1).url("/v1/elections/scheduler/leader"));
            assertThat(leader.json().path("leader").asString()).isEqualTo("scheduler-a");

            // b waits; a's lease is revoked (its process died): b leads, with a larger term.
            Thread waiting = new Thread(() -> Http.post(node.url("/v1/elections/scheduler/campaign"),
                    "{\"leaseId\": " + b + ", \"candidate\": \"scheduler-b\", \"waitSeconds\": 15}"));
            waiting.start();
            Waits.until("b to queue", WAIT, () -> Http.get(node.url("/v1/elections/scheduler/leader")).json()
                    .path("candidatesWaiting").asInt() == 1 ? true : null);
            cluster.assertViewsEqualStates("with a leader and a waiting candidate");
            JsonNode queue = Http.post(node.url("/v1/query"), "{\"sql\": \"SELECT l.holder, w.holder FROM locks l "
                    + "JOIN lock_waiters w ON w.lock_name = l.lock_name WHERE l.lock_name = 'elections/scheduler'\"}")
                    .json();
            assertThat(queue.path("rows").toString()).isEqualTo("[[\"scheduler-a\",\"scheduler-b\"]]");
            Http.delete(node.url("/v1/leases/" + a));
            Http.Response next = Waits.until("b to lead", WAIT, () -> {
                Http.Response now = Http.get(node.url("/v1/elections/scheduler/leader"));
                return now.status() == 200 && now.json().path("leader").asString().equals("scheduler-b") ? now : null;
            });
            assertThat(next.json().path("term").asLong()).isGreaterThan(termA);

            // Every change to the election (its leader or its queue) reaches the observer with the leader.
            List<String> leaders = new ArrayList<>();
            while (!leaders.contains("scheduler-b")) {
                String holder = observer.next("change", WAIT).json().at("/events/0/lock/holder").asString("");
                if (leaders.isEmpty() || !leaders.get(leaders.size() - 1).equals(holder)) {
                    leaders.add(holder);
                }
            }
            assertThat(leaders).as("leaders the observer saw, in turn").containsExactly("scheduler-a", "scheduler-b");

            Http.Response resigned = Http.post(node.url("/v1/elections/scheduler/resign"),
                    "{\"term\": " + next.json().path("term").asLong() + "}");
            assertThat(resigned.status()).as(resigned.toString()).isEqualTo(200);
            assertThat(Http.get(node.url("/v1/elections/scheduler/leader")).status()).isEqualTo(404);
        }
    }

    @Test
    @Order(3)
    void badLockRequestsAreProblems() {
        TestNode node = cluster.node(1);
        long lease = grant(node, 20);
        List<Http.Response> refused = List.of(
                Http.post(node.url("/v1/locks/a"), "{\"holder\": \"x\"}"),
                Http.post(node.url("/v1/locks/a"), "{\"leaseId\": " + lease + ", \"holder\": \"bad holder\"}"),
                Http.post(node.url("/v1/locks/a"), "{\"leaseId\": " + lease + ", \"holder\": \"x\", \"waitSeconds\": 9999}"),
                Http.post(node.url("/v1/locks/a"), "{\"leaseId\": 99999999, \"holder\": \"x\"}"),
                Http.delete(node.url("/v1/locks/a?token=12345")),
                Http.get(node.url("/v1/locks/a")));

        assertThat(refused).extracting(Http.Response::status).containsExactly(400, 400, 400, 404, 409, 404);
        assertThat(refused).allSatisfy(response ->
                assertThat(response.header("Content-Type")).startsWith("application/problem+json"));
    }

    private static long grant(TestNode node, int ttlSeconds) {
        Http.Response granted = Http.post(node.url("/v1/leases"), "{\"ttlSeconds\": " + ttlSeconds + "}");
        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
        return granted.json().path("id").asLong();
    }

    private static Http.Response acquire(TestNode node, long lease, String holder, int waitSeconds) {
        return Http.post(node.url("/v1/locks/jobs/critical"), "{\"leaseId\": " + lease + ", \"holder\": \"" + holder
                + "\", \"waitSeconds\": " + waitSeconds + "}");
    }

    private static Http.Response campaign(TestNode node, long lease, String candidate, int waitSeconds) {
        return Http.post(node.url("/v1/elections/scheduler/campaign"), "{\"leaseId\": " + lease + ", \"candidate\": \""
                + candidate + "\", \"waitSeconds\": " + waitSeconds + "}");
    }
}
