package io.muster.view;

import io.muster.support.DaemonThreads;
import java.lang.management.ManagementFactory;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator's queries may cost this node beyond their timeout: how many run at once, and how
 * much memory each may allocate. H2 runs a query on the caller's thread and, for an in-memory
 * database, holds every intermediate row (a GROUP BY, a DISTINCT, a sort over a join) on the heap, so
 * the allow-list and the timeout alone do not bound memory. The bytes a thread allocates bound what it
 * can retain, and the JVM counts them per thread: a checker thread cancels a query whose thread went
 * past {@code maxAllocatedBytes}, as the timeout would. Thread-safe.
 */
final class QueryBudget implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueryBudget.class);
    private static final long CHECK_MILLIS = 20;

    private final Semaphore slots;
    private final int maxConcurrent;
    private final long maxAllocatedBytes;
    private final com.sun.management.ThreadMXBean threads;
    private final Set<Running> running = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService checker;

    QueryBudget(int maxConcurrent, long maxAllocatedBytes) {
        this.maxConcurrent = maxConcurrent;
        this.slots = new Semaphore(maxConcurrent);
        this.maxAllocatedBytes = maxAllocatedBytes;
        this.threads = allocationCounter();
        this.checker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("muster-query-budget"));
        if (threads != null) {
            checker.scheduleWithFixedDelay(this::check, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** The JVM's per-thread allocation counter, or {@code null} where this JVM has none. */
    private static com.sun.management.ThreadMXBean allocationCounter() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean counter
                && counter.isThreadAllocatedMemorySupported()) {
            counter.setThreadAllocatedMemoryEnabled(true);
            return counter;
        }
        log.warn("this JVM does not count the memory each thread allocates: operators' queries are bounded by "
                + "their timeout only");
        return null;
    }

    /** One query being run on {@code thread}, cancelled through {@code statement} when over budget. */
    final class Running implements AutoCloseable {
        private final AtomicBoolean closed = new AtomicBoolean();
        private final long threadId = Thread.currentThread().getId();
        private final long startBytes = allocated(threadId);
        private volatile Statement statement;
        private volatile boolean overBudget;

        /** From now on, a query over budget is cancelled through {@code watched}. */
        void watch(Statement watched) {
            statement = watched;
        }

        /** Whether the checker cancelled it for allocating too much. */
        boolean overBudget() {
            return overBudget;
        }

        private void check() {
            Statement current = statement;
            if (current == null || overBudget || allocated(threadId) - startBytes <= maxAllocatedBytes) {
                return;
            }
            overBudget = true;
            try {
                current.cancel();
            } catch (SQLException e) {
                log.warn("could not cancel an operator's query that went over its memory budget", e);
            }
        }

        /** Gives the slot back, once however often it is called. */
        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            statement = null;
            running.remove(this);
            slots.release();
        }
    }

    /**
     * Takes one of the node's query slots for the calling thread.
     *
     * @throws QueryException {@code BUSY} when {@code maxConcurrent} queries are running already
     */
    Running start() {
        if (!slots.tryAcquire()) {
            throw new QueryException(QueryException.Kind.BUSY, "this node runs at most " + maxConcurrent
                    + " queries at once (muster.view.max-concurrent-queries); retry shortly");
        }
        Running query = new Running();
        running.add(query);
        return query;
    }

    /** The most a query may allocate, in bytes. */
    long maxAllocatedBytes() {
        return maxAllocatedBytes;
    }

    private long allocated(long threadId) {
        return threads == null ? 0 : threads.getThreadAllocatedBytes(threadId);
    }

    private void check() {
        running.forEach(Running::check);
    }

    @Override
    public void close() {
        checker.shutdownNow();
    }
}
