package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Asks a node's liveness and readiness endpoints every {@code interval} on a thread of its own while a
 * hostile test runs, and remembers the slowest answer (or the failure) of each: "no request took a
 * health endpoint past 1 s" is checked against what it saw, not sampled once at the end. Its own HTTP
 * client, so that the test's clients' pools cannot delay it. Stops after {@code maxDuration} at the
 * latest, so a test that forgets to close it leaves no loop behind.
 */
final class HealthProbe implements AutoCloseable {

    static final List<String> PATHS = List.of("/actuator/health/liveness", "/actuator/health/readiness");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final ConcurrentMap<String, Long> slowestMillis = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, String> failures = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<String> paths;
    private final Thread thread;
    private volatile long answers;

    private HealthProbe(TestNode node, List<String> paths, Duration interval, Duration maxDuration) {
        this.paths = paths;
        thread = new Thread(() -> probe(node, interval, maxDuration), "health-probe-" + node.id);
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts probing {@code node} every 100 ms, for at most 15 minutes. */
    static HealthProbe start(TestNode node) {
        return new HealthProbe(node, PATHS, Duration.ofMillis(100), Duration.ofMinutes(15));
    }

    /**
     * Starts probing liveness only, for a test in which readiness legitimately drops (a view being
     * rebuilt, a node cut off from the majority) while the process must stay live.
     */
    static HealthProbe liveness(TestNode node) {
        return new HealthProbe(node, PATHS.subList(0, 1), Duration.ofMillis(100), Duration.ofMinutes(15));
    }

    private void probe(TestNode node, Duration interval, Duration maxDuration) {
        long end = System.nanoTime() + maxDuration.toNanos();
        while (running.get() && System.nanoTime() < end) {
            for (String path : paths) {
                long start = System.nanoTime();
                try {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(node.url(path)))
                            .timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200) {
                        failures.putIfAbsent(path, response.statusCode() + " " + response.body());
                    }
                } catch (Exception e) {
                    failures.putIfAbsent(path, e.toString());
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                slowestMillis.merge(path, millis, Math::max);
                answers++;
            }
            try {
                Thread.sleep(interval.toMillis()); // the probe's pace, not a wait for a condition
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The slowest answer seen from {@code path}, in milliseconds. */
    long slowestMillis(String path) {
        return slowestMillis.getOrDefault(path, 0L);
    }

    /**
     * Fails unless every probe so far answered 200 within {@code limit} (and there were some): the
     * node stayed live (and, unless only liveness is probed, ready) the whole time.
     */
    void assertAnsweredWithin(Duration limit) {
        assertThat(answers).as("health probes answered").isPositive();
        assertThat(failures).as("health probes that did not answer 200").isEmpty();
        for (String path : paths) {
            assertThat(slowestMillis(path)).as("slowest answer of %s (ms)", path).isLessThanOrEqualTo(limit.toMillis());
        }
    }

    @Override
    public void close() {
        running.set(false);
        thread.interrupt();
        try {
            thread.join(TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
