package io.muster.view;

import static io.muster.view.Jdbc.delete;
import static io.muster.view.Jdbc.insert;
import static io.muster.view.Jdbc.merge;

import io.muster.core.Applied;
import io.muster.core.Instance;
import io.muster.core.Lease;
import io.muster.core.Lock;
import io.muster.core.Token;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes leases, service instances (with their tags and metadata) and locks (with their queues) into
 * the view, inside the transaction {@link Projection} runs. Only each row's final state in a batch is
 * written. Not thread-safe: the projector thread owns it.
 */
final class CoordinationTables {

    /** The key of an instance's rows, in {@code instances} and in its tags' and metadata's tables. */
    private static final String INSTANCE_KEY = "service, instance_id";

    private final Connection connection;
    private final PreparedStatement upsertLease;
    private final PreparedStatement deleteLease;
    private final PreparedStatement upsertInstance;
    private final PreparedStatement deleteInstance;
    private final PreparedStatement deleteTags;
    private final PreparedStatement insertTag;
    private final PreparedStatement deleteMetadata;
    private final PreparedStatement insertMetadata;
    private final PreparedStatement upsertLock;
    private final PreparedStatement deleteLock;
    private final PreparedStatement deleteWaiters;
    private final PreparedStatement insertWaiter;
    private final PreparedStatement upsertToken;
    private final PreparedStatement deleteToken;
    private final PreparedStatement upsertAudit;
    private final PreparedStatement oldestKeptAudit;
    private final PreparedStatement trimAudit;
    private final int auditRows;
    private long auditAdded;
    /** Whether anything was added to a batch since the last {@link #execute}: most batches touch only keys. */
    private boolean pending;
    /** Audit rows added to the batch since the last {@link #execute}. */
    private int auditPending;

    CoordinationTables(Connection connection, int auditRows) throws SQLException {
        this.connection = connection;
        this.auditRows = auditRows;
        upsertToken = merge(connection, "tokens", "token_name, role, prefixes, create_revision, created_at_millis, "
                + "created_at, service_scopes", "token_name");
        deleteToken = delete(connection, "tokens", "token_name");
        upsertAudit = merge(connection, "audit", "revision, at_millis, at, principal, request_id, action, target, "
                + "outcome", "revision");
        // Two statements, not one: H2 evaluates a subquery in a DELETE's condition once per row, and with
        // the OFFSET scan that made each trim quadratic in audit-rows (the H2 view fell minutes behind
        // under a put benchmark once the table was full).
        oldestKeptAudit = connection.prepareStatement("SELECT revision FROM audit ORDER BY revision DESC LIMIT 1 OFFSET ?");
        trimAudit = connection.prepareStatement("DELETE FROM audit WHERE revision < ?");
        upsertLease = merge(connection, "leases", "lease_id, ttl_millis, granted_at_millis, granted_at", "lease_id");
        deleteLease = delete(connection, "leases", "lease_id");
        upsertInstance = merge(connection, "instances", "service, instance_id, address, port, zone, status, lease_id, "
                + "create_revision, mod_revision, modified_at_millis, modified_at", INSTANCE_KEY);
        deleteInstance = delete(connection, "instances", INSTANCE_KEY);
        insertTag = insert(connection, "instance_tags", INSTANCE_KEY + ", position, tag");
        deleteTags = delete(connection, "instance_tags", INSTANCE_KEY);
        insertMetadata = insert(connection, "instance_metadata", INSTANCE_KEY + ", meta_key, meta_value");
        deleteMetadata = delete(connection, "instance_metadata", INSTANCE_KEY);
        upsertLock = merge(connection, "locks", "lock_name, holder, lease_id, fencing_token, waiters", "lock_name");
        deleteLock = delete(connection, "locks", "lock_name");
        insertWaiter = insert(connection, "lock_waiters", "lock_name, position, holder, lease_id, since_revision");
        deleteWaiters = delete(connection, "lock_waiters", "lock_name");
    }

