package io.muster.view;

import io.micrometer.core.instrument.Timer;
import io.muster.MusterProperties;
import io.muster.core.Applied;
import io.muster.replication.ReplicatedState;
import io.muster.support.DaemonThreads;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projector: takes the changes apply hands over and writes them into the view, on one thread.
 *
 * <p>Apply hands each change to {@link #applied} (a non-blocking offer to a bounded queue); the
 * projector writes them in log order, in batches of consecutive entries, each batch in one transaction
 * with the watermark. When the queue overflows, or the state is replaced (start-up, snapshot install),
 * it rebuilds the view from a copy of the state taken under the state's read lock, and skips queued
 * changes that copy already covers. Nothing is dropped without being recovered. When the database
 * fails ({@link ViewStatus#reportFailure}, whoever saw it), it moves to a fresh {@link ViewDatabase}
 * (the next generation) and rebuilds that.
 *
 * <p>Woken by a change, it waits {@code muster.view.batch-delay} before it writes: the changes that arrive
 * meanwhile join the batch, and the request threads that wait for a CPU right after apply (to answer the
 * write that was just applied) get it first. A reader that waits for a revision the view lacks ends the
 * wait at once ({@link ViewStatus#onAwait}), so the delay never holds up a {@code minRevision} read.
 *
 * <p>Thread-safe: {@link #applied} and {@link #replaced} may be called from any thread (apply's); the
 * rest runs on the projector thread it starts.
 */
final class Projector {

    private static final Logger log = LoggerFactory.getLogger(Projector.class);
    private static final int BATCH = 512;
    /** How often an idle projector checks that the database is still there. */
    private static final long IDLE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ReplicatedState state;
    private final MusterProperties properties;
    private final ViewStatus status;
    private final Timer lag;
    private final BlockingQueue<Projection.Event> queue;
    private final int auditRows;
    private final long batchDelayNanos;
    /** Generations of the database created so far (the first is the status's); the projector's own. */
    private int generations = 1;
    /** Failed attempts of the projector since its last rebuild; the projector's own. */
    private int consecutiveFailures;
    private volatile boolean rebuildNeeded = true;
    private volatile long rebuilds;
    private volatile long events;
    private volatile Thread thread;

    Projector(ReplicatedState state, MusterProperties properties, ViewStatus status, Timer lag) {
        this.state = state;
        this.properties = properties;
        this.status = status;
        this.lag = lag;
        this.queue = new ArrayBlockingQueue<>(properties.view().queueCapacity());
        this.auditRows = properties.view().auditRows();
        this.batchDelayNanos = properties.view().batchDelay().toNanos();
        status.onAwait(this::hurry);
    }

    // ---- fed by apply (never blocks) ----

    public void applied(Applied applied) {
        if (!rebuildNeeded && !queue.offer(new Projection.Event(applied, System.nanoTime()))) {
            rebuildNeeded = true; // the rebuild's copy of the state will include this change
        }
    }

    public void replaced(long revision) {
        rebuildNeeded = true;
    }

    /** A reader waits for a revision the view lacks: stop waiting for more changes and write. */
    private void hurry() {
        Thread projector = thread;
        if (projector != null) {
            LockSupport.unpark(projector);
        }
    }

    /** How many applied entries were written one batch at a time (not by rebuilding). */
    long events() {
        return events;
    }

    /** How many times the view was rebuilt from the state since this node started. */
    long rebuilds() {
        return rebuilds;
    }

    // ---- the projector thread ----

    void start() {
        Thread started = DaemonThreads.named("muster-view-projector").newThread(this::project);
        thread = started;
        started.start();
    }

    /** Stops the thread, waiting up to ten seconds for it. */
    void stop() {
        Thread running = thread;
        thread = null;
        if (running != null) {
            running.interrupt();
            try {
                running.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    boolean isRunning() {
        return thread != null;
    }

    private void project() {
        while (!Thread.currentThread().isInterrupted()) {
            ViewDatabase current = status.database();
            try {
                if (status.replaceNeeded()) {
                    current = replaceDatabase();
                }
                try (Projection projection = new Projection(current.admin(), auditRows)) {
                    follow(projection, current);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (SQLException | RuntimeException | OutOfMemoryError e) {
                // The view must not silently stop following: start over in a fresh database.
                log.error("the H2 view's projector failed; rebuilding the view into a fresh database", e);
                status.reportFailure(current, e.toString());
                pauseAfterRepeatedFailures();
            }
        }
    }

    /** Lets a failure that repeats (the state cannot be copied, say) cost a second per attempt, not a core. */
    private void pauseAfterRepeatedFailures() {
        if (++consecutiveFailures > 1) {
            try {
                Thread.sleep(1000); // a back-off between attempts, not a wait for a condition
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Replaces a failed database with the next generation, empty, to be rebuilt from the state. */
    private ViewDatabase replaceDatabase() {
        ViewDatabase fresh = ViewDatabase.create(properties.view(), properties.dataDir(), generations++);
        ViewDatabase old = status.replace(fresh);
        rebuildNeeded = true;
        old.close();
        log.info("the H2 view moved to a fresh database {}", fresh.url());
        return fresh;
    }

    /** Writes queued changes until interrupted, or until the database is reported failed. */
    private void follow(Projection projection, ViewDatabase current) throws InterruptedException, SQLException {
        List<Projection.Event> batch = new ArrayList<>(BATCH);
        long checkedAt = System.nanoTime();
        while (!Thread.currentThread().isInterrupted() && !status.replaceNeeded()) {
            if (rebuildNeeded) {
                rebuild(projection);
                continue;
            }
            Projection.Event first = queue.poll(100, TimeUnit.MILLISECONDS);
            if (first == null) {
                if (System.nanoTime() - checkedAt > IDLE_CHECK_NANOS) {
                    checkedAt = System.nanoTime();
                    if (!current.alive()) {
                        status.reportFailure(current, "the view's database no longer answers");
                    }
                }
                continue;
            }
            awaitBatch();
            batch.clear();
            batch.add(first);
            queue.drainTo(batch, BATCH - 1);
            write(projection, batch);
        }
    }

    /** Waits out the batch delay, unless the batch fills first or a reader waits for the view. */
    private void awaitBatch() {
        long deadline = System.nanoTime() + batchDelayNanos;
        for (long left = batchDelayNanos; left > 0 && !status.readersWaiting() && queue.size() < BATCH - 1
                && !Thread.currentThread().isInterrupted(); left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(this, left);
        }
    }

    /** Writes one batch of queued changes, leaving out those the view already reflects. */
    private void write(Projection projection, List<Projection.Event> batch) throws SQLException {
        long watermark = status.watermark();
        batch.removeIf(event -> event.revision() <= watermark);
        if (batch.isEmpty()) {
            return;
        }
        projection.apply(batch, watermark);
        status.advance(batch.get(batch.size() - 1).revision());
        long now = System.nanoTime();
        for (Projection.Event event : batch) {
            lag.record(now - event.appliedAtNanos(), TimeUnit.NANOSECONDS);
        }
        events += batch.size();
    }

    private void rebuild(Projection projection) throws SQLException {
        rebuildNeeded = false;
        queue.clear();
        Projection.StateCopy copy = state.read(store -> new Projection.StateCopy(store.revision(),
                List.copyOf(store.entries()), List.copyOf(store.leases()), List.copyOf(store.instances()),
                List.copyOf(store.locks()), List.copyOf(store.tokens()), List.copyOf(store.releases())));
        long started = System.nanoTime();
        projection.rebuild(copy);
        rebuilds++;
        consecutiveFailures = 0;
        status.rebuilt(copy.revision());
        log.info("H2 view rebuilt at revision {} ({} entries) in {} ms", copy.revision(), copy.entries().size(),
                (System.nanoTime() - started) / 1_000_000);
    }
}
