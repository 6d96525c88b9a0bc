package io.muster.view;

import static io.muster.view.Jdbc.delete;
import static io.muster.view.Jdbc.insert;
import static io.muster.view.Jdbc.merge;

import io.muster.core.Release;
import io.muster.core.ReleaseResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes configuration releases ({@link Release}) into the view's {@code config_release} and
 * {@code config_release_document} tables, inside the transaction {@link Projection} runs, from the
 * release commands' results: the release as it now is, and the ids retention pruned. Only each
 * release's final state in a batch is written. Not thread-safe: the projector thread owns it.
 */
final class ReleaseTables {

    private final Connection connection;
    private final PreparedStatement upsertRelease;
    private final PreparedStatement deleteRelease;
    private final PreparedStatement insertDocument;
    private final PreparedStatement deleteDocuments;
    private boolean pending;

    ReleaseTables(Connection connection) throws SQLException {
        this.connection = connection;
        upsertRelease = merge(connection, "config_release", "release_id, title, state, author, created_at_millis, "
                + "created_at, gray_rule, validation_status, published_revision, published_by, published_at, "
                + "rollback_of, restore_of, revision", "release_id");
        deleteRelease = delete(connection, "config_release", "release_id");
        insertDocument = insert(connection, "config_release_document", "release_id, position, doc_key, app, profile, "
                + "content_type, deletes, value_bytes, base_mod_revision");
        deleteDocuments = delete(connection, "config_release_document", "release_id");
    }

    void batch(List<Projection.Event> events) throws SQLException {
        Map<Long, Release> changed = new LinkedHashMap<>();
        for (Projection.Event event : events) {
            // A repeated idempotent command answers with its first result, of an earlier revision: not news.
            if (event.applied().result() instanceof ReleaseResult result && result.revision() == event.revision()) {
                changed.put(result.release().id(), result.release());
                result.pruned().forEach(id -> changed.put(id, null));
            }
        }
        for (Map.Entry<Long, Release> release : changed.entrySet()) {
            pending = true;
            deleteDocuments.setLong(1, release.getKey());
            deleteDocuments.addBatch();
            deleteRelease.setLong(1, release.getKey());
            deleteRelease.addBatch();
            if (release.getValue() != null) {
                bind(release.getValue());
            }
        }
    }

    void execute() throws SQLException {
        if (!pending) {
            return;
        }
        pending = false;
        deleteDocuments.executeBatch();
        deleteRelease.executeBatch();
        upsertRelease.executeBatch();
        insertDocument.executeBatch();
    }

    void rebuild(Collection<Release> releases) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM config_release_document");
            statement.executeUpdate("DELETE FROM config_release");
        }
        for (Release release : releases) {
            bind(release);
        }
        pending = true;
        execute();
    }

    private void bind(Release release) throws SQLException {
        upsertRelease.setLong(1, release.id());
        upsertRelease.setString(2, release.title());
        upsertRelease.setString(3, release.state().name().toLowerCase(java.util.Locale.ROOT));
        upsertRelease.setString(4, release.author());
        upsertRelease.setLong(5, release.createdAtMillis());
        upsertRelease.setObject(6, Projection.time(release.createdAtMillis()));
        upsertRelease.setString(7, release.gray() == null ? null : rule(release.gray().rule()));
        upsertRelease.setString(8, release.validation().status().name().toLowerCase(java.util.Locale.ROOT));
        Release.Published published = release.published();
        if (published == null) {
            upsertRelease.setNull(9, Types.BIGINT);
            upsertRelease.setNull(10, Types.VARCHAR);
            upsertRelease.setNull(11, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            upsertRelease.setLong(9, published.revision());
            upsertRelease.setString(10, published.by());
            upsertRelease.setObject(11, Projection.time(published.atMillis()));
        }
        setOptional(12, release.rollbackOf());
        setOptional(13, release.restoreOf());
        upsertRelease.setLong(14, release.revision());
        upsertRelease.addBatch();
        for (int i = 0; i < release.documents().size(); i++) {
            Release.Document document = release.documents().get(i);
            String[] segments = document.key().split("/");
            insertDocument.setLong(1, release.id());
            insertDocument.setInt(2, i);
            insertDocument.setString(3, document.key());
            insertDocument.setString(4, segments.length >= 2 ? segments[segments.length - 2] : "");
            insertDocument.setString(5, segments[segments.length - 1]);
            insertDocument.setString(6, document.deletes() ? null : document.contentType());
            insertDocument.setBoolean(7, document.deletes());
            if (document.deletes()) {
                insertDocument.setNull(8, Types.VARBINARY);
            } else {
                insertDocument.setBytes(8, document.content());
            }
            insertDocument.setLong(9, document.baseModRevision());
            insertDocument.addBatch();
        }
    }

    private void setOptional(int index, long id) throws SQLException {
        if (id == 0) {
            upsertRelease.setNull(index, Types.BIGINT);
        } else {
            upsertRelease.setLong(index, id);
        }
    }

    /** A gray rule as text, e.g. {@code labels track=canary; percent 10}. */
    private static String rule(Release.GrayRule rule) {
        StringBuilder text = new StringBuilder();
        if (!rule.instances().isEmpty()) {
            text.append("instances ").append(String.join(",", rule.instances()));
        }
        if (!rule.ips().isEmpty()) {
            text.append(text.isEmpty() ? "" : "; ").append("ips ").append(String.join(",", rule.ips()));
        }
        if (!rule.labels().isEmpty()) {
            text.append(text.isEmpty() ? "" : "; ").append("labels ");
            rule.labels().forEach((name, value) -> text.append(name).append('=').append(value).append(','));
            text.setLength(text.length() - 1);
        }
        if (rule.percent() != Release.GrayRule.NO_PERCENT) {
            text.append(text.isEmpty() ? "" : "; ").append("percent ").append(rule.percent());
        }
        return text.length() > 8192 ? text.substring(0, 8192) : text.toString();
    }
}