    /** Adds the final state of every lease, instance and lock the events changed to the open batches. */
    void batch(List<Projection.Event> events) throws SQLException {
        Map<Long, Lease> leases = new LinkedHashMap<>();
        Map<String, Applied.InstanceChange> instances = new LinkedHashMap<>();
        Map<String, Lock> locks = new LinkedHashMap<>();
        Map<String, Token> tokens = new LinkedHashMap<>();
        for (Projection.Event event : events) {
            Applied applied = event.applied();
            applied.tokens().forEach(change -> tokens.put(change.name(), change.token()));
            if (applied.audit() != null) {
                bindAudit(applied.revision(), applied.audit());
            }
            applied.granted().forEach(lease -> leases.put(lease.id(), lease));
            applied.ended().forEach(id -> leases.put(id, null));
            applied.instances().forEach(change -> instances.put(Instance.key(change.service(), change.id()), change));
            applied.locks().forEach(lock -> locks.put(lock.name(), lock));
        }
        pending |= !leases.isEmpty() || !instances.isEmpty() || !locks.isEmpty() || !tokens.isEmpty();
        for (Map.Entry<String, Token> token : tokens.entrySet()) {
            deleteToken.setString(1, token.getKey());
            deleteToken.addBatch();
            if (token.getValue() != null) {
                bindToken(token.getValue());
            }
        }
        for (Map.Entry<Long, Lease> lease : leases.entrySet()) {
            if (lease.getValue() == null) {
                deleteLease.setLong(1, lease.getKey());
                deleteLease.addBatch();
            } else {
                bindLease(lease.getValue());
            }
        }
        for (Applied.InstanceChange change : instances.values()) {
            removeInstance(change.service(), change.id());
            if (change.instance() != null) {
                bindInstance(change.instance());
            }
        }
        for (Lock lock : locks.values()) {
            deleteWaiters.setString(1, lock.name());
            deleteWaiters.addBatch();
            if (lock.holder() == null && lock.waiters().isEmpty()) {
                deleteLock.setString(1, lock.name());
                deleteLock.addBatch();
            } else {
                bindLock(lock);
            }
        }
    }

    /** Deletes all but the newest {@code auditRows} audit records. */
    private void trimAudit() throws SQLException {
        oldestKeptAudit.setInt(1, auditRows - 1);
        try (ResultSet oldestKept = oldestKeptAudit.executeQuery()) {
            if (oldestKept.next()) {
                trimAudit.setLong(1, oldestKept.getLong(1));
                trimAudit.executeUpdate();
            }
        }
    }

    /** Sends the batches, deletions first; nothing at all when nothing was added. */
    void execute() throws SQLException {
        if (auditPending > 0) {
            upsertAudit.executeBatch();
            auditAdded += auditPending;
            auditPending = 0;
            if (auditAdded >= Math.max(1, auditRows / 10)) {
                auditAdded = 0;
                trimAudit();
            }
        }
        if (!pending) {
            return;
        }
        pending = false;
        deleteToken.executeBatch();
        upsertToken.executeBatch();
        deleteLease.executeBatch();
        upsertLease.executeBatch();
        deleteInstance.executeBatch();
        deleteTags.executeBatch();
        deleteMetadata.executeBatch();
        upsertInstance.executeBatch();
        insertTag.executeBatch();
        insertMetadata.executeBatch();
        deleteWaiters.executeBatch();
        deleteLock.executeBatch();
        upsertLock.executeBatch();
        insertWaiter.executeBatch();
    }

