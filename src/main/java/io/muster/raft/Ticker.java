package io.muster.raft;

import io.muster.support.DaemonThreads;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread running a periodic task with a fixed delay, for the components that start after
 * the Raft node and stop before it (the lease timers, the bootstrap token, the desired membership).
 * Their tasks may block on the cluster, so each gets its own thread rather than the node's
 * maintenance thread.
 *
 * <p>Thread-safe.
 */
public final class Ticker {

    private final String threadName;
    private volatile ScheduledExecutorService executor;

    public Ticker(String threadName) {
        this.threadName = threadName;
    }

    /** Runs {@code task} after {@code initialDelay}, then {@code period} after each run ends. */
    public void start(Duration initialDelay, Duration period, Runnable task) {
        ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named(threadName));
        started.scheduleWithFixedDelay(task, initialDelay.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        executor = started;
    }

    /** Interrupts the task and waits (up to 5 s) for the thread to end. */
    public void stop() {
        ScheduledExecutorService running = executor;
        executor = null;
        if (running != null) {
            running.shutdownNow();
            try {
                running.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean running() {
        return executor != null;
    }
}
