package io.muster.view;

import io.muster.core.Applied;
import io.muster.core.Entry;
import io.muster.core.Version;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.h2.value.ValueVarbinary;

/**
 * Writes changes into the view's tables on one connection, one transaction per call, the watermark
 * with them. Not thread-safe: the projector thread owns it.
 */
final class Projection implements AutoCloseable {

    private final Connection connection;
    private final PreparedStatement upsertEntry;
    private final PreparedStatement deleteEntry;
    private final PreparedStatement upsertVersion;
    private final PreparedStatement trimHistory;
    private final PreparedStatement deleteHistory;
    private final PreparedStatement watermark;
    private final CoordinationTables coordination;
    private final ReleaseTables releases;
    /** Who wrote each revision of the batch being applied. */
    private final Map<Long, String> authors = new java.util.TreeMap<>();

    Projection(Connection connection, int auditRows) throws SQLException {
        this.connection = connection;
        connection.setAutoCommit(false);
        upsertEntry = Jdbc.merge(connection, "entries", "entry_key, value_bytes, content_type, create_revision, "
                + "mod_revision, version, modified_at_millis, modified_at, lease_id", "entry_key");
        deleteEntry = Jdbc.delete(connection, "entries", "entry_key");
        upsertVersion = Jdbc.merge(connection, "entry_history", "entry_key, mod_revision, version, value_bytes, "
                + "content_type, modified_at_millis, modified_at, modified_by", "entry_key, mod_revision");
        trimHistory = connection.prepareStatement("DELETE FROM entry_history WHERE entry_key = ? AND mod_revision < ?");
        deleteHistory = Jdbc.delete(connection, "entry_history", "entry_key");
        watermark = connection.prepareStatement("UPDATE view_status SET revision = ? WHERE id = 1");
        coordination = new CoordinationTables(connection, auditRows);
        releases = new ReleaseTables(connection);
    }

    /**
     * Applies the changes of consecutive applied entries, all newer than {@code watermark} (the
     * revision the tables reflect now), and moves the watermark to the last. Only each key's final
     * state in the batch matters: its entry carries every version it retains, so the statements go out
     * in JDBC batches, one row per key (plus the versions written since {@code watermark}).
     */
    void apply(List<Event> events, long watermark) throws SQLException {
        Map<String, Entry> finalStates = new LinkedHashMap<>();
        authors.clear();
        for (Event event : events) {
            if (event.applied().audit() != null) {
                authors.put(event.revision(), event.applied().audit().principal());
            }
            for (Applied.Change change : event.applied().keys()) {
                finalStates.put(change.key(), change.entry());
            }
        }
        try {
            for (Map.Entry<String, Entry> keyState : finalStates.entrySet()) {
                batch(keyState.getKey(), keyState.getValue(), watermark);
            }
            upsertEntry.executeBatch();
            deleteEntry.executeBatch();
            deleteHistory.executeBatch();
            trimHistory.executeBatch();
            upsertVersion.executeBatch();
            coordination.batch(events);
            coordination.execute();
            releases.batch(events);
            releases.execute();
            this.watermark.setLong(1, events.get(events.size() - 1).revision());
            this.watermark.executeUpdate();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
    }

    /** Replaces everything with {@code copy}, the whole state at its revision. */
    void rebuild(StateCopy copy) throws SQLException {
        long revision = copy.revision();
        Collection<Entry> entries = copy.entries();
        authors.clear();
        try (var statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM entry_history");
            statement.executeUpdate("DELETE FROM entries");
            int pending = 0;
            for (Entry entry : entries) {
                bindEntry(entry);
                upsertEntry.addBatch();
                for (Version version : versions(entry)) {
                    bindVersion(entry.key(), version);
                    upsertVersion.addBatch();
                }
                if (++pending % 1000 == 0) {
                    upsertEntry.executeBatch();
                    upsertVersion.executeBatch();
                }
            }
            upsertEntry.executeBatch();
            upsertVersion.executeBatch();
            coordination.rebuild(copy.leases(), copy.instances(), copy.locks(), copy.tokens());
            releases.rebuild(copy.releases());
            statement.executeUpdate("UPDATE view_status SET revision = " + revision + ", rebuilt_at_revision = "
                    + revision + " WHERE id = 1");
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
    }

    private void batch(String key, Entry entry, long watermark) throws SQLException {
        if (entry == null) {
            deleteEntry.setString(1, key);
            deleteEntry.addBatch();
            deleteHistory.setString(1, key);
            deleteHistory.addBatch();
            return;
        }
        bindEntry(entry);
        upsertEntry.addBatch();
        List<Version> retained = versions(entry);
        // Versions older than the oldest retained go, an earlier incarnation's included (they are older still).
        trimHistory.setString(1, key);
        trimHistory.setLong(2, retained.get(retained.size() - 1).modRevision());
        trimHistory.addBatch();
        for (Version version : retained) {
            if (version.modRevision() > watermark) {
                bindVersion(key, version);
                upsertVersion.addBatch();
            }
        }
    }

    private void bindEntry(Entry entry) throws SQLException {
        upsertEntry.setString(1, entry.key());
        upsertEntry.setObject(2, shared(entry.value()));
        upsertEntry.setString(3, entry.contentType());
        upsertEntry.setLong(4, entry.createRevision());
        upsertEntry.setLong(5, entry.modRevision());
        upsertEntry.setLong(6, entry.version());
        upsertEntry.setLong(7, entry.modifiedAtMillis());
        upsertEntry.setObject(8, time(entry.modifiedAtMillis()));
        upsertEntry.setLong(9, entry.lease());
    }

    private void bindVersion(String key, Version version) throws SQLException {
        upsertVersion.setString(1, key);
        upsertVersion.setLong(2, version.modRevision());
        upsertVersion.setLong(3, version.version());
        upsertVersion.setObject(4, shared(version.value()));
        upsertVersion.setString(5, version.contentType());
        upsertVersion.setLong(6, version.modifiedAtMillis());
        upsertVersion.setObject(7, time(version.modifiedAtMillis()));
        upsertVersion.setString(8, authors.get(version.modRevision()));
    }

    /**
     * A value for H2 that shares the state's array instead of copying it ({@code setBytes} copies). The
     * state never changes an array it holds, and neither does H2, so the view's two rows of a version
     * and the state hold one array between them: without this, a million 100-byte entries cost about
     * 230 MB more heap.
     */
    private static ValueVarbinary shared(byte[] value) {
        return ValueVarbinary.getNoCopy(value);
    }

    /** The current version first, then the retained ones, newest first. */
    static List<Version> versions(Entry entry) {
        List<Version> all = new ArrayList<>(entry.history().size() + 1);
        all.add(entry.current());
        all.addAll(entry.history());
        return all;
    }

    /** A leader time as the view's {@code TIMESTAMP WITH TIME ZONE} columns hold it (UTC). */
    static OffsetDateTime time(long millis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }

    /** The whole state at one revision, copied under its read lock. */
    record StateCopy(long revision, List<Entry> entries, List<io.muster.core.Lease> leases,
            List<io.muster.core.Instance> instances, List<io.muster.core.Lock> locks, List<io.muster.core.Token> tokens,
            List<io.muster.core.Release> releases) {
    }

    /** One applied entry's changes, and when it was handed over ({@link System#nanoTime()}). */
    record Event(Applied applied, long appliedAtNanos) {

        long revision() {
            return applied.revision();
        }
    }
}
