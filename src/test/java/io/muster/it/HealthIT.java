package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that health tells the truth about quorum (a node cut off from the majority turns not-ready
 * within two election timeouts while staying live, and ready again when the majority returns; its
 * cluster watch says DOWN within the same bound, and UP again), that
 * every API response says which revision, term and leader it came from, and that the Prometheus
 * endpoint serves text that promtool accepts and whose Raft series move when writes happen.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealthIT {

    /** TestNode's election-timeout-max. */
    private static final Duration ELECTION_TIMEOUT_MAX = Duration.ofSeconds(1);
    private static final File PROMTOOL = Stream.of("/usr/bin/promtool", "/usr/local/bin/promtool")
            .map(File::new).filter(File::canExecute).findFirst().orElse(new File("/usr/local/bin/promtool"));
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[^\"}]|\"(?:[^\"\\\\]|\\\\.)*\")*\\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)( [0-9]+)?");

    @TempDir
    static Path root;
    static TestCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(3, root, Map.of());
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    @Order(1)
    void everyNodeOfAHealthyClusterIsReadyAndLive() {
        for (TestNode node : cluster.running()) {
            Waits.until(node.id + " ready", TestCluster.DEADLINE,
                    () -> Http.get(node.url("/actuator/health/readiness")).status() == 200 ? true : null);
            assertThat(Http.get(node.url("/actuator/health/liveness")).status()).isEqualTo(200);
        }
        Http.Response health = Http.get(cluster.awaitLeader().url("/actuator/health"));
        assertThat(health.json().at("/components/raft/details/reachableVoters").asInt()).isEqualTo(3);
        assertThat(health.json().at("/components/raft/details/voters").asInt()).isEqualTo(3);
    }

    @Test
    @Order(2)
    void everyApiResponseNamesItsRevisionTermAndLeader() {
        TestNode leader = cluster.awaitLeader();
        TestNode follower = cluster.followers().get(0);
        Http.Response write = Http.put(follower.url("/v1/kv/headers/probe"), "v", "Content-Type", "text/plain");
        long revision = write.json().get("revision").asLong();
        assertThat(write.headers().allValues("X-Muster-Revision")).containsExactly(Long.toString(revision));
        for (Http.Response response : List.of(write, Http.get(follower.url("/v1/kv/headers/absent")),
                Http.get(follower.url("/v1/cluster")), Http.post(follower.url("/v1/txn"), "{\"bad\""))) {
            assertThat(response.header("X-Muster-Leader")).as(response.toString()).isEqualTo(leader.id);
            assertThat(Long.parseLong(response.header("X-Muster-Term"))).isEqualTo(leader.status().term());
            assertThat(response.headers().allValues("X-Muster-Revision")).hasSize(1);
        }
    }

    @Test
    @Order(3)
    void prometheusTextParsesAndTheRaftSeriesMoveWithWrites() {
        TestNode leader = cluster.awaitLeader();
        TestNode follower = cluster.followers().get(0);
        Map<String, Double> before = scrape(leader);
        Map<String, Double> followerBefore = scrape(follower);
        for (String name : List.of("muster_raft_term", "muster_raft_commit_index", "muster_raft_applied_index",
                "muster_raft_role{role=\"leader\"}", "muster_raft_elections_total", "muster_raft_leader_changes_total",
                "muster_raft_proposal_seconds_count", "muster_raft_apply_seconds_count", "muster_raft_apply_batch_count",
                "muster_raft_snapshot_seconds_count", "muster_raft_log_size_bytes", "muster_raft_proposals_pending",
                "muster_raft_follower_lag{member=\"" + cluster.followers().get(0).id + "\"}")) {
            assertThat(before).as("series " + name).containsKey(name);
        }
        assertThat(before.keySet()).as("Spring Boot's HTTP server timers")
                .anyMatch(name -> name.startsWith("http_server_requests_seconds_count{"));
        assertThat(before.get("muster_raft_role{role=\"leader\"}")).isEqualTo(1.0);

        for (int i = 0; i < 20; i++) {
            assertThat(Http.put(leader.url("/v1/kv/metrics/" + i), "v", "Content-Type", "text/plain").status() / 100)
                    .isEqualTo(2);
        }
        Waits.until("the gauges to reflect the writes", TestCluster.DEADLINE, () -> {
            Map<String, Double> after = scrape(leader);
            boolean moved = after.get("muster_raft_applied_index") >= before.get("muster_raft_applied_index") + 20
                    && after.get("muster_raft_commit_index") >= before.get("muster_raft_commit_index") + 20
                    && after.get("muster_raft_proposal_seconds_count") >= before.get("muster_raft_proposal_seconds_count") + 20
                    && after.get("muster_raft_apply_seconds_count") >= before.get("muster_raft_apply_seconds_count") + 20;
            return moved ? true : null;
        });
        Map<String, Double> onFollower = Waits.until("the follower to apply the writes", TestCluster.DEADLINE, () -> {
            Map<String, Double> now = scrape(follower);
            return now.get("muster_raft_apply_seconds_count") >= followerBefore.get("muster_raft_apply_seconds_count") + 20
                    ? now : null;
        });
        assertThat(onFollower.get("muster_raft_role{role=\"follower\"}")).isEqualTo(1.0);
        assertThat(onFollower.get("muster_raft_proposal_seconds_count")).as("writes proposed through the follower")
                .isEqualTo(followerBefore.get("muster_raft_proposal_seconds_count"));
    }

    /**
     * What Prometheus itself checks of an exposition (promtool check metrics): every family has HELP and
     * TYPE, names and units follow its conventions. Needs promtool (Debian's prometheus package);
     * without it the test is skipped, unless the tools are required (CI), when it fails.
     */
    @Test
    @Order(4)
    void prometheusTextPassesPromtool() throws Exception {
        if (!PROMTOOL.canExecute()) {
            assertThat(NetLab.toolsRequired()).as("promtool (scripts/test-tools.sh puts it in /usr/local/bin) is required").isFalse();
            Assumptions.abort("no " + PROMTOOL + " (apt-get install prometheus); skipping the promtool check");
        }
        for (TestNode node : cluster.running()) {
            Http.Response scraped = Http.get(node.url("/actuator/prometheus"));
            assertThat(scraped.status()).isEqualTo(200);
            Path exposition = Files.write(root.resolve(node.id + ".prom"), scraped.body());
            Process promtool = new ProcessBuilder(PROMTOOL.getPath(), "check", "metrics")
                    .redirectInput(exposition.toFile()).redirectErrorStream(true).start();
            String said = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
            assertThat(promtool.exitValue()).as(node.id + ": promtool check metrics said:\n" + said).isZero();
        }
    }

    @Test
    @Order(5)
    void onlyHealthInfoAndPrometheusAreExposed() {
        TestNode node = cluster.node(1);
        assertThat(Http.get(node.url("/actuator/info")).json().at("/muster/nodeId").asString()).isEqualTo(node.id);
        for (String hidden : List.of("/actuator/env", "/actuator/metrics", "/actuator/beans", "/actuator/shutdown")) {
            assertThat(Http.get(node.url(hidden)).status()).as(hidden).isEqualTo(404);
        }
    }

    @Test
    @Order(6)
    void aNodeCutOffFromTheMajorityTurnsNotReadyButStaysLiveAndRecovers() throws InterruptedException {
        TestNode survivor = cluster.node(1);
        List<TestNode> stopped = List.of(cluster.node(2), cluster.node(3));
        // The console's view of the same: the survivor's cluster watch says DOWN as soon as readiness does.
        SseStream watch = SseStream.open(survivor.url("/v1/cluster/watch"));
        assertThat(quorumOf(watch.next("status", TestCluster.DEADLINE))).isEqualTo("UP");
        stopped.forEach(TestNode::stop);
        long stoppedAt = System.nanoTime();
        Duration deadline = ELECTION_TIMEOUT_MAX.multipliedBy(2);
        // A leader's stop takes the survivor's leader away for a moment: only what comes after both stops counts.
        while (watch.poll(Duration.ZERO) != null) {
            continue;
        }
        CompletableFuture<Long> downAt = CompletableFuture.supplyAsync(() -> statusAt(watch, "DOWN", deadline.plusSeconds(5)));
        Http.Response notReady = Waits.until("the survivor not ready", deadline, () -> {
            Http.Response readiness = Http.get(survivor.url("/actuator/health/readiness"));
            return readiness.status() == 503 ? readiness : null;
        });
        long elapsedMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
        assertThat(elapsedMillis).isLessThanOrEqualTo(deadline.toMillis());
        assertThat(notReady.text()).contains("DOWN");
        assertThat(Http.get(survivor.url("/actuator/health/liveness")).status()).isEqualTo(200);
        long watchMillis = (downAt.join() - stoppedAt) / 1_000_000;
        System.out.printf("minority figure: not ready %d ms and the cluster watch's DOWN %d ms after the stop%n",
                elapsedMillis, watchMillis);
        assertThat(watchMillis).as("ms from the stop to the watch's DOWN").isLessThanOrEqualTo(deadline.toMillis());

        stopped.forEach(TestNode::start);
        for (TestNode node : cluster.running()) {
            Waits.until(node.id + " ready again", TestCluster.DEADLINE,
                    () -> Http.get(node.url("/actuator/health/readiness")).status() == 200 ? true : null);
        }
        statusAt(watch, "UP", TestCluster.DEADLINE);
        watch.close();
    }

    /** When the next {@code status} message whose quorum is {@code quorum} arrived (nanoTime); fails after {@code wait}. */
    private static long statusAt(SseStream watch, String quorum, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            SseStream.Message message = watch.next("status", Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            assertThat(message).as("the stream ended before quorum " + quorum).isNotSameAs(SseStream.END);
            if (quorumOf(message).equals(quorum)) {
                return System.nanoTime();
            }
        }
    }

    private static String quorumOf(SseStream.Message status) {
        return status.json().path("quorum").path("status").asString();
    }

    /** Parses Prometheus text exposition: every line is a comment, blank, or a sample. */
    private static Map<String, Double> scrape(TestNode node) {
        Http.Response response = Http.get(node.url("/actuator/prometheus"));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("text/plain");
        Map<String, Double> samples = new HashMap<>();
        for (String line : response.text().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            assertThat(sample.matches()).as("a Prometheus sample: " + line).isTrue();
            String labels = sample.group(2) == null ? "" : withoutApplicationTag(sample.group(2));
            samples.put(sample.group(1) + labels, Double.parseDouble(sample.group(3)
                    .replace("+Inf", "Infinity").replace("-Inf", "-Infinity")));
        }
        return samples;
    }

    /** Drops the common {@code application} tag, so series are named by their own labels. */
    private static String withoutApplicationTag(String labels) {
        String inner = labels.substring(1, labels.length() - 1).replaceAll("application=\"[^\"]*\",?", "");
        inner = inner.endsWith(",") ? inner.substring(0, inner.length() - 1) : inner;
        return inner.isEmpty() ? "" : "{" + inner + "}";
    }
}
