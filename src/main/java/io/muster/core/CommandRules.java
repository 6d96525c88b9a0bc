package io.muster.core;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The rules a command must keep to be applied, checked in three places with this one code: at the
 * API (a clear 400 before anything is proposed), on the leader before logging, and in apply (the
 * log may hold anything, and every replica must reject the same commands).
 *
 * <p>Limits that are operator configuration (value size, operations per transaction) are not here:
 * they are enforced before logging, so that replicas configured differently cannot diverge.
 */
public final class CommandRules {

    public static final int MAX_CONTENT_TYPE_LENGTH = 255;

    private CommandRules() {
    }

    /** Returns why {@code command} cannot be applied, or {@code null} when it can. */
    public static String problem(Command command) {
        return switch (command) {
            case Command.Put put -> firstOf(Keys.problem(put.key()), contentTypeProblem(put.contentType()),
                    expectationProblem(put.expectedModRevision()), leaseProblem(put.lease()));
            case Command.Delete delete -> firstOf(Keys.problem(delete.key()), expectationProblem(delete.expectedModRevision()));
            case Command.Txn txn -> txnProblem(txn);
            case Command.GrantLease grant -> ttlProblem(grant.ttlMillis());
            case Command.RevokeLease revoke -> revoke.id() > 0 ? null : "lease id must be positive";
            case Command.ExpireLeases expire -> expiryProblem(expire.ids());
            case Command.RegisterInstance register -> InstanceRules.problem(register);
            case Command.DeregisterInstance deregister -> InstanceRules.problem(deregister);
            case Command.SetInstanceStatus change -> InstanceRules.problem(change);
            case Command.AcquireLock acquire -> firstOf(Keys.problem(acquire.name()),
                    acquire.lease() > 0 ? null : "lease must be a lease id", InstanceRules.ownerProblem(acquire.owner()));
            case Command.ReleaseLock release -> firstOf(Keys.problem(release.name()),
                    release.token() > 0 ? null : "token must be positive");
            case Command.CancelLockWait cancel -> firstOf(Keys.problem(cancel.name()),
                    cancel.lease() > 0 ? null : "lease must be a lease id", InstanceRules.ownerProblem(cancel.owner()));
            case Command.CreateToken create -> TokenRules.problem(create);
            case Command.RevokeToken revoke -> TokenRules.nameProblem(revoke.name());
            case Command.SetDesiredVoters desired -> desiredVotersProblem(desired);
            case Command.RaiseClusterVersion raise -> raise.level() > ClusterVersion.BASELINE ? null
                    : "a cluster version to raise to must be above " + ClusterVersion.BASELINE;
            case Command.DeletePrefix deletePrefix -> deletePrefix.prefix().isEmpty() ? "prefix must not be empty"
                    : Keys.prefixProblem(deletePrefix.prefix());
            case Command.CreateRelease create -> ReleaseRules.problem(create);
            case Command.UpdateRelease update -> ReleaseRules.problem(update);
            case Command.RebaseRelease rebase -> ReleaseRules.idProblem(rebase.id());
            case Command.GrayRelease gray -> ReleaseRules.problem(gray);
            case Command.PublishRelease publish -> ReleaseRules.problem(publish);
            case Command.AbandonRelease abandon -> ReleaseRules.idProblem(abandon.id());
            case Command.RollbackRelease rollback -> ReleaseRules.problem(rollback);
            case Command.RestoreDocument restore -> ReleaseRules.problem(restore);
            case Command.Authored authored -> firstOf(TokenRules.problem(authored),
                    authored.command() instanceof Command.Authored ? "an authored command cannot wrap another"
                            : problem(authored.command()));
        };
    }

    /**
     * Returns which operator limit {@code command} exceeds, or {@code null}. Checked before logging
     * only (at the API and on the leader), never in apply: the limits are per-node configuration.
     */
    public static String limitProblem(Command command, int encodedBytes, long maxValueBytes, int maxTxnOps,
            int maxCommandBytes) {
        command = Command.Authored.unwrap(command);
        if (command instanceof Command.Put put && put.value().length > maxValueBytes) {
            return "value is " + put.value().length + " bytes; the limit is " + maxValueBytes;
        }
        if (command instanceof Command.Txn txn) {
            if (txn.size() > maxTxnOps) {
                return "transaction has " + txn.size() + " compares and operations; the limit is " + maxTxnOps;
            }
            for (Op op : concat(txn)) {
                if (op instanceof Op.Put put && put.value().length > maxValueBytes) {
                    return "value for '" + put.key() + "' is " + put.value().length + " bytes; the limit is "
                            + maxValueBytes;
                }
            }
        }
        if (encodedBytes > maxCommandBytes) {
            return "request encodes to " + encodedBytes + " bytes; the limit is " + maxCommandBytes;
        }
        return null;
    }

