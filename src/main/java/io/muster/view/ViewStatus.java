package io.muster.view;

import io.muster.replication.AppliedIndex;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the view stands: its current database, whether that database failed, and the watermark (the
 * revision the view reflects). The projector moves it (a batch written, a rebuild done, a fresh database
 * swapped in); readers, operators' queries and the health check report a failed database to it. A
 * failure is counted once per database: a fresh database that fails while it is rebuilt is replaced
 * again without counting twice.
 *
 * <p>Thread-safe: the projector is the only writer of the database and the watermark, anyone may report
 * a failure; the three change together under one monitor.
 */
final class ViewStatus {

    private static final Logger log = LoggerFactory.getLogger(ViewStatus.class);

    private final Object monitor = new Object();
    private volatile ViewDatabase database;
    /** The database failed: readers are refused and health is OUT_OF_SERVICE until a fresh one is rebuilt. */
    private volatile boolean failed;
    /** The projector must replace the current database with a fresh one. */
    private volatile boolean replaceNeeded;
    private volatile long failures;
    private volatile long watermark = -1;
    /** The watermark again, for requests that wait for it without a thread (see {@link #reached}). */
    private final AppliedIndex projected = new AppliedIndex();
    /** Told when a reader starts to wait for a revision the view does not reflect yet (the projector hurries). */
    private volatile Runnable awaited = () -> { };
    /** Threads in {@link #await}; changed under the monitor. */
    private volatile int threadsWaiting;

    ViewStatus(ViewDatabase database) {
        this.database = database;
    }

    /** The current database, failed or not: for the projector, diagnostics and shutdown. */
    ViewDatabase database() {
        return database;
    }

    /**
     * The current database for a reader.
     *
     * @throws ViewUnavailableException when it failed and is not rebuilt yet
     */
    ViewDatabase available() {
        ViewDatabase current = database;
        if (failed) {
            throw new ViewUnavailableException("this node's view failed and is being rebuilt from the state; retry "
                    + "shortly or ask another node");
        }
        return current;
    }

    /** The revision the view reflects: every change up to it is in the tables, none after it. */
    long watermark() {
        return watermark;
    }

    boolean failed() {
        return failed;
    }

    long failures() {
        return failures;
    }

    /** Whether the projector must move to a fresh database. */
    boolean replaceNeeded() {
        return replaceNeeded;
    }

    /**
     * Checks that the database still answers, reporting it failed if not: so that a database H2 closed
     * is reported at the next health check even while nothing reads or writes it.
     */
    void checkDatabase() {
        ViewDatabase current = database;
        if (!failed && !current.alive()) {
            reportFailure(current, "the view's database no longer answers");
        }
    }

    /**
     * Has the projector replace {@code broken} (unless it did already) and marks the view failed,
     * counting each failure once.
     */
    void reportFailure(ViewDatabase broken, String reason) {
        synchronized (monitor) {
            if (broken != database) {
                return; // already replaced
            }
            replaceNeeded = true;
            if (failed) {
                return; // already reported
            }
            failed = true;
            failures++;
        }
        log.error("the H2 view's database failed ({}); rebuilding the view into a fresh database", reason);
    }

    /** Makes {@code fresh} (empty, to be rebuilt) the current database; returns the one it replaces. */
    ViewDatabase replace(ViewDatabase fresh) {
        synchronized (monitor) {
            ViewDatabase old = database;
            database = fresh;
            watermark = -1;
            replaceNeeded = false;
            return old;
        }
    }

    /** The current database now reflects {@code revision}, rebuilt from the state: readers may use it again. */
    void rebuilt(long revision) {
        synchronized (monitor) {
            watermark = revision;
            failed = false;
            monitor.notifyAll();
        }
        projected.advance(revision);
    }

    /** The current database now reflects {@code revision}, a batch later. */
    void advance(long revision) {
        synchronized (monitor) {
            watermark = revision;
            monitor.notifyAll();
        }
        projected.advance(revision);
    }

    /**
     * Waits until the view reflects at least {@code revision}.
     *
     * @return whether it did within {@code timeout}
     */
    boolean await(long revision, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            if (watermark >= revision) {
                return true;
            }
            threadsWaiting++;
            try {
                awaited.run();
                while (watermark < revision) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(monitor, left);
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                threadsWaiting--;
            }
        }
    }

    /**
     * Completes (with the revision then reflected) once the view reflects {@code revision}, on the
     * projector thread: what follows must be quick or go elsewhere. Never fails or times out on its own.
     */
    CompletableFuture<Long> reached(long revision) {
        CompletableFuture<Long> reached = projected.await(revision);
        if (!reached.isDone()) {
            awaited.run();
        }
        return reached;
    }

    /** Whether a reader waits for a revision the view does not reflect yet. */
    boolean readersWaiting() {
        return projected.awaited() || threadsWaiting > 0;
    }

    /** Has {@code hurry} run whenever a reader starts to wait for a revision the view does not reflect yet. */
    void onAwait(Runnable hurry) {
        awaited = hurry;
    }
}
