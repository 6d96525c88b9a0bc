package io.muster.it;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A client writing one key after another, as a platform team's deploy tooling would, while a test
 * changes the cluster under it. A failed write is retried once on the next node; a write that fails
 * twice is counted. Bounded in count and time.
 */
final class SteadyWriter implements AutoCloseable {

    private static final int MAX_WRITES = 20_000;
    private static final Duration MAX_TIME = Duration.ofSeconds(120);

    private final Supplier<List<TestNode>> targets;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final AtomicInteger retried = new AtomicInteger();
    private final AtomicInteger failedTwice = new AtomicInteger();
    private final StringBuffer failures = new StringBuffer();
    private final Thread thread;
    private volatile String lastKey;
    private volatile String lastValue;

    /** Writes through the nodes {@code targets} answers at each write, round robin. */
    SteadyWriter(Supplier<List<TestNode>> targets) {
        this.targets = targets;
        this.thread = new Thread(this::run, "steady-writer");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long end = System.nanoTime() + MAX_TIME.toNanos();
        for (int i = 0; i < MAX_WRITES && running.get() && System.nanoTime() < end; i++) {
            String key = "load/" + i;
            String value = "value-" + i;
            List<TestNode> nodes = targets.get();
            Http.Response first = attempt(nodes.get(i % nodes.size()), key, value);
            if (first != null && first.status() / 100 == 2) {
                acknowledge(key, value);
                continue;
            }
            retried.incrementAndGet();
            Http.Response second = attempt(nodes.get((i + 1) % nodes.size()), key, value);
            if (second != null && second.status() / 100 == 2) {
                acknowledge(key, value);
            } else {
                failedTwice.incrementAndGet();
                failures.append(key).append(": ").append(first).append(" then ").append(second).append('\n');
            }
        }
    }

    private static Http.Response attempt(TestNode node, String key, String value) {
        try {
            return Http.put(node.url("/v1/kv/" + key), value, "Content-Type", "text/plain");
        } catch (RuntimeException e) {
            return null; // connection refused while the node stops: the retry goes elsewhere
        }
    }

    private void acknowledge(String key, String value) {
        lastKey = key;
        lastValue = value;
        acknowledged.incrementAndGet();
    }

    /** Waits until at least {@code count} more writes were acknowledged than now. */
    void awaitProgress(int count) {
        int target = acknowledged.get() + count;
        Waits.until(count + " more acknowledged writes", TestCluster.DEADLINE,
                () -> acknowledged.get() >= target || !thread.isAlive() ? true : null);
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(TestCluster.DEADLINE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    int acknowledged() {
        return acknowledged.get();
    }

    int retried() {
        return retried.get();
    }

    int failedTwice() {
        return failedTwice.get();
    }

    String failures() {
        return failures.toString();
    }

    String lastKey() {
        return lastKey;
    }

    String lastValue() {
        return lastValue;
    }
}
