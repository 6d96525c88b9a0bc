package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many clients at once on a real three-node cluster, reading linearizably (through shared read
 * barriers) and writing: compare-and-set increments of one counter lose no update, and writes to
 * distinct keys all land with their own values.
 */
class ConcurrencyIT {

    // 48 clients on two cores: the load under which, on 2026-11-28, a follower was twice seen stuck in a
    // Ratis INCONSISTENCY loop (docs/testing.md). Ratis' follower reasons are logged at INFO, so a
    // recurrence explains itself in the test output.
    private static final int COUNTER_CLIENTS = 16;
    private static final int INCREMENTS_EACH = 10;
    private static final int WRITER_CLIENTS = 32;
    private static final int WRITES_EACH = 20;

    @TempDir
    Path root;

    @Test
    void concurrentCompareAndSetLosesNoUpdateAndDistinctWritesAllLand() throws Exception {
        try (TestCluster cluster = TestCluster.start(3, root, Map.of("logging.level.org.apache.ratis.server.impl.RaftServerImpl", "INFO"))) {
            TestNode leader = cluster.awaitLeader();
            assertThat(Http.put(leader.url("/v1/kv/counter"), "0", "Content-Type", "text/plain").status()).isEqualTo(201);
            ExecutorService clients = Executors.newFixedThreadPool(COUNTER_CLIENTS + WRITER_CLIENTS);
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int c = 0; c < COUNTER_CLIENTS; c++) {
                    TestNode node = cluster.nodes.get(c % 3);
                    running.add(clients.submit(() -> increment(node, cluster.nodes, INCREMENTS_EACH)));
                }
                for (int w = 0; w < WRITER_CLIENTS; w++) {
                    int writer = w;
                    running.add(clients.submit(() -> writeDistinct(leader, writer)));
                }
                for (Future<?> client : running) {
                    client.get(120, TimeUnit.SECONDS);
                }
            } finally {
                clients.shutdownNow();
            }

            assertThat(Http.get(leader.url("/v1/kv/counter")).text())
                    .isEqualTo(String.valueOf(COUNTER_CLIENTS * INCREMENTS_EACH));
            Http.Response page = Http.get(cluster.node(2).url("/v1/kv?prefix=distinct/&limit=1000"));
            assertThat(page.json().path("items").size()).isEqualTo(WRITER_CLIENTS * WRITES_EACH);
            page.json().path("items").forEach(item ->
                    assertThat(item.path("value").asString()).isEqualTo(item.path("key").asString()));
            assertThat(cluster.convergedDigests().stream().distinct()).hasSize(1);
        }
    }

    /** Read, add one, write back only if nobody wrote in between; retry on 412. */
    private static void increment(TestNode node, List<TestNode> nodes, int times) {
        int done = 0;
        while (done < times) {
            Http.Response read = readCounter(node, nodes);
            long next = Long.parseLong(read.text()) + 1;
            Http.Response write = Http.put(node.url("/v1/kv/counter"), Long.toString(next),
                    "Content-Type", "text/plain", "If-Match", read.header("ETag"));
            assertThat(write.status()).as(write.toString()).isIn(200, 412);
            if (write.status() == 200) {
                done++;
            }
        }
    }

    /**
     * A linearizable read of the counter, as a client would make it. Two cores running three nodes and
     * 48 clients can keep a read barrier waiting past the read timeout; the answer is then 503
     * read-unavailable, which a client retries, on the next node (a fresh-clone CI run once saw one
     * follower unable to pass read barriers for 16 s under this load: its leader looped on INCONSISTENCY
     * replies, see the closing note of 2026-11-28). None of this says anything about lost updates, which
     * is what this test is about; it is bounded by a deadline.
     */
    private static Http.Response readCounter(TestNode node, List<TestNode> nodes) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        TestNode target = node;
        while (true) {
            Http.Response read = Http.get(target.url("/v1/kv/counter"));
            if (read.status() == 200 || System.nanoTime() > deadline) {
                assertThat(read.status()).as(read.toString()).isEqualTo(200);
                return read;
            }
            assertThat(read.json().path("type").asString()).as(read.toString())
                    .isEqualTo("urn:muster:problem:read-unavailable");
            target = nodes.get((nodes.indexOf(target) + 1) % nodes.size());
        }
    }

    private static void writeDistinct(TestNode node, int writer) {
        for (int i = 0; i < WRITES_EACH; i++) {
            String key = "distinct/" + writer + "/" + i;
            Http.Response write = Http.put(node.url("/v1/kv/" + key), key, "Content-Type", "text/plain");
            assertThat(write.status()).as(write.toString()).isEqualTo(201);
        }
    }
}
