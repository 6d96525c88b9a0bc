package io.muster.view;

import io.muster.core.ContentDigest;
import io.muster.core.Entry;
import io.muster.core.Version;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The view's own reads (history, audit, rollback's retained version, search, the content digest), each
 * in one snapshot transaction ({@link View#ONE_SNAPSHOT}) so that all it reads, the view revision it
 * reports included, is of one revision. A database that turns out broken is reported to the
 * {@link ViewStatus} and the reader gets {@link ViewUnavailableException}.
 *
 * <p>Thread-safe: each read takes its own connection.
 */
final class ViewReads {

    private final ViewStatus status;

    ViewReads(ViewStatus status) {
        this.status = status;
    }

    /**
     * A key's retained versions, newest first, older than {@code beforeRevision} (0: from the newest),
     * at most {@code limit}, read at one view revision.
     */
    View.History history(String key, long beforeRevision, int limit) {
        return read(connection -> {
            List<Version> versions = new ArrayList<>();
            List<String> authors = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT " + VERSION_COLUMNS + ", modified_by"
                    + " FROM entry_history WHERE entry_key = ? AND mod_revision < ? ORDER BY mod_revision DESC LIMIT ?")) {
                Jdbc.forEach(select, row -> {
                    versions.add(version(row, 1));
                    authors.add(row.getString(6));
                }, key, beforeRevision > 0 ? beforeRevision : Long.MAX_VALUE, limit + 1);
            }
            boolean more = versions.size() > limit;
            int size = more ? limit : versions.size();
            Long next = more ? versions.get(size - 1).modRevision() : null;
            return new View.History(viewRevision(connection), List.copyOf(versions.subList(0, size)),
                    java.util.Collections.unmodifiableList(new ArrayList<>(authors.subList(0, size))), next);
        });
    }

    /**
     * Audit records, oldest first, after revision {@code afterRevision} and at or after
     * {@code sinceMillis}, optionally only those of {@code principal} or whose target starts with
     * {@code targetPrefix}; at most {@code limit}.
     */
    View.AuditPage audit(String targetPrefix, String principal, long afterRevision, long sinceMillis, int limit) {
        return read(connection -> {
            List<View.AuditRecord> records = Jdbc.list(connection, "SELECT revision, at_millis, principal, "
                    + "request_id, action, target, outcome FROM audit WHERE revision > ? AND at_millis >= ? "
                    + "AND (? IS NULL OR principal = ?) AND (? IS NULL OR LEFT(target, ?) = ?) "
                    + "ORDER BY revision LIMIT ?",
                    row -> new View.AuditRecord(row.getLong(1), row.getLong(2), row.getString(3), row.getString(4),
                            row.getString(5), row.getString(6), row.getString(7)),
                    afterRevision, sinceMillis, principal, principal, targetPrefix,
                    targetPrefix == null ? 0 : targetPrefix.length(), targetPrefix, limit + 1);
            boolean more = records.size() > limit;
            List<View.AuditRecord> page = more ? records.subList(0, limit) : records;
            Long next = more ? page.get(page.size() - 1).revision() : null;
            return new View.AuditPage(viewRevision(connection), List.copyOf(page), next);
        });
    }

    /** The content digest of the view (comparable with the state's) and the revision it reflects. */
    View.Digest digest() {
        return read(connection -> {
            ContentDigest digest = new ContentDigest();
            digestEntries(connection, digest);
            ViewTables.leases(connection).forEach(digest::add);
            ViewTables.instances(connection).forEach(digest::add);
            ViewTables.locks(connection).forEach(digest::add);
            ViewTables.tokens(connection).forEach(digest::add);
            return new View.Digest(viewRevision(connection), digest.hex());
        });
    }

    /** Adds every entry with its retained versions to {@code digest}, in key order, one entry at a time. */
    private static void digestEntries(Connection connection, ContentDigest digest) throws SQLException {
        try (var statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT e.entry_key, e.create_revision, e.lease_id, "
                     + columns("h") + " FROM entries e JOIN entry_history h ON h.entry_key = e.entry_key "
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
    Optional<View.Retained> retained(String key, long modRevision) {
        return read(connection -> {
            return Jdbc.list(connection, "SELECT " + columns("h") + ", e.mod_revision "
                    + "FROM entry_history h JOIN entries e ON e.entry_key = h.entry_key "
                    + "WHERE h.entry_key = ? AND h.mod_revision = ?",
                    row -> new View.Retained(version(row, 1), row.getLong(6), viewRevision(connection)), key, modRevision)
                    .stream().findFirst();
        });
    }

    /**
     * Current entries matching every given filter, in key order after {@code after}, at most
     * {@code limit}, read at one view revision.
     */
    View.Search search(View.SearchFilter filter, String after, int limit) {
        return read(connection -> {
            StringBuilder sql = new StringBuilder("SELECT entry_key, create_revision, " + VERSION_COLUMNS
                    + " FROM entries WHERE entry_key > ?");
            List<Object> parameters = new ArrayList<>(List.of(after == null ? "" : after));
            if (!filter.prefix().isEmpty()) {
                sql.append(" AND entry_key >= ? AND entry_key < ?");
                parameters.add(filter.prefix());
                parameters.add(filter.prefix() + Character.MAX_VALUE);
            }
            condition(sql, parameters, " AND content_type = ?", filter.contentType());
            condition(sql, parameters, " AND modified_at_millis > ?", filter.modifiedAfterMillis());
            condition(sql, parameters, " AND mod_revision > ?", filter.modifiedAfterRevision());
            condition(sql, parameters, " AND LOCATE(?, UTF8TOSTRING(value_bytes)) > 0", filter.valueContains());
            sql.append(" ORDER BY entry_key LIMIT ?");
            parameters.add(limit + 1);
            List<Entry> entries = Jdbc.list(connection, sql.toString(),
                    row -> new Entry(row.getString(1), row.getLong(2), version(row, 3), List.of()), parameters.toArray());
            boolean more = entries.size() > limit;
            List<Entry> page = more ? entries.subList(0, limit) : entries;
            return new View.Search(viewRevision(connection), List.copyOf(page), more ? page.get(page.size() - 1).key() : null);
        });
    }

    /** Adds a search condition and its one parameter, unless the filter leaves it out ({@code value} null). */
    private static void condition(StringBuilder sql, List<Object> parameters, String condition, Object value) {
        if (value != null) {
            sql.append(condition);
            parameters.add(value);
        }
    }

    private interface Reader<T> {
        T read(Connection connection) throws SQLException;
    }

    /** Runs {@code reader} in one snapshot transaction, so that all it reads is of one revision. */
    private <T> T read(Reader<T> reader) {
        ViewDatabase current = status.available();
        try (Connection connection = current.admin()) {
            connection.setTransactionIsolation(View.ONE_SNAPSHOT);
            connection.setAutoCommit(false);
            try {
                return reader.read(connection);
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            if (ViewDatabase.broken(e) && !current.alive()) {
                status.reportFailure(current, e.getMessage());
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

    /** The revision the view reflects, as the transaction on {@code connection} sees it. */
    static long viewRevision(Connection connection) throws SQLException {
        try (var statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT revision FROM view_status WHERE id = 1")) {
            row.next();
            return row.getLong(1);
        }
    }
}
