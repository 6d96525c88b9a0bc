package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.it.ProcessNode.Answer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node cut off from the rest of its cluster (real processes; a network partition where this machine
 * can make one, otherwise its two peers paused with SIGSTOP) refuses writes and linearizable reads at
 * once with 503 {@code leader-unreachable} once it has heard from no leader for longer than the
 * election timeout, ends its long polls and watch streams within the same bound, still answers stale
 * reads, and takes writes again once it hears from a leader.
 */
class MinorityIT {

    /** The figure: the 99th percentile of a refused request on an isolated node. */
    private static final long MAX_P99_MILLIS = 50;
    private static final int REQUESTS = 200;
    private static final Duration PROBE_TIMEOUT = Duration.ofMillis(100);
    private static final Duration REFUSAL_DEADLINE = Duration.ofSeconds(15);
    private static final HttpClient LONG_POLLS = HttpClient.newHttpClient();

    @TempDir
    Path root;
    private NetLab lab;
    private final List<ProcessNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(ProcessNode::kill);
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void anIsolatedNodeRefusesAtOnceAndEndsItsWaits() throws Exception {
        lab = NetLab.create(3);
        for (int slot = 1; slot <= 3; slot++) {
            nodes.add(new ProcessNode(lab, slot, root.resolve("m" + slot), Map.of()));
        }
        String peers = nodes.stream().map(ProcessNode::peerEntry).collect(Collectors.joining(","));
        for (ProcessNode node : nodes) {
            node.start(peers);
        }
        ProcessNode isolated = Waits.until("a follower that takes writes", TestCluster.DEADLINE, () -> {
            for (ProcessNode node : nodes) {
                var status = node.status();
                if (status != null && "FOLLOWER".equals(status.path("role").asText())
                        && node.send("PUT", "/v1/kv/m/warm", "w", "text/plain").status() == 200) {
                    return node;
                }
            }
            return null;
        });
        List<ProcessNode> others = nodes.stream().filter(node -> node != isolated).toList();
        long revision = isolated.get("/v1/cluster").path("appliedIndex").asLong();

        CompletableFuture<HttpResponse<String>> longPoll = LONG_POLLS.sendAsync(HttpRequest.newBuilder(
                        isolated.uri("/v1/kv/m/never?waitRevision=" + revision + "&wait=60s"))
                .header("Authorization", Http.bearer(TestNode.ADMIN_TOKEN)).timeout(Duration.ofSeconds(90)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        SseStream watch = SseStream.open(isolated.uri("/v1/watch?prefix=m/").toString());
        assertThat(watch.status()).isEqualTo(200);
        CompletableFuture<Long> pollAnswered = longPoll.thenApply(answer -> System.nanoTime());
        CompletableFuture<SseStream.Message> watchClosed = CompletableFuture.supplyAsync(
                () -> watch.next("closed", TestCluster.DEADLINE));
        CompletableFuture<Long> watchClosedAt = watchClosed.thenApply(message -> System.nanoTime());

        boolean partitioned = lab.partitions();
        long cutAt = System.nanoTime();
        if (partitioned) {
            lab.isolate(isolated.slot, others.stream().map(node -> node.slot).toList());
        } else {
            for (ProcessNode other : others) {
                other.pause();
            }
        }
        try {
            // Probes that give up after 100 ms: one that waits for a commit must not hide when refusals began.
            Answer refused = Waits.until("the isolated node refusing a write at once", REFUSAL_DEADLINE,
                    Duration.ofMillis(20), () -> {
                        Answer answer = isolated.send(PROBE_TIMEOUT, "PUT", "/v1/kv/m/during", "x", "text/plain");
                        return answer.status() == 503 && answer.body().contains("leader-unreachable") ? answer : null;
                    });
            double refusingAfter = seconds(cutAt);
            assertThat(refused.json().path("silentMillis").asLong()).isGreaterThan(1000); // election-timeout-max=1s
            assertThat(refused.json().path("lastLeader").asText()).isIn(others.stream().map(node -> node.id).toList());

            HttpResponse<String> polled = longPoll.get(REFUSAL_DEADLINE.toSeconds(), TimeUnit.SECONDS);
            double pollEndedAfter = (pollAnswered.get() - cutAt) / 1e9;
            assertThat(polled.statusCode()).isEqualTo(503);
            assertThat(polled.body()).contains("leader-unreachable");
            assertThat(polled.headers().firstValue("Retry-After")).isPresent();
            SseStream.Message closed = watchClosed.get(REFUSAL_DEADLINE.toSeconds(), TimeUnit.SECONDS);
            double watchEndedAfter = (watchClosedAt.get() - cutAt) / 1e9;
            assertThat(closed.data()).contains("no Raft leader");
            assertThat(watch.next(Duration.ofSeconds(5))).isEqualTo(SseStream.END);

            List<Long> writes = timed(() -> isolated.send("PUT", "/v1/kv/m/refused", "x", "text/plain"));
            List<Long> reads = timed(() -> isolated.send("GET", "/v1/kv/m/warm?consistency=linearizable", null, null));
            Answer stale = isolated.send("GET", "/v1/kv/m/warm?consistency=stale", null, null);
            assertThat(stale.status()).isEqualTo(200);

            long writeP99 = percentile(writes, 99);
            long readP99 = percentile(reads, 99);
            System.out.printf("minority figure (%s): refusing %.1f s after the cut; long poll answered 503 after "
                            + "%.1f s, watch closed after %.1f s; refused write p50 %d ms p99 %d ms, linearizable "
                            + "read p50 %d ms p99 %d ms (%d each; limit p99 %d ms)%n",
                    partitioned ? "network partition" : "peers paused", refusingAfter, pollEndedAfter,
                    watchEndedAfter, percentile(writes, 50), writeP99, percentile(reads, 50), readP99, REQUESTS,
                    MAX_P99_MILLIS);
            assertThat(writeP99).isLessThanOrEqualTo(MAX_P99_MILLIS);
            assertThat(readP99).isLessThanOrEqualTo(MAX_P99_MILLIS);
            // the waits end within a check period of the first refusal seen (both follow the same silence)
            assertThat(pollEndedAfter).isLessThanOrEqualTo(refusingAfter + 0.5);
            assertThat(watchEndedAfter).isLessThanOrEqualTo(refusingAfter + 0.5);
        } finally {
            if (partitioned) {
                lab.heal();
            } else {
                for (ProcessNode other : others) {
                    other.resume();
                }
            }
        }
        Waits.until("the node taking writes again", TestCluster.DEADLINE,
                () -> isolated.send("PUT", "/v1/kv/m/after", "y", "text/plain").status() == 200 ? true : null);
    }

    /** Sends {@link #REQUESTS} requests one after another; each must be refused at once. */
    private static List<Long> timed(java.util.function.Supplier<Answer> request) {
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            long started = System.nanoTime();
            Answer answer = request.get();
            millis.add((System.nanoTime() - started) / 1_000_000);
            assertThat(answer.status()).as(answer.body()).isEqualTo(503);
            assertThat(answer.body()).contains("leader-unreachable");
        }
        return millis;
    }

    private static long percentile(List<Long> values, int percentile) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1));
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }
}