    private static List<Op> concat(Command.Txn txn) {
        List<Op> all = new ArrayList<>(txn.then());
        all.addAll(txn.otherwise());
        return all;
    }

    private static String desiredVotersProblem(Command.SetDesiredVoters desired) {
        if (desired.generation() < 1) {
            return "a desired-voters generation must be at least 1";
        }
        if (desired.peers().isEmpty() || desired.peers().size() > DesiredVoters.MAX_PEERS) {
            return "desired voters must number 1.." + DesiredVoters.MAX_PEERS;
        }
        TreeSet<String> ids = new TreeSet<>();
        for (String peer : desired.peers()) {
            int equals = peer.indexOf('=');
            int colon = peer.lastIndexOf(':');
            if (equals < 1 || colon < equals + 2 || colon == peer.length() - 1 || peer.length() > 512
                    || !ids.add(peer.substring(0, equals))) {
                return "each desired voter must be a distinct id=host:port, not '" + peer + "'";
            }
        }
        return null;
    }

    /** Returns why {@code contentType} is unusable, or {@code null}. Parsing is the API's job. */
    public static String contentTypeProblem(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return "contentType must not be empty";
        }
        if (contentType.length() > MAX_CONTENT_TYPE_LENGTH) {
            return "contentType must be at most " + MAX_CONTENT_TYPE_LENGTH + " characters";
        }
        for (int i = 0; i < contentType.length(); i++) {
            char c = contentType.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return "contentType must be printable ASCII";
            }
        }
        return null;
    }

    /** Returns why {@code ttlMillis} cannot be a lease's TTL, or {@code null}. The minimum is operator configuration. */
    public static String ttlProblem(long ttlMillis) {
        return ttlMillis >= 1 && ttlMillis <= Lease.MAX_TTL_MILLIS ? null
                : "ttl must be within 1 ms.." + Lease.MAX_TTL_MILLIS / 1000 + " s but was " + ttlMillis + " ms";
    }

    private static String leaseProblem(long lease) {
        return lease >= 0 ? null : "lease must be 0 (none) or a lease id";
    }

    private static String expiryProblem(List<Long> ids) {
        if (ids.isEmpty() || ids.size() > Lease.MAX_EXPIRED_PER_COMMAND) {
            return "an expiry names 1.." + Lease.MAX_EXPIRED_PER_COMMAND + " leases but named " + ids.size();
        }
        for (long id : ids) {
            if (id <= 0) {
                return "lease ids must be positive";
            }
        }
        return null;
    }

    static String expectationProblem(long expectedModRevision) {
        return expectedModRevision < Command.ANY ? "expected modRevision must be -1 (any), 0 (absent) or positive"
                : null;
    }

    private static String txnProblem(Command.Txn txn) {
        for (int i = 0; i < txn.compares().size(); i++) {
            Compare compare = txn.compares().get(i);
            String problem = firstOf(Keys.problem(compare.key()), compare.problem());
            if (problem != null) {
                return "compare[" + i + "]: " + problem;
            }
        }
        return firstOf(branchProblem("then", txn.then()), branchProblem("else", txn.otherwise()));
    }

    private static String branchProblem(String branch, List<Op> ops) {
        TreeSet<String> written = new TreeSet<>();
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            String problem = Keys.problem(op.key());
            if (problem == null && op instanceof Op.Put put) {
                problem = firstOf(contentTypeProblem(put.contentType()), leaseProblem(put.lease()));
            }
            if (problem == null && !(op instanceof Op.Get) && !written.add(op.key())) {
                problem = "key '" + op.key() + "' is written twice in one branch";
            }
            if (problem != null) {
                return branch + "[" + i + "]: " + problem;
            }
        }
        return null;
    }

    static String firstOf(String... problems) {
        for (String problem : problems) {
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }
}
