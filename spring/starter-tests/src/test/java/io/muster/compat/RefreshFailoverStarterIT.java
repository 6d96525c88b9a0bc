package io.muster.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.compat.starter.config.StarterConfigApplication;
import io.muster.compat.starter.config.StarterConfigApplication.Greeter;
import io.muster.spring.configdata.MusterConfigWatch;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The refresh watch survives the death of the node it reads (SPRING.md C-3): with three nodes in
 * {@code muster.client.url=a,b,c}, killing the node that holds the stream moves it to another
 * node within 3 s, and a change written while it was moving is applied, because the watch is
 * level-triggered: it tells the new node which version it has, and hears at once that it is old.
 */
class RefreshFailoverStarterIT {

    private static final String APP = "compat-client";
    private static MusterNodes muster;

    @BeforeAll
    static void start() throws Exception {
        muster = MusterNodes.start(3);
        muster.admin(1).put("config/" + APP + "/default", "application/yaml", "compat:\n  greeting: before\n");
    }

    @AfterAll
    static void stop() {
        if (muster != null) {
            muster.close();
        }
    }

    @Test
    void killingTheWatchedNodeMovesTheStreamAndAChangeMadeMeanwhileIsApplied() throws Exception {
        // The watch starts on the first URL: a follower, so that the write below needs no election and is
        // acknowledged while the stream is still away (its first reconnect waits 1.4 to 2.8 s).
        int leader = Integer.parseInt(muster.admin(1).leader().substring(1));
        int victim = leader % 3 + 1;
        String urls = muster.url(victim) + "," + muster.url(leader) + "," + muster.url(6 - victim - leader);
        try (ConfigurableApplicationContext app = StarterApps.start(StarterConfigApplication.class, APP,
                "spring.config.import=muster:", "muster.client.url=" + urls,
                "muster.client.token=" + MusterNodes.ADMIN_TOKEN, "muster.client.discovery.enabled=false",
                "muster.client.config.watch.refresh-jitter=100ms", "muster.client.config.watch.reconnect-delay=2800ms",
                "muster.client.config.watch.max-reconnect-delay=2800ms")) {
            MusterConfigWatch watch = app.getBean(MusterConfigWatch.class);
            URI watched = awaitNode(watch, null, Duration.ofSeconds(5));
            assertThat(watched.toString()).isEqualTo(muster.url(victim));

            long killed = System.nanoTime();
            muster.kill(victim);
            java.util.concurrent.CompletableFuture<Long> resumed = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    assertThat(awaitNode(watch, watched, Duration.ofSeconds(3))).isNotEqualTo(watched);
                    return System.nanoTime();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            muster.admin(leader).put("config/" + APP + "/default", "application/yaml", "compat:\n  greeting: after\n");
            long written = System.nanoTime();
            long resumedAt = resumed.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(resumedAt - killed)).as("the stream resumed on another node")
                    .isLessThanOrEqualTo(Duration.ofSeconds(3));
            assertThat(written).as("the change was acknowledged while the stream was away").isLessThan(resumedAt);

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!app.getBean(Greeter.class).greeting().equals("after")) {
                assertThat(System.nanoTime()).as("the change made during the move is applied").isLessThan(deadline);
                Thread.sleep(20); // polling interval of a wait that has a deadline
            }
        }
    }

    /** The node the watch reads once it is connected to one other than {@code not}. */
    private static URI awaitNode(MusterConfigWatch watch, URI not, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            URI node = watch.node();
            if (node != null && !node.equals(not)) {
                return node;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the watch was not connected to a node other than " + not + " within " + within);
            }
            Thread.sleep(10); // polling interval of a wait that has a deadline
        }
    }
}
