package io.muster.support;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The lifecycle of a background duty: a component that, while the node runs, does one piece of work
 * on a daemon thread of its own every {@code period} (the lease expiry check, the bootstrap token, the
 * desired membership). Its work may block on the cluster, so each duty gets its own thread. The duty
 * itself decides, on each run, whether it has anything to do (most act only while this node leads);
 * a run that fails is reported through {@link #failed} and the next run tries again.
 *
 * <p>Subclasses pass the lifecycle phase they start in (after the Raft node, so that they stop
 * before it) and implement {@link #runOnce}. Thread-safe.
 */
public abstract class PeriodicDuty implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PeriodicDuty.class);
    /** How long {@link #stop} waits for a run in progress to notice its interruption. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final String threadName;
    private final int phase;
    private final Duration initialDelay;
    private final Duration period;
    private volatile ScheduledExecutorService executor;
    /** The condition {@link #reportOnChange} logged last (the duty's thread only). */
    private String lastReport = "";

    /**
     * @param threadName   the name of the duty's thread
     * @param phase        the {@link SmartLifecycle} phase to start in
     * @param initialDelay how long after {@link #start} the first run begins
     * @param period       how long after one run ends the next begins
     */
    protected PeriodicDuty(String threadName, int phase, Duration initialDelay, Duration period) {
        this.threadName = threadName;
        this.phase = phase;
        this.initialDelay = initialDelay;
        this.period = period;
    }

    /** One run of the duty, on the duty's thread. */
    protected abstract void runOnce();

    /** Whether this node has the duty at all (decided once, at {@link #start}); by default it has. */
    protected boolean wanted() {
        return true;
    }

    /** A run ended with {@code failure}; the next run comes a {@code period} later. Logs it by default. */
    protected void failed(RuntimeException failure) {
        log.warn("{} failed; trying again in {}", threadName, period, failure);
    }

    /**
     * Logs {@code condition} at INFO, under the duty's own class, unless it is the condition logged last:
     * a duty that finds the same state every run says so once, and again only when it changes.
     * Called on the duty's thread.
     */
    protected final void reportOnChange(String condition) {
        if (!condition.equals(lastReport)) {
            lastReport = condition;
            LoggerFactory.getLogger(getClass()).info(condition);
        }
    }

    protected final Duration period() {
        return period;
    }

    @Override
    public void start() {
        if (!wanted()) {
            return;
        }
        ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named(threadName));
        started.scheduleWithFixedDelay(this::runQuietly, initialDelay.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS);
        executor = started;
    }

    /** A task that throws is never run again by its executor: every failure stops here. */
    private void runQuietly() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** Interrupts a run in progress and waits (up to 5 s) for the thread to end. */
    @Override
    public void stop() {
        ScheduledExecutorService running = executor;
        executor = null;
        if (running != null) {
            running.shutdownNow();
            try {
                running.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }

    @Override
    public int getPhase() {
        return phase;
    }
}
