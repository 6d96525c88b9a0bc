package io.muster.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Who may do what: the one place that decides whether a token may issue a command, used by the API
 * (to answer 403 before anything is proposed) and by apply (against the tokens at that point of the
 * log, so a revoke takes effect at one revision on every replica).
 *
 * <p>The rules: reading needs {@link Role#READER}, changing anything {@link Role#WRITER}, tokens and
 * other administration {@link Role#ADMIN}. A token confined to prefixes may use only keys under them
 * (key/value reads and writes, transactions, watches and history of those keys); one confined to
 * services may register, change and deregister instances of those services (with the lease a
 * registration makes for itself, not a lease of its own) and read and watch the registry: the scope
 * grants those writes, so a reader token that names services may make them, and its role still governs
 * its keys (a reader's prefixes stay read-only). Leases, the
 * rest of the registry, locks, elections and search need a token that is not confined. Cluster status
 * is no key data, so a confined reader may read it.
 */
public final class Access {

    private Access() {
    }

    /**
     * Returns why {@code token} may not issue {@code command}, or {@code null} when it may, by the rules of
     * this build's newest cluster version: what the API checks before proposing.
     */
    public static String denial(Token token, Command command) {
        return denial(token, command, ClusterVersion.SUPPORTED);
    }

    /**
     * Returns why {@code token} may not issue {@code command} in a cluster at {@code clusterVersion}, or
     * {@code null} when it may: what apply checks, so that every replica applies one log by one set of rules.
     */
    public static String denial(Token token, Command command, int clusterVersion) {
        String reserved = clusterVersion >= 4 ? reservedDenial(token, command) : null;
        return reserved != null ? reserved : switch (command) {
            case Command.CreateToken _, Command.RevokeToken _ -> require(token, Role.ADMIN);
            case Command.ExpireLeases _, Command.SetDesiredVoters _, Command.RaiseClusterVersion _, Command.Authored _ ->
                    "'" + token.name() + "' may not issue " + command.getClass().getSimpleName();
            case Command.Put put -> writerDenial(token, put.lease() == 0 ? List.of(put.key()) : null);
            case Command.Delete delete -> writerDenial(token, List.of(delete.key()));
            // A confined token may delete a prefix inside one of its own: every key it can reach is its.
            case Command.DeletePrefix deletePrefix -> writerDenial(token, List.of(deletePrefix.prefix()));
            case Command.Txn txn -> writerDenial(token, keysOf(txn));
            case Command.RegisterInstance register -> register.lease() == 0
                    ? serviceWriterDenial(token, register.service()) : writerDenial(token, null);
            case Command.DeregisterInstance deregister -> serviceWriterDenial(token, deregister.service());
            case Command.SetInstanceStatus change -> serviceWriterDenial(token, change.service());
            case Command.GrantLease _, Command.RevokeLease _, Command.AcquireLock _, Command.ReleaseLock _,
                    Command.CancelLockWait _ -> writerDenial(token, null);
            case Command.CreateRelease create -> writerDenial(token, create.documents().stream().map(Release.Draft::key).toList());
            case Command.UpdateRelease update -> writerDenial(token, update.documents().stream().map(Release.Draft::key).toList());
            case Command.RestoreDocument restore -> writerDenial(token, List.of(restore.key()));
            // The release's own documents are known only to the state: its table checks the prefixes.
            case Command.RebaseRelease _, Command.GrayRelease _, Command.PublishRelease _, Command.AbandonRelease _,
                    Command.RollbackRelease _ -> require(token, Role.WRITER);
        };
    }

    /**
     * From cluster version 4: why {@code token} may not write or delete a reserved key ({@link Keys#reserved})
     * directly, or {@code null}. A prefix deletion by a token that is not an administrator keeps them instead.
     */
    private static String reservedDenial(Token token, Command command) {
        if (token.role().includes(Role.ADMIN)) {
            return null;
        }
        List<String> keys = switch (command) {
            case Command.Put put -> List.of(put.key());
            case Command.Delete delete -> List.of(delete.key());
            case Command.Txn txn -> txn.then().stream().filter(op -> !(op instanceof Op.Get)).map(Op::key).toList();
            default -> List.of();
        };
        List<String> all = new ArrayList<>(keys);
        if (command instanceof Command.Txn txn) {
            txn.otherwise().stream().filter(op -> !(op instanceof Op.Get)).map(Op::key).forEach(all::add);
        }
        for (String key : all) {
            if (Keys.reserved(key)) {
                return "'" + key + "' is reserved (a segment starting with '~': an application's release policy or "
                        + "schema); only an admin token writes or deletes it";
            }
        }
        return null;
    }

    /**
     * Why {@code token} may not change {@code keys} (every one must be inside its prefixes), or, for
     * {@code null} keys, what is not a key; {@code null} when it may.
     */
    private static String writerDenial(Token token, List<String> keys) {
        String role = require(token, Role.WRITER);
        if (role != null) {
            return role;
        }
        if (keys == null) {
            return unconfinedDenial(token);
        }
        for (String key : keys) {
            String outside = keyDenial(token, key);
            if (outside != null) {
                return outside;
            }
        }
        return null;
    }

    /**
     * Why {@code token} may not write instances of {@code service}, or {@code null}: a token that names
     * services needs only to name this one; any other needs the writer role and no confinement.
     */
    private static String serviceWriterDenial(Token token, String service) {
        if (!token.services().isEmpty()) {
            return serviceDenial(token, service);
        }
        String role = require(token, Role.WRITER);
        return role != null ? role : unconfinedDenial(token);
    }

    /** The role an endpoint of the service registry that writes instances needs from {@code token}. */
    public static Role serviceWriterRole(Token token) {
        return token.services().isEmpty() ? Role.WRITER : Role.READER;
    }

    /** Returns why {@code token} may not write instances of {@code service}, or {@code null}. */
    public static String serviceDenial(Token token, String service) {
        if (token.serves(service)) {
            return null;
        }
        return token.services().isEmpty() ? unconfinedDenial(token)
                : "token '" + token.name() + "' is confined to services " + token.services() + "; '" + service
                        + "' is outside them";
    }

    /** Returns why {@code token} may not read or watch the service registry, or {@code null}. */
    public static String serviceReadDenial(Token token) {
        return token.readsServices() ? null : unconfinedDenial(token);
    }

    /** Returns why {@code token} lacks {@code role}, or {@code null}. */
    public static String require(Token token, Role role) {
        return token.role().includes(role) ? null
                : "token '" + token.name() + "' is a " + token.role().label() + " token; this needs " + role.label();
    }

    /** Returns why {@code token} may not use {@code key}, or {@code null}. */
    public static String keyDenial(Token token, String key) {
        return token.covers(key) ? null
                : "token '" + token.name() + "' is confined to key prefixes " + token.prefixes() + "; '" + key
                        + "' is outside them";
    }

    /**
     * Returns why {@code token} may not use what is not a key (leases, services, locks, elections, search),
     * or {@code null}.
     */
    public static String unconfinedDenial(Token token) {
        if (!token.scoped()) {
            return null;
        }
        return token.services().isEmpty()
                ? "token '" + token.name() + "' is confined to key prefixes " + token.prefixes()
                        + " and may not use leases, services, locks, elections or search"
                : "token '" + token.name() + "' is confined to key prefixes " + token.prefixes() + " and services "
                        + token.services() + ", and may not use leases, locks, elections, search or other services";
    }

    /** Every key a transaction reads or writes, or {@code null} when it binds a key to a lease (not only keys, then). */
    private static List<String> keysOf(Command.Txn txn) {
        List<String> keys = new ArrayList<>(txn.size());
        txn.compares().forEach(compare -> keys.add(compare.key()));
        List<Op> ops = new ArrayList<>(txn.then());
        ops.addAll(txn.otherwise());
        for (Op op : ops) {
            if (op instanceof Op.Put put && put.lease() != 0) {
                return null;
            }
            keys.add(op.key());
        }
        return keys;
    }
}
