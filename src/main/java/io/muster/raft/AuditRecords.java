package io.muster.raft;

import io.muster.core.Command;
import io.muster.core.Op;
import io.muster.core.Rejected;
import io.muster.core.Result;
import java.util.Locale;

/** Describes an applied command for the audit trail: who, what, about what, and how it ended. */
final class AuditRecords {

    /** The principal of the commands Muster proposes itself. */
    static final String SYSTEM = "muster";
    /** The principal recorded for commands from a node with security turned off. */
    static final String ANONYMOUS = "anonymous";

    private AuditRecords() {
    }

    static AppliedChanges.Audit of(Command command, Result result, long atMillis) {
        String principal = SYSTEM;
        String requestId = "";
        if (command instanceof Command.Authored authored) {
            principal = authored.principal().equals(Command.Authored.ANONYMOUS) ? ANONYMOUS : authored.principal();
            requestId = authored.requestId();
            command = authored.command();
        }
        String outcome = result instanceof Rejected rejected
                ? rejected.reason().name().toLowerCase(Locale.ROOT).replace('_', '-') : "ok";
        return new AppliedChanges.Audit(principal, requestId, action(command), target(command), outcome, atMillis);
    }

    private static String action(Command command) {
        String simpleName = command.getClass().getSimpleName();
        StringBuilder action = new StringBuilder(simpleName.length() + 4);
        for (int i = 0; i < simpleName.length(); i++) {
            char c = simpleName.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                action.append('-');
            }
            action.append(Character.toLowerCase(c));
        }
        return action.toString();
    }

    private static String target(Command command) {
        if (command instanceof Command.Put put) {
            return put.key();
        }
        if (command instanceof Command.Delete delete) {
            return delete.key();
        }
        if (command instanceof Command.Txn txn) {
            StringBuilder keys = new StringBuilder();
            for (Op op : txn.then()) {
                keys.append(keys.isEmpty() ? "" : ",").append(op.key());
                if (keys.length() > 200) {
                    return keys.substring(0, 200) + "...";
                }
            }
            return keys.toString();
        }
        if (command instanceof Command.GrantLease) {
            return "";
        }
        if (command instanceof Command.RevokeLease revoke) {
            return Long.toString(revoke.id());
        }
        if (command instanceof Command.ExpireLeases expire) {
            return expire.ids().size() + " lease(s)";
        }
        if (command instanceof Command.RegisterInstance register) {
            return register.service() + "/" + register.id();
        }
        if (command instanceof Command.DeregisterInstance deregister) {
            return deregister.service() + "/" + deregister.id();
        }
        if (command instanceof Command.SetInstanceStatus status) {
            return status.service() + "/" + status.id() + " " + status.status();
        }
        if (command instanceof Command.AcquireLock acquire) {
            return acquire.name();
        }
        if (command instanceof Command.ReleaseLock release) {
            return release.name();
        }
        if (command instanceof Command.CancelLockWait cancel) {
            return cancel.name();
        }
        if (command instanceof Command.CreateToken create) {
            return create.name();
        }
        if (command instanceof Command.RevokeToken revoke) {
            return revoke.name();
        }
        if (command instanceof Command.SetDesiredVoters desired) {
            return "generation " + desired.generation() + ": " + String.join(",", desired.peers());
        }
        return "";
    }
}
