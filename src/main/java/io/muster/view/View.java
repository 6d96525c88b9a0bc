package io.muster.view;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.muster.MusterProperties;
import io.muster.core.Applied;
import io.muster.core.Entry;
import io.muster.core.Version;
import io.muster.replication.AppliedChanges;
import io.muster.replication.Replica;
import io.muster.replication.ReplicatedState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.h2.engine.IsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * This node's H2 view of the applied state: what the rest of Muster reads, and the lifecycle of the
 * {@link Projector} that keeps it following the state.
 *
 * <p>Apply hands each change to the projector without waiting; it writes them in log order, in batches,
 * each batch in one transaction with the watermark (the revision the view reflects), and rebuilds the
 * view from a copy of the state whenever it cannot keep up or the state is replaced (start-up, snapshot
 * install). Nothing is dropped without being recovered.
 *
 * <p>The database heals too: when it fails (H2 closed it, ran out of memory; a reader, an operator's
 * query, the health check or the projector sees it), the view is reported failed ({@link #failed}: the
 * {@code view} health component goes OUT_OF_SERVICE, {@code muster.view.failures} counts it), readers
 * get {@link ViewUnavailableException}, and the projector replaces the database with a fresh one
 * ({@link ViewDatabase}, a new name) and rebuilds it from the state, after which the view answers
 * again. The audit trail before the failure is lost with the old database, as after a snapshot install.
 * {@link ViewStatus} holds the current database, its failure and the watermark; {@link ViewReads} and
 * {@link QueryRunner} read.
 *
 * <p>Thread-safe: one writer (the projector), any number of readers, each on its own connection.
 */
@Component("h2View")
public class View implements AppliedChanges, SmartLifecycle {

    static {
        // Before anything in this process touches H2 (MusterApplication.main does it first; tests start here).
        H2Hardening.apply();
    }

    private static final Logger log = LoggerFactory.getLogger(View.class);
    /**
     * The isolation of every read of the view: H2's SNAPSHOT, one snapshot of every table from the first
     * read on. H2's REPEATABLE READ snapshots each table when it is first read, so a history read that
     * reads its rows and then the view's revision could report a revision newer than its rows.
     */
    static final int ONE_SNAPSHOT = IsolationLevel.SNAPSHOT.getJdbc();

    private final ViewStatus status;
    private final Projector projector;
    private final ViewReads reads;
    private final QueryRunner queries;

    public View(ReplicatedState state, MusterProperties properties, MeterRegistry meterRegistry) {
        if (!H2Hardening.effective()) {
            log.warn("H2 read its system properties before Muster could set them; Java deserialization stays "
                    + "refused per database (JAVA_OBJECT_SERIALIZER), not process-wide");
        }
        this.status = new ViewStatus(ViewDatabase.create(properties.view(), properties.dataDir(), 0));
        Timer lag = Timer.builder("muster.view.lag").publishPercentileHistogram()
                .description("Time from a change being applied to the view showing it").register(meterRegistry);
        this.projector = new Projector(state, properties, status, lag);
        this.reads = new ViewReads(status);
        this.queries = new QueryRunner(status, new QueryBudget(properties.view().maxConcurrentQueries(),
                properties.view().queryMaxAllocation().toBytes()));
        FunctionCounter.builder("muster.view.events", projector, Projector::events)
                .description("Applied entries the projector wrote into the view").register(meterRegistry);
        FunctionCounter.builder("muster.view.rebuilds", projector, Projector::rebuilds)
                .description("Times the view was rebuilt from a copy of the state").register(meterRegistry);
        Gauge.builder("muster.view.revision", status, ViewStatus::watermark)
                .description("The revision the view reflects").register(meterRegistry);
        FunctionCounter.builder("muster.view.failures", status, ViewStatus::failures)
                .description("Times the view's database failed and was replaced by a fresh one").register(meterRegistry);
    }

    // ---- fed by apply, through the projector (never blocks) ----

    @Override
    public void applied(Applied applied) {
        projector.applied(applied);
    }

    @Override
    public void replaced(long revision) {
        projector.replaced(revision);
    }

    // ---- where the view stands ----

    /** The revision the view reflects: every change up to it is in the tables, none after it. */
    public long revision() {
        return status.watermark();
    }

    /** How many applied entries the projector wrote one batch at a time (not by rebuilding). */
    public long events() {
        return projector.events();
    }

    /** How many times the view was rebuilt from the state since this node started. */
    public long rebuilds() {
        return projector.rebuilds();
    }

    /** Whether the view's database failed and has not yet been rebuilt into a fresh one. */
    public boolean failed() {
        return status.failed();
    }

    /** How many times the view's database failed since this node started. */
    public long failures() {
        return status.failures();
    }

    /**
     * The JDBC URL of the view's current database (an in-memory one is reachable only inside this
     * process): for diagnostics and for tests that break the database on purpose.
     */
    public String databaseUrl() {
        return status.database().url();
    }

    /**
     * Checks that the database still answers, reporting it failed if not: so that a database H2 closed
     * is reported at the next health check even while nothing reads or writes it.
     */
    public void checkDatabase() {
        status.checkDatabase();
    }

    /**
     * Waits until the view reflects at least {@code revision}.
     *
     * @return whether it did within {@code timeout}
     */
    public boolean await(long revision, Duration timeout) {
        return status.await(revision, timeout);
    }

    /**
     * Completes (with the revision then reflected) once the view reflects {@code revision}, on the
     * projector thread: what follows must be quick or go elsewhere. Never fails or times out on its own.
     */
    public CompletableFuture<Long> reached(long revision) {
        return status.reached(revision);
    }

    // ---- reads, each at one view revision ----

    /**
     * A key's retained versions, newest first, older than {@code beforeRevision} (0: from the newest),
     * at most {@code limit}.
     */
    public History history(String key, long beforeRevision, int limit) {
        return reads.history(key, beforeRevision, limit);
    }

    /**
     * Audit records, oldest first, after revision {@code afterRevision} and at or after
     * {@code sinceMillis}, optionally only those of {@code principal} or whose target starts with
     * {@code targetPrefix}; at most {@code limit}.
     */
    public AuditPage audit(String targetPrefix, String principal, long afterRevision, long sinceMillis, int limit) {
        return reads.audit(targetPrefix, principal, afterRevision, sinceMillis, limit);
    }

    /** The content digest of the view (comparable with the state's) and the revision it reflects. */
    public Digest digest() {
        return reads.digest();
    }

    /**
     * The version of {@code key} written at {@code modRevision}, if the view still retains it, with the
     * key's current mod revision.
     */
    public Optional<Retained> retained(String key, long modRevision) {
        return reads.retained(key, modRevision);
    }

    /** Current entries matching every given filter, in key order after {@code after}, at most {@code limit}. */
    public Search search(SearchFilter filter, String after, int limit) {
        return reads.search(filter, after, limit);
    }

    /**
     * Runs an operator's read-only query (checked by {@link SqlGuard}, then run as a user that may only
     * read the view's tables) in one snapshot transaction, with a timeout and a row cap.
     *
     * @throws QueryException saying why it did not run to completion
     */
    public QueryResult query(String sql, List<Object> parameters, int maxRows, Duration timeout) {
        return queries.query(sql, parameters, maxRows, timeout);
    }

    /** One audit record: who proposed what at which revision, and how it ended. */
    public record AuditRecord(long revision, long atMillis, String principal, String requestId, String action,
            String target, String outcome) {
    }

    /** A page of audit records and the revision to continue after, if there are more. */
    public record AuditPage(long viewRevision, List<AuditRecord> records, Long next) {
    }

    /** A retained version, and the mod revision its key had when the view reflected {@code viewRevision}. */
    public record Retained(Version version, long currentModRevision, long viewRevision) {
    }

    /**
     * What a search keeps; {@code null} (or an empty prefix) means no filter of that kind.
     *
     * @param valueContains text the value, read as UTF-8, must contain
     */
    public record SearchFilter(String prefix, String contentType, Long modifiedAfterMillis, Long modifiedAfterRevision,
            String valueContains) {
    }

    /** A page of entries (without history); {@code next} is the last key when more follow. */
    public record Search(long viewRevision, List<Entry> entries, String next) {
    }

    /** A query's answer: column names, rows (at most the cap), the view revision, whether rows were cut. */
    public record QueryResult(List<String> columns, List<List<Object>> rows, long viewRevision, boolean truncated) {
    }

    /** The view's content digest at the revision it reflects. */
    public record Digest(long revision, String contentSha256) {
    }

    /** A page of versions, with who wrote each ({@code null} where the view does not know: rebuilt since). */
    public record History(long viewRevision, List<Version> versions, List<String> modifiedBy, Long next) {
    }

    // ---- lifecycle: runs while the Raft node runs ----

    @Override
    public void start() {
        projector.start();
    }

    @Override
    public void stop() {
        projector.stop();
        status.database().close();
        queries.close();
    }

    @Override
    public boolean isRunning() {
        return projector.isRunning();
    }

    /** Starts after the Raft node (whose start-up load it rebuilds from) and stops before it. */
    @Override
    public int getPhase() {
        return Replica.PHASE + 1;
    }
}
