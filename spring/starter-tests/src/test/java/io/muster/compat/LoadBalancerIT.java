package io.muster.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

/**
 * A {@code @LoadBalanced RestClient.Builder} in a stock application with the starter round-robins over
 * two registered targets, and a drained target gets no call one second after the drain (SPRING.md C-9:
 * no 35 s list cache); a target whose context closes is removed from Muster before its port stops
 * accepting connections, and no call fails meanwhile (C-7). One Muster node.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoadBalancerIT {

    private static final String TARGET = "compat-target";

    private static MusterNodes muster;
    private static MusterClient admin;
    private static ConfigurableApplicationContext targetA;
    private static ConfigurableApplicationContext targetB;
    private static ConfigurableApplicationContext caller;
    private static RestClient client;

    @BeforeAll
    static void start() throws Exception {
        muster = MusterNodes.start(1);
        admin = muster.admin(1);
        targetA = target("target-a");
        targetB = target("target-b");
        caller = DiscoveryApps.start(muster.url(1), "spring.application.name=compat-caller", "compat.name=caller");
        client = caller.getBean(RestClient.Builder.class).build();
    }

    private static ConfigurableApplicationContext target(String name) {
        return DiscoveryApps.start(muster.url(1), "spring.application.name=" + TARGET, "muster.client.instance.id=" + name,
                "compat.name=" + name);
    }

    @AfterAll
    static void stop() {
        for (ConfigurableApplicationContext app : new ConfigurableApplicationContext[] {caller, targetA, targetB}) {
            if (app != null && app.isActive()) {
                app.close();
            }
        }
        if (muster != null) {
            muster.close();
        }
    }

    @Test
    @Order(1)
    void roundRobinsOverBothTargetsAndADrainedOneGetsNoCallOneSecondLater() {
        StarterApps.await(Duration.ofSeconds(5), "both targets registered",
                () -> admin.instances(TARGET, "UP").size() == 2);
        List<String> answers = calls(10);
        assertThat(new HashSet<>(answers)).containsExactlyInAnyOrder("target-a", "target-b");
        for (int i = 1; i < answers.size(); i++) {
            assertThat(answers.get(i)).as("call %d after %s", i, answers.get(i - 1)).isNotEqualTo(answers.get(i - 1));
        }

        assertThat(StarterApps.call(targetA, "POST", "/actuator/serviceregistry", "{\"status\":\"OUT_OF_SERVICE\"}")
                .statusCode()).isEqualTo(200);
        long drained = System.nanoTime();
        // Keep calling through the second the drain may take to arrive; then no call may reach target-a.
        StarterApps.await(Duration.ofSeconds(2), "one second after the drain", () -> {
            calls(1);
            return System.nanoTime() - drained >= Duration.ofSeconds(1).toNanos();
        });
        assertThat(calls(20)).containsOnly("target-b");

        assertThat(StarterApps.call(targetA, "POST", "/actuator/serviceregistry", "{\"status\":\"UP\"}").statusCode())
                .isEqualTo(200);
        StarterApps.await(Duration.ofSeconds(2), "target-a back in rotation", () -> calls(2).contains("target-a"));
    }

    @Test
    @Order(2)
    void aClosingTargetLeavesMusterBeforeItsPortClosesAndNoCallFails() throws Exception {
        int portA = StarterApps.port(targetA);
        AtomicLong removedAt = new AtomicLong();
        HttpResponse<InputStream> watch = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                muster.url(1) + "/v1/watch?service=" + TARGET)).header("Authorization", "Bearer " + MusterNodes.ADMIN_TOKEN)
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(watch.statusCode()).isEqualTo(200);
        Thread watcher = daemon(() -> readUntilRemoved(watch.body(), removedAt));

        AtomicBoolean calling = new AtomicBoolean(true);
        AtomicInteger failures = new AtomicInteger();
        List<String> failuresSeen = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        Thread streamer = daemon(() -> {
            while (calling.get()) {
                try {
                    client.get().uri("http://" + TARGET + "/hello").retrieve().body(String.class);
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                    synchronized (failuresSeen) {
                        failuresSeen.add(e.toString());
                    }
                }
                calls.incrementAndGet();
            }
        });
        StarterApps.await(Duration.ofSeconds(5), "calls under way", () -> calls.get() > 20);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(targetA::close);
        AtomicLong closedAt = new AtomicLong();
        StarterApps.await(Duration.ofSeconds(30), "target-a's port closed", () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", portA), 200);
                return false;
            } catch (IOException refused) {
                closedAt.set(System.nanoTime());
                return true;
            }
        });
        int callsAtClose = calls.get();
        StarterApps.await(Duration.ofSeconds(5), "calls after the port closed", () -> calls.get() > callsAtClose + 20);
        calling.set(false);
        streamer.join(10_000);
        closing.get();
        watcher.interrupt();

        assertThat(removedAt.get()).as("the watch saw target-a removed").isNotZero();
        assertThat(removedAt.get()).as("removed from Muster before the port closed").isLessThan(closedAt.get());
        assertThat(failures.get()).as("failed calls: %s", failuresSeen).isZero();
    }

    /** Reads the watch's lines until a delete of target-a, noting when it came. */
    private static void readUntilRemoved(InputStream body, AtomicLong removedAt) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("data:") && line.contains("\"type\":\"delete\"") && line.contains(TARGET + "/target-a")) {
                    removedAt.set(System.nanoTime());
                    return;
                }
            }
        } catch (IOException e) {
            // the stream ends with the test
        }
    }

    private static List<String> calls(int count) {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            answers.add(client.get().uri("http://" + TARGET + "/hello").retrieve().body(String.class));
        }
        return answers;
    }

    private static Thread daemon(Runnable work) {
        Thread thread = new Thread(work, "compat-load-balancer-it");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
