package io.muster.view;

import io.muster.core.Instance;
import io.muster.core.Lock;
import io.muster.core.Role;
import io.muster.core.Token;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** Reads service instances and locks back out of the view's tables, in the state's order. */
final class ViewTables {

    private ViewTables() {
    }

    /** Every instance, ordered by {@code service/id} as the state orders them. */
    static List<Instance> instances(Connection connection) throws SQLException {
        List<Instance> instances = new ArrayList<>();
        try (var statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT service, instance_id, address, port, zone, status, lease_id, "
                     + "create_revision, mod_revision, modified_at_millis FROM instances "
                     + "ORDER BY service || '/' || instance_id");
             PreparedStatement tags = connection.prepareStatement("SELECT tag FROM instance_tags WHERE service = ? "
                     + "AND instance_id = ? ORDER BY position");
             PreparedStatement metadata = connection.prepareStatement("SELECT meta_key, meta_value FROM instance_metadata "
                     + "WHERE service = ? AND instance_id = ?")) {
            while (rows.next()) {
                String service = rows.getString(1);
                String id = rows.getString(2);
                instances.add(new Instance(service, id, rows.getString(3), rows.getInt(4), rows.getString(5),
                        tags(tags, service, id), metadata(metadata, service, id),
                        Instance.Status.valueOf(rows.getString(6)), rows.getLong(7), rows.getLong(8), rows.getLong(9),
                        rows.getLong(10)));
            }
        }
        return instances;
    }

    /** Every lock with its queue, by name. */
    static List<Lock> locks(Connection connection) throws SQLException {
        List<Lock> locks = new ArrayList<>();
        try (var statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT lock_name, holder, lease_id, fencing_token FROM locks "
                     + "ORDER BY lock_name");
             PreparedStatement waiters = connection.prepareStatement("SELECT lease_id, holder, since_revision "
                     + "FROM lock_waiters WHERE lock_name = ? ORDER BY position")) {
            while (rows.next()) {
                String name = rows.getString(1);
                Lock.Holder holder = rows.getString(2) == null ? null
                        : new Lock.Holder(rows.getLong(3), rows.getString(2), rows.getLong(4));
                List<Lock.Holder> queue = new ArrayList<>();
                waiters.setString(1, name);
                try (ResultSet waiting = waiters.executeQuery()) {
                    while (waiting.next()) {
                        queue.add(new Lock.Holder(waiting.getLong(1), waiting.getString(2), waiting.getLong(3)));
                    }
                }
                locks.add(new Lock(name, holder, queue));
            }
        }
        return locks;
    }

    private static List<String> tags(PreparedStatement tags, String service, String id) throws SQLException {
        tags.setString(1, service);
        tags.setString(2, id);
        List<String> found = new ArrayList<>();
        try (ResultSet rows = tags.executeQuery()) {
            while (rows.next()) {
                found.add(rows.getString(1));
            }
        }
        return found;
    }

    private static SortedMap<String, String> metadata(PreparedStatement metadata, String service, String id)
            throws SQLException {
        metadata.setString(1, service);
        metadata.setString(2, id);
        SortedMap<String, String> found = new TreeMap<>();
        try (ResultSet rows = metadata.executeQuery()) {
            while (rows.next()) {
                found.put(rows.getString(1), rows.getString(2));
            }
        }
        return found;
    }

    /** Every token by name, as the view holds it: without a secret hash (the digest does not cover one). */
    static List<Token> tokens(Connection connection) throws SQLException {
        List<Token> tokens = new ArrayList<>();
        try (var statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT token_name, role, prefixes, create_revision, "
                     + "created_at_millis FROM tokens ORDER BY token_name")) {
            while (rows.next()) {
                String prefixes = rows.getString(3);
                tokens.add(new Token(rows.getString(1), new byte[Token.HASH_BYTES],
                        Role.ofLabel(rows.getString(2)),
                        prefixes.isEmpty() ? List.of() : List.of(prefixes.split(",")), rows.getLong(4), rows.getLong(5)));
            }
        }
        return tokens;
    }
}
