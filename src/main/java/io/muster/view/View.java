package io.muster.view;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.muster.MusterProperties;
import io.muster.core.Applied;
import io.muster.core.ContentDigest;
import io.muster.core.Entry;
import io.muster.core.Lease;
import io.muster.core.Version;
import io.muster.raft.AppliedChanges;
import io.muster.raft.AppliedIndex;
import io.muster.raft.MusterStateMachine;
import io.muster.raft.RaftNode;
import io.muster.support.DaemonThreads;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.h2.engine.IsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * This node's H2 view of the applied state, and the projector thread that keeps it following.
 *
 * <p>Apply hands each change to {@link #applied} (a non-blocking offer to a bounded queue); the
 * projector writes them in log order, in batches of consecutive entries, each batch in one transaction
 * with the watermark (the revision the view reflects). When the queue overflows, or the state is
 * replaced (start-up, snapshot install), the projector rebuilds the view from a copy of the state
 * taken under the state's read lock, and skips queued changes that copy already covers. Nothing is
 * dropped without being recovered.
 *
 * <p>The database heals too: when it fails (H2 closed it, ran out of memory; a reader, an operator's
 * query, the health check or the projector sees it), the view is reported failed ({@link #failed}: the
 * {@code view} health component goes OUT_OF_SERVICE, {@code muster.view.failures} counts it), readers
 * get {@link ViewUnavailableException}, and the projector replaces the database with a fresh one
 * ({@link ViewDatabase}, a new name) and rebuilds it from the state, after which the view answers
 * again. The audit trail before the failure is lost with the old database, as after a snapshot install.
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
    private static final int BATCH = 512;
    /** How often an idle projector checks that the database is still there. */
    private static final long IDLE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final MusterStateMachine stateMachine;
    private final MusterProperties properties;
    private volatile ViewDatabase database;
    /** Generations of the database created so far; written by the projector only (and the constructor). */
    private int generations;
    /** The database failed: readers are refused and health is OUT_OF_SERVICE until a fresh one is rebuilt. */
    private volatile boolean failed;
    /** The projector must replace the current database with a fresh one. */
    private volatile boolean replaceNeeded;
    private volatile long failures;
    /** Failed attempts of the projector since its last rebuild; the projector's own. */
    private int consecutiveFailures;
    private final BlockingQueue<Projection.Event> queue;
    private final int auditRows;
    private final QueryBudget queryBudget;
    private final Object watermarkMonitor = new Object();
    private volatile boolean rebuildNeeded = true;
    private volatile long watermark = -1;
    /** The watermark again, for requests that wait for it without a thread (see {@link #reached}). */
    private final AppliedIndex projected = new AppliedIndex();
    private volatile long rebuilds;
    private volatile long events;
    private final Timer lag;
    private volatile Thread projector;

    public View(RaftNode node, MusterProperties properties, MeterRegistry meterRegistry) {
        this.stateMachine = node.stateMachine();
        this.properties = properties;
        this.queue = new ArrayBlockingQueue<>(properties.view().queueCapacity());
        this.auditRows = properties.view().auditRows();
        this.queryBudget = new QueryBudget(properties.view().maxConcurrentQueries(),
                properties.view().queryMaxAllocation().toBytes());
        this.lag = Timer.builder("muster.view.lag").publishPercentileHistogram()
                .description("Time from a change being applied to the view showing it").register(meterRegistry);
        FunctionCounter.builder("muster.view.events", this, view -> view.events)
                .description("Applied entries the projector wrote into the view").register(meterRegistry);
        FunctionCounter.builder("muster.view.rebuilds", this, view -> view.rebuilds)
                .description("Times the view was rebuilt from a copy of the state").register(meterRegistry);
        Gauge.builder("muster.view.revision", this, view -> view.watermark)
                .description("The revision the view reflects").register(meterRegistry);
        FunctionCounter.builder("muster.view.failures", this, view -> view.failures)
                .description("Times the view's database failed and was replaced by a fresh one").register(meterRegistry);
        if (!H2Hardening.effective()) {
            log.warn("H2 read its system properties before Muster could set them; Java deserialization stays "
                    + "refused per database (JAVA_OBJECT_SERIALIZER), not process-wide");
        }
        this.database = ViewDatabase.create(properties.view(), properties.dataDir(), generations++);
    }

    // ---- fed by apply (never blocks) ----

    @Override
    public void applied(Applied applied) {
        if (!rebuildNeeded && !queue.offer(new Projection.Event(applied, System.nanoTime()))) {
            rebuildNeeded = true; // the rebuild's copy of the state will include this change
        }
    }

    @Override
    public void replaced(long revision) {
        rebuildNeeded = true;
    }

    // ---- reads ----

    /** The revision the view reflects: every change up to it is in the tables, none after it. */
    public long revision() {
        return watermark;
    }

    /** How many applied entries the projector wrote one batch at a time (not by rebuilding). */
    public long events() {
        return events;
    }

    /** How many times the view was rebuilt from the state since this node started. */
    public long rebuilds() {
        return rebuilds;
    }

    /** Whether the view's database failed and has not yet been rebuilt into a fresh one. */
    public boolean failed() {
        return failed;
    }

    /** How many times the view's database failed since this node started. */
    public long failures() {
        return failures;
    }

    /**
     * The JDBC URL of the view's current database (an in-memory one is reachable only inside this
     * process): for diagnostics and for tests that break the database on purpose.
     */
    public String databaseUrl() {
        return database.url();
    }

    /**
     * Checks that the database still answers, reporting it failed if not: so that a database H2 closed
     * is reported at the next health check even while nothing reads or writes it.
     */
    public void checkDatabase() {
        ViewDatabase current = database;
        if (!failed && !current.alive()) {
            reportFailure(current, "the view's database no longer answers");
        }
    }

    /**
     * Has the projector replace {@code broken} (unless it did already) and marks the view failed,
     * counting each failure once: a fresh database that fails while it is rebuilt is replaced again
     * without counting twice.
     */
    private void reportFailure(ViewDatabase broken, String reason) {
        synchronized (watermarkMonitor) {
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

    /**
     * Waits until the view reflects at least {@code revision}.
     *
     * @return whether it did within {@code timeout}
     */
    public boolean await(long revision, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (watermarkMonitor) {
            while (watermark < revision) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(watermarkMonitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Completes (with the revision then reflected) once the view reflects {@code revision}, on the
     * projector thread: what follows must be quick or go elsewhere. Never fails or times out on its own.
     */
    public CompletableFuture<Long> reached(long revision) {
        return projected.await(revision);
    }

    /**
     * A key's retained versions, newest first, older than {@code beforeRevision} (0: from the newest),
     * at most {@code limit}, read at one view revision.
     */
    public History history(String key, long beforeRevision, int limit) {
        return read(connection -> {
            List<Version> versions = new ArrayList<>();
            List<String> authors = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT " + VERSION_COLUMNS + ", modified_by"
                    + " FROM entry_history WHERE entry_key = ? AND mod_revision < ? ORDER BY mod_revision DESC LIMIT ?")) {
                select.setString(1, key);
                select.setLong(2, beforeRevision > 0 ? beforeRevision : Long.MAX_VALUE);
                select.setInt(3, limit + 1);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        versions.add(version(rows, 1));
                        authors.add(rows.getString(6));
                    }
                }
            }
            boolean more = versions.size() > limit;
            int size = more ? limit : versions.size();
            Long next = more ? versions.get(size - 1).modRevision() : null;
            return new History(viewRevision(connection), List.copyOf(versions.subList(0, size)),
                    java.util.Collections.unmodifiableList(new ArrayList<>(authors.subList(0, size))), next);
        });
    }

    /**
     * Audit records, oldest first, after revision {@code afterRevision} and at or after
     * {@code sinceMillis}, optionally only those of {@code principal} or whose target starts with
     * {@code targetPrefix}; at most {@code limit}.
     */
    public AuditPage audit(String targetPrefix, String principal, long afterRevision, long sinceMillis, int limit) {
        return read(connection -> {
            List<AuditRecord> records = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT revision, at_millis, principal, "
                    + "request_id, action, target, outcome FROM audit WHERE revision > ? AND at_millis >= ? "
                    + "AND (? IS NULL OR principal = ?) AND (? IS NULL OR LEFT(target, ?) = ?) "
                    + "ORDER BY revision LIMIT ?")) {
                select.setLong(1, afterRevision);
                select.setLong(2, sinceMillis);
                select.setString(3, principal);
                select.setString(4, principal);
                select.setString(5, targetPrefix);
                select.setInt(6, targetPrefix == null ? 0 : targetPrefix.length());
                select.setString(7, targetPrefix);
                select.setInt(8, limit + 1);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        records.add(new AuditRecord(rows.getLong(1), rows.getLong(2), rows.getString(3),
                                rows.getString(4), rows.getString(5), rows.getString(6), rows.getString(7)));
                    }
                }
            }
            boolean more = records.size() > limit;
            List<AuditRecord> page = more ? records.subList(0, limit) : records;
            Long next = more ? page.get(page.size() - 1).revision() : null;
            return new AuditPage(viewRevision(connection), List.copyOf(page), next);
        });
    }

    /** One audit record: who proposed what at which revision, and how it ended. */
    public record AuditRecord(long revision, long atMillis, String principal, String requestId, String action,
            String target, String outcome) {
    }

    /** A page of audit records and the revision to continue after, if there are more. */
    public record AuditPage(long viewRevision, List<AuditRecord> records, Long next) {
    }

    /** The content digest of the view (comparable with the state's) and the revision it reflects. */
    public Digest digest() {
        return read(connection -> {
            ContentDigest digest = new ContentDigest();
            try (var statement = connection.createStatement()) {
                digestEntries(statement, digest);
                try (ResultSet rows = statement.executeQuery("SELECT lease_id, ttl_millis, granted_at_millis FROM leases "
                        + "ORDER BY lease_id")) {
                    while (rows.next()) {
                        digest.add(new Lease(rows.getLong(1), rows.getLong(2), rows.getLong(3)));
                    }
                }
                ViewTables.instances(connection).forEach(digest::add);
                ViewTables.locks(connection).forEach(digest::add);
                ViewTables.tokens(connection).forEach(digest::add);
            }
            return new Digest(viewRevision(connection), digest.hex());
        });
    }

    private static void digestEntries(java.sql.Statement statement, ContentDigest digest) throws SQLException {
        try (ResultSet rows = statement.executeQuery("SELECT e.entry_key, e.create_revision, e.lease_id, " + columns("h")
                + " FROM entries e JOIN entry_history h ON h.entry_key = e.entry_key "
                + "ORDER BY e.entry_key, h.mod_revision DESC")) {
            String key = null;
            long createRevision = 0;
            long lease = 0;
            List<Version> versions = new ArrayList<>();
            while (rows.next()) {
                if (!rows.getString(1).equals(key)) {
                    addEntry(digest, key, createRevision, versions, lease);
                    key = rows.getString(1);
                    createRevision = rows.getLong(2);
                    lease = rows.getLong(3);
                    versions = new ArrayList<>();
                }
                versions.add(version(rows, 4));
            }
            addEntry(digest, key, createRevision, versions, lease);
        }
    }

    private static void addEntry(ContentDigest digest, String key, long createRevision, List<Version> versions,
            long lease) {
        if (key != null) {
            digest.add(new Entry(key, createRevision, versions.get(0), versions.subList(1, versions.size()), lease));
        }
    }

    /**
     * The version of {@code key} written at {@code modRevision}, if the view still retains it, with the
     * key's current mod revision, read at one view revision.
     */
    public Optional<Retained> retained(String key, long modRevision) {
        return read(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT " + columns("h") + ", e.mod_revision "
                    + "FROM entry_history h JOIN entries e ON e.entry_key = h.entry_key "
                    + "WHERE h.entry_key = ? AND h.mod_revision = ?")) {
                select.setString(1, key);
                select.setLong(2, modRevision);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Retained(version(row, 1), row.getLong(6), viewRevision(connection)));
                }
            }
        });
    }

    /** A retained version, and the mod revision its key had when the view reflected {@code viewRevision}. */
    public record Retained(Version version, long currentModRevision, long viewRevision) {
    }

    /**
     * Current entries matching every given filter, in key order after {@code after}, at most
     * {@code limit}, read at one view revision.
     */
    public Search search(SearchFilter filter, String after, int limit) {
        return read(connection -> {
            StringBuilder sql = new StringBuilder("SELECT entry_key, create_revision, " + VERSION_COLUMNS
                    + " FROM entries WHERE entry_key > ?");
            List<Object> parameters = new ArrayList<>(List.of(after == null ? "" : after));
            if (!filter.prefix().isEmpty()) {
                sql.append(" AND entry_key >= ? AND entry_key < ?");
                parameters.add(filter.prefix());
                parameters.add(filter.prefix() + Character.MAX_VALUE);
            }
            if (filter.contentType() != null) {
                sql.append(" AND content_type = ?");
                parameters.add(filter.contentType());
            }
            if (filter.modifiedAfterMillis() != null) {
                sql.append(" AND modified_at_millis > ?");
                parameters.add(filter.modifiedAfterMillis());
            }
            if (filter.modifiedAfterRevision() != null) {
                sql.append(" AND mod_revision > ?");
                parameters.add(filter.modifiedAfterRevision());
            }
            if (filter.valueContains() != null) {
                sql.append(" AND LOCATE(?, UTF8TOSTRING(value_bytes)) > 0");
                parameters.add(filter.valueContains());
            }
            sql.append(" ORDER BY entry_key LIMIT ?");
            parameters.add(limit + 1);
            List<Entry> entries = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
                for (int i = 0; i < parameters.size(); i++) {
                    select.setObject(i + 1, parameters.get(i));
                }
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        entries.add(new Entry(rows.getString(1), rows.getLong(2), version(rows, 3), List.of()));
                    }
                }
            }
            boolean more = entries.size() > limit;
            List<Entry> page = more ? entries.subList(0, limit) : entries;
            return new Search(viewRevision(connection), List.copyOf(page), more ? page.get(page.size() - 1).key() : null);
        });
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

    /**
     * Runs an operator's read-only query (checked by {@link SqlGuard}, then run as a user that may only
     * read the view's tables) in one snapshot transaction, with a timeout and a row cap.
     *
     * @throws QueryException saying why it did not run to completion
     */
    public QueryResult query(String sql, List<Object> parameters, int maxRows, Duration timeout) {
        SqlGuard.Verdict verdict = SqlGuard.check(sql);
        String problem = verdict.problem() != null ? verdict.problem() : SqlGuard.parameterProblem(verdict, parameters);
        if (problem != null) {
            throw new QueryException(QueryException.Kind.NOT_ALLOWED, problem);
        }
        ViewDatabase current = available();
        try (QueryBudget.Running budget = queryBudget.start(); Connection connection = current.reader()) {
            connection.setReadOnly(true);
            connection.setTransactionIsolation(ONE_SNAPSHOT);
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                long revision = viewRevision(connection);
                if (statement.getParameterMetaData().getParameterCount() != parameters.size()) {
                    throw new QueryException(QueryException.Kind.INVALID, "the query has "
                            + statement.getParameterMetaData().getParameterCount() + " parameter(s) but "
                            + parameters.size() + " were given");
                }
                for (int i = 0; i < parameters.size(); i++) {
                    statement.setObject(i + 1, parameters.get(i));
                }
                statement.setQueryTimeout((int) Math.max(1, (timeout.toMillis() + 999) / 1000));
                statement.setMaxRows(maxRows + 1);
                budget.watch(statement);
                return QueryResults.read(statement, maxRows, revision);
            } catch (SQLException e) {
                if (budget.overBudget()) {
                    throw new QueryException(QueryException.Kind.TOO_COSTLY, "the query allocated more than "
                            + queryBudget.maxAllocatedBytes() / (1024 * 1024) + " MB and was cancelled "
                            + "(muster.view.query-max-allocation); select from fewer rows, or group them less finely");
                }
                throw e;
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            if (ViewDatabase.broken(e) && !current.alive()) {
                reportFailure(current, e.getMessage());
                throw new QueryException(QueryException.Kind.FAILED, "the query failed with the view's database ("
                        + e.getErrorCode() + "); the view is being rebuilt, retry shortly");
            }
            throw QueryResults.translate(e);
        }
    }

    /** The current database, unless it failed and is not rebuilt yet. */
    private ViewDatabase available() {
        ViewDatabase current = database;
        if (failed) {
            throw new ViewUnavailableException("this node's view failed and is being rebuilt from the state; retry "
                    + "shortly or ask another node");
        }
        return current;
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

    private interface Reader<T> {
        T read(Connection connection) throws SQLException;
    }

    /** Runs {@code reader} in one snapshot transaction, so that all it reads is of one revision. */
    private <T> T read(Reader<T> reader) {
        ViewDatabase current = available();
        try (Connection connection = current.admin()) {
            connection.setTransactionIsolation(ONE_SNAPSHOT);
            connection.setAutoCommit(false);
            try {
                return reader.read(connection);
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            if (ViewDatabase.broken(e) && !current.alive()) {
                reportFailure(current, e.getMessage());
                throw new ViewUnavailableException("this node's view failed and is being rebuilt from the state; "
                        + "retry shortly or ask another node");
            }
            throw new IllegalStateException("reading the H2 view failed: " + e.getMessage(), e);
        }
    }

    /** The columns a {@link Version} is read from, in the order {@link #version} reads them. */
    private static final String VERSION_COLUMNS = columns(null);

    private static String columns(String table) {
        String prefix = table == null ? "" : table + ".";
        return prefix + "value_bytes, " + prefix + "content_type, " + prefix + "mod_revision, " + prefix + "version, "
                + prefix + "modified_at_millis";
    }

    /** The version in the five {@link #VERSION_COLUMNS} starting at column {@code first}. */
    private static Version version(ResultSet row, int first) throws SQLException {
        return new Version(row.getBytes(first), row.getString(first + 1), row.getLong(first + 2), row.getLong(first + 3),
                row.getLong(first + 4));
    }

    private static long viewRevision(Connection connection) throws SQLException {
        try (var statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT revision FROM view_status WHERE id = 1")) {
            row.next();
            return row.getLong(1);
        }
    }

    // ---- the projector ----

    private void project() {
        while (!Thread.currentThread().isInterrupted()) {
            ViewDatabase current = database;
            try {
                if (replaceNeeded) {
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
                reportFailure(current, e.toString());
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
        ViewDatabase old = database;
        ViewDatabase fresh = ViewDatabase.create(properties.view(), properties.dataDir(), generations++);
        synchronized (watermarkMonitor) {
            database = fresh;
            watermark = -1;
            replaceNeeded = false;
        }
        rebuildNeeded = true;
        old.close();
        log.info("the H2 view moved to a fresh database {}", fresh.url());
        return fresh;
    }

    /** Writes queued changes until interrupted, or until the database is reported failed. */
    private void follow(Projection projection, ViewDatabase current) throws InterruptedException, SQLException {
        List<Projection.Event> batch = new ArrayList<>(BATCH);
        long checkedAt = System.nanoTime();
        while (!Thread.currentThread().isInterrupted() && !replaceNeeded) {
            if (rebuildNeeded) {
                rebuild(projection);
                continue;
            }
            Projection.Event first = queue.poll(100, TimeUnit.MILLISECONDS);
            if (first == null) {
                if (System.nanoTime() - checkedAt > IDLE_CHECK_NANOS) {
                    checkedAt = System.nanoTime();
                    if (!current.alive()) {
                        reportFailure(current, "the view's database no longer answers");
                    }
                }
                continue;
            }
            batch.clear();
            batch.add(first);
            queue.drainTo(batch, BATCH - 1);
            batch.removeIf(event -> event.revision() <= watermark);
            if (!batch.isEmpty()) {
                projection.apply(batch, watermark);
                advance(batch.get(batch.size() - 1).revision());
                long now = System.nanoTime();
                for (Projection.Event event : batch) {
                    lag.record(now - event.appliedAtNanos(), TimeUnit.NANOSECONDS);
                }
                events += batch.size();
            }
        }
    }

    private void rebuild(Projection projection) throws SQLException {
        rebuildNeeded = false;
        queue.clear();
        Projection.StateCopy copy = stateMachine.read(store -> new Projection.StateCopy(store.revision(),
                List.copyOf(store.entries()), List.copyOf(store.leases()), List.copyOf(store.instances()),
                List.copyOf(store.locks()), List.copyOf(store.tokens())));
        long started = System.nanoTime();
        projection.rebuild(copy);
        rebuilds++;
        consecutiveFailures = 0;
        synchronized (watermarkMonitor) {
            watermark = copy.revision();
            failed = false; // a fresh database, rebuilt: readers may use it again
            watermarkMonitor.notifyAll();
        }
        projected.advance(copy.revision());
        log.info("H2 view rebuilt at revision {} ({} entries) in {} ms", copy.revision(), copy.entries().size(),
                (System.nanoTime() - started) / 1_000_000);
    }

    private void advance(long revision) {
        synchronized (watermarkMonitor) {
            watermark = revision;
            watermarkMonitor.notifyAll();
        }
        projected.advance(revision);
    }

    // ---- lifecycle: runs while the Raft node runs ----

    @Override
    public void start() {
        Thread thread = DaemonThreads.named("muster-view-projector").newThread(this::project);
        projector = thread;
        thread.start();
    }

    @Override
    public void stop() {
        Thread thread = projector;
        projector = null;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        database.close();
        queryBudget.close();
    }

    @Override
    public boolean isRunning() {
        return projector != null;
    }

    /** Starts after the Raft node (whose start-up load it rebuilds from) and stops before it. */
    @Override
    public int getPhase() {
        return RaftNode.PHASE + 1;
    }
}
