package io.muster.view;

import io.muster.core.Entry;
import io.muster.core.Version;
import io.muster.raft.AppliedChanges;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

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

    Projection(Connection connection) throws SQLException {
        this.connection = connection;
        connection.setAutoCommit(false);
        upsertEntry = connection.prepareStatement("MERGE INTO entries (entry_key, value_bytes, content_type, "
                + "create_revision, mod_revision, version, modified_at_millis, modified_at) KEY (entry_key) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        deleteEntry = connection.prepareStatement("DELETE FROM entries WHERE entry_key = ?");
        upsertVersion = connection.prepareStatement("MERGE INTO entry_history (entry_key, mod_revision, version, "
                + "value_bytes, content_type, modified_at_millis, modified_at) KEY (entry_key, mod_revision) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)");
        trimHistory = connection.prepareStatement("DELETE FROM entry_history WHERE entry_key = ? AND mod_revision < ?");
        deleteHistory = connection.prepareStatement("DELETE FROM entry_history WHERE entry_key = ?");
        watermark = connection.prepareStatement("UPDATE view_status SET revision = ? WHERE id = 1");
    }

    /** Applies the changes of consecutive applied entries and moves the watermark to the last. */
    void apply(List<Event> events) throws SQLException {
        try {
            for (Event event : events) {
                for (AppliedChanges.Change change : event.changes()) {
                    write(change);
                }
            }
            watermark.setLong(1, events.get(events.size() - 1).revision());
            watermark.executeUpdate();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
    }

    /** Replaces everything with {@code entries}, the whole state at {@code revision}. */
    void rebuild(long revision, Collection<Entry> entries) throws SQLException {
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
            statement.executeUpdate("UPDATE view_status SET revision = " + revision + ", rebuilt_at_revision = "
                    + revision + " WHERE id = 1");
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
    }

    private void write(AppliedChanges.Change change) throws SQLException {
        Entry entry = change.entry();
        if (entry == null) {
            deleteEntry.setString(1, change.key());
            deleteEntry.executeUpdate();
            deleteHistory.setString(1, change.key());
            deleteHistory.executeUpdate();
            return;
        }
        bindEntry(entry);
        upsertEntry.executeUpdate();
        List<Version> retained = versions(entry);
        if (entry.version() == 1) {
            // A new incarnation of the key: nothing of an earlier one may remain.
            deleteHistory.setString(1, entry.key());
            deleteHistory.executeUpdate();
        } else {
            trimHistory.setString(1, entry.key());
            trimHistory.setLong(2, retained.get(retained.size() - 1).modRevision());
            trimHistory.executeUpdate();
        }
        bindVersion(entry.key(), entry.current());
        upsertVersion.executeUpdate();
    }

    private void bindEntry(Entry entry) throws SQLException {
        upsertEntry.setString(1, entry.key());
        upsertEntry.setBytes(2, entry.value());
        upsertEntry.setString(3, entry.contentType());
        upsertEntry.setLong(4, entry.createRevision());
        upsertEntry.setLong(5, entry.modRevision());
        upsertEntry.setLong(6, entry.version());
        upsertEntry.setLong(7, entry.modifiedAtMillis());
        upsertEntry.setObject(8, time(entry.modifiedAtMillis()));
    }

    private void bindVersion(String key, Version version) throws SQLException {
        upsertVersion.setString(1, key);
        upsertVersion.setLong(2, version.modRevision());
        upsertVersion.setLong(3, version.version());
        upsertVersion.setBytes(4, version.value());
        upsertVersion.setString(5, version.contentType());
        upsertVersion.setLong(6, version.modifiedAtMillis());
        upsertVersion.setObject(7, time(version.modifiedAtMillis()));
    }

    /** The current version first, then the retained ones, newest first. */
    static List<Version> versions(Entry entry) {
        List<Version> all = new ArrayList<>(entry.history().size() + 1);
        all.add(entry.current());
        all.addAll(entry.history());
        return all;
    }

    private static OffsetDateTime time(long millis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }

    /** One applied entry's changes, and when it was handed over ({@link System#nanoTime()}). */
    record Event(long revision, List<AppliedChanges.Change> changes, long appliedAtNanos) {
    }
}
