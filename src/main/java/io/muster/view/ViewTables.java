package io.muster.view;

import io.muster.core.Instance;
import io.muster.core.Lease;
import io.muster.core.Lock;
import io.muster.core.Role;
import io.muster.core.Token;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** Reads leases, service instances, locks and tokens back out of the view's tables, in the state's order. */
final class ViewTables {

    private ViewTables() {
    }

    /** Every lease, by id. */
    static List<Lease> leases(Connection connection) throws SQLException {
        return Jdbc.list(connection, "SELECT lease_id, ttl_millis, granted_at_millis FROM leases ORDER BY lease_id",
                row -> new Lease(row.getLong(1), row.getLong(2), row.getLong(3)));
    }

    /** Every instance, ordered by {@code service/id} as the state orders them. */
    static List<Instance> instances(Connection connection) throws SQLException {
        try (PreparedStatement tags = connection.prepareStatement("SELECT tag FROM instance_tags "
                + "WHERE service = ? AND instance_id = ? ORDER BY position");
             PreparedStatement metadata = connection.prepareStatement("SELECT meta_key, meta_value "
                     + "FROM instance_metadata WHERE service = ? AND instance_id = ?")) {
            return Jdbc.list(connection, "SELECT service, instance_id, address, port, zone, status, lease_id, "
                    + "create_revision, mod_revision, modified_at_millis FROM instances "
                    + "ORDER BY service || '/' || instance_id",
                    row -> {
                        String service = row.getString(1);
                        String id = row.getString(2);
                        return new Instance(service, id, row.getString(3), row.getInt(4), row.getString(5),
                                Jdbc.list(tags, tag -> tag.getString(1), service, id), metadata(metadata, service, id),
                                Instance.Status.valueOf(row.getString(6)), row.getLong(7), row.getLong(8), row.getLong(9),
                                row.getLong(10));
                    });
        }
    }

    private static SortedMap<String, String> metadata(PreparedStatement metadata, String service, String id)
            throws SQLException {
        SortedMap<String, String> found = new TreeMap<>();
        Jdbc.forEach(metadata, row -> found.put(row.getString(1), row.getString(2)), service, id);
        return found;
    }

    /** Every lock with its queue, by name. */
    static List<Lock> locks(Connection connection) throws SQLException {
        try (PreparedStatement waiters = connection.prepareStatement("SELECT lease_id, holder, since_revision "
                + "FROM lock_waiters WHERE lock_name = ? ORDER BY position")) {
            return Jdbc.list(connection, "SELECT lock_name, holder, lease_id, fencing_token FROM locks ORDER BY lock_name",
                    row -> {
                        String name = row.getString(1);
                        Lock.Holder holder = row.getString(2) == null ? null
                                : new Lock.Holder(row.getLong(3), row.getString(2), row.getLong(4));
                        return new Lock(name, holder, Jdbc.list(waiters,
                                waiter -> new Lock.Holder(waiter.getLong(1), waiter.getString(2), waiter.getLong(3)), name));
                    });
        }
    }

    /** Every token by name, as the view holds it: without a secret hash (the digest does not cover one). */
    static List<Token> tokens(Connection connection) throws SQLException {
        return Jdbc.list(connection, "SELECT token_name, role, prefixes, create_revision, created_at_millis, service_scopes "
                + "FROM tokens ORDER BY token_name", row -> {
                    String prefixes = row.getString(3);
                    String services = row.getString(6);
                    return new Token(row.getString(1), new byte[Token.HASH_BYTES], Role.ofLabel(row.getString(2)),
                            prefixes.isEmpty() ? List.of() : List.of(prefixes.split(",")), row.getLong(4), row.getLong(5),
                            services.isEmpty() ? List.of() : List.of(services.split(",")));
                });
    }
}