    /** Replaces the tables' rows with these, inside the caller's transaction. */
    void rebuild(Collection<Lease> leases, Collection<Instance> instances, Collection<Lock> locks,
            Collection<Token> tokens) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String table : List.of("leases", "instances", "instance_tags", "instance_metadata", "locks",
                    "lock_waiters", "tokens")) {
                statement.executeUpdate("DELETE FROM " + table);
            }
        }
        for (Lease lease : leases) {
            bindLease(lease);
        }
        for (Instance instance : instances) {
            bindInstance(instance);
        }
        for (Lock lock : locks) {
            bindLock(lock);
        }
        for (Token token : tokens) {
            bindToken(token);
        }
        pending = true;
        execute();
    }

    private void bindLease(Lease lease) throws SQLException {
        upsertLease.setLong(1, lease.id());
        upsertLease.setLong(2, lease.ttlMillis());
        upsertLease.setLong(3, lease.grantedAtMillis());
        upsertLease.setObject(4, time(lease.grantedAtMillis()));
        upsertLease.addBatch();
    }

    private void removeInstance(String service, String id) throws SQLException {
        for (PreparedStatement delete : List.of(deleteInstance, deleteTags, deleteMetadata)) {
            delete.setString(1, service);
            delete.setString(2, id);
            delete.addBatch();
        }
    }

    private void bindInstance(Instance instance) throws SQLException {
        upsertInstance.setString(1, instance.service());
        upsertInstance.setString(2, instance.id());
        upsertInstance.setString(3, instance.address());
        upsertInstance.setInt(4, instance.port());
        upsertInstance.setString(5, instance.zone());
        upsertInstance.setString(6, instance.status().name());
        upsertInstance.setLong(7, instance.lease());
        upsertInstance.setLong(8, instance.createRevision());
        upsertInstance.setLong(9, instance.modRevision());
        upsertInstance.setLong(10, instance.modifiedAtMillis());
        upsertInstance.setObject(11, time(instance.modifiedAtMillis()));
        upsertInstance.addBatch();
        for (int i = 0; i < instance.tags().size(); i++) {
            insertTag.setString(1, instance.service());
            insertTag.setString(2, instance.id());
            insertTag.setInt(3, i);
            insertTag.setString(4, instance.tags().get(i));
            insertTag.addBatch();
        }
        for (Map.Entry<String, String> meta : instance.metadata().entrySet()) {
            insertMetadata.setString(1, instance.service());
            insertMetadata.setString(2, instance.id());
            insertMetadata.setString(3, meta.getKey());
            insertMetadata.setString(4, meta.getValue());
            insertMetadata.addBatch();
        }
    }

    private void bindLock(Lock lock) throws SQLException {
        upsertLock.setString(1, lock.name());
        if (lock.holder() == null) {
            upsertLock.setNull(2, Types.VARCHAR);
            upsertLock.setNull(3, Types.BIGINT);
            upsertLock.setNull(4, Types.BIGINT);
        } else {
            upsertLock.setString(2, lock.holder().owner());
            upsertLock.setLong(3, lock.holder().lease());
            upsertLock.setLong(4, lock.holder().token());
        }
        upsertLock.setInt(5, lock.waiters().size());
        upsertLock.addBatch();
        for (int i = 0; i < lock.waiters().size(); i++) {
            Lock.Holder waiter = lock.waiters().get(i);
            insertWaiter.setString(1, lock.name());
            insertWaiter.setInt(2, i + 1);
            insertWaiter.setString(3, waiter.owner());
            insertWaiter.setLong(4, waiter.lease());
            insertWaiter.setLong(5, waiter.token());
            insertWaiter.addBatch();
        }
    }

    private void bindToken(Token token) throws SQLException {
        upsertToken.setString(1, token.name());
        upsertToken.setString(2, token.role().label());
        upsertToken.setString(3, String.join(",", token.prefixes()));
        upsertToken.setLong(4, token.createRevision());
        upsertToken.setLong(5, token.createdAtMillis());
        upsertToken.setObject(6, time(token.createdAtMillis()));
        upsertToken.setString(7, String.join(",", token.services()));
        upsertToken.addBatch();
    }

    private void bindAudit(long revision, Applied.Audit audit) throws SQLException {
        upsertAudit.setLong(1, revision);
        upsertAudit.setLong(2, audit.atMillis());
        upsertAudit.setObject(3, time(audit.atMillis()));
        upsertAudit.setString(4, audit.principal());
        upsertAudit.setString(5, audit.requestId());
        upsertAudit.setString(6, audit.action());
        upsertAudit.setString(7, audit.target().length() > 512 ? audit.target().substring(0, 512) : audit.target());
        upsertAudit.setString(8, audit.outcome());
        upsertAudit.addBatch();
        auditPending++;
    }

    private static OffsetDateTime time(long millis) {
        return Projection.time(millis);
    }
}
