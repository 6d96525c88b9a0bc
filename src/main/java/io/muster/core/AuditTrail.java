package io.muster.core;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The audit record of an applied command: who proposed it, what it was, what it was about and how it
 * ended. The action names are part of the API ({@code /v1/audit}, the view's {@code audit} table and
 * the operators' queries over it), so they are pinned here like the codec's tags: one per command
 * kind, never renamed, only added. {@code AppliedTest} holds the list and checks every command has
 * a name.
 */
public final class AuditTrail {

    /** The principal of the commands Muster proposes itself. */
    public static final String SYSTEM = "muster";
    /** The principal recorded for commands from a node with security turned off. */
    public static final String ANONYMOUS = "anonymous";
    /** The outcome of a repeated idempotent command, which answered with its first result. */
    public static final String REPLAYED = "replayed";

    /** Every command kind's action name, in the order the kinds were added. */
    public static final List<Map.Entry<Class<? extends Command>, String>> ACTIONS = List.of(
            Map.entry(Command.Put.class, "put"),
            Map.entry(Command.Delete.class, "delete"),
            Map.entry(Command.Txn.class, "txn"),
            Map.entry(Command.GrantLease.class, "grant-lease"),
            Map.entry(Command.RevokeLease.class, "revoke-lease"),
            Map.entry(Command.ExpireLeases.class, "expire-leases"),
            Map.entry(Command.RegisterInstance.class, "register-instance"),
            Map.entry(Command.DeregisterInstance.class, "deregister-instance"),
            Map.entry(Command.SetInstanceStatus.class, "set-instance-status"),
            Map.entry(Command.AcquireLock.class, "acquire-lock"),
            Map.entry(Command.ReleaseLock.class, "release-lock"),
            Map.entry(Command.CancelLockWait.class, "cancel-lock-wait"),
            Map.entry(Command.CreateToken.class, "create-token"),
            Map.entry(Command.RevokeToken.class, "revoke-token"),
            Map.entry(Command.SetDesiredVoters.class, "set-desired-voters"),
            Map.entry(Command.RaiseClusterVersion.class, "raise-cluster-version"),
            Map.entry(Command.DeletePrefix.class, "delete-prefix"),
            Map.entry(Command.CreateRelease.class, "create-release"),
            Map.entry(Command.UpdateRelease.class, "update-release"),
            Map.entry(Command.RebaseRelease.class, "rebase-release"),
            Map.entry(Command.GrayRelease.class, "gray-release"),
            Map.entry(Command.PublishRelease.class, "publish-release"),
            Map.entry(Command.AbandonRelease.class, "abandon-release"),
            Map.entry(Command.RollbackRelease.class, "rollback-release"),
            Map.entry(Command.RestoreDocument.class, "restore-document"));

    /** The longest target recorded for a transaction's keys; longer lists end with {@code ...}. */
    static final int MAX_TARGET = 200;

    private AuditTrail() {
    }

    /** The audit record of {@code command}, applied at {@code atMillis} with {@code result}. */
    static Applied.Audit of(Command command, Result result, long atMillis, boolean replayed) {
        String principal = SYSTEM;
        String requestId = "";
        if (command instanceof Command.Authored authored) {
            principal = authored.principal().equals(Command.Authored.ANONYMOUS) ? ANONYMOUS : authored.principal();
            requestId = authored.requestId();
            command = authored.command();
        }
        String outcome = replayed ? REPLAYED
                : result instanceof Rejected rejected ? rejected.reason().name().toLowerCase(Locale.ROOT).replace('_', '-')
                        : "ok";
        return new Applied.Audit(principal, requestId, action(command), target(command), outcome, atMillis);
    }

    /** The pinned action name of {@code command}'s kind. */
    public static String action(Command command) {
        for (Map.Entry<Class<? extends Command>, String> action : ACTIONS) {
            if (action.getKey() == command.getClass()) {
                return action.getValue();
            }
        }
        throw new IllegalStateException("no audit action for " + command.getClass().getName());
    }

    private static String target(Command command) {
        return switch (command) {
            case Command.Put put -> put.key();
            case Command.Delete delete -> delete.key();
            case Command.Txn txn -> txnTarget(txn);
            case Command.GrantLease grant -> "";
            case Command.RevokeLease revoke -> Long.toString(revoke.id());
            case Command.ExpireLeases expire -> expire.ids().size() + " lease(s)";
            case Command.RegisterInstance register -> register.service() + "/" + register.id();
            case Command.DeregisterInstance deregister -> deregister.service() + "/" + deregister.id();
            case Command.SetInstanceStatus status -> status.service() + "/" + status.id() + " " + status.status();
            case Command.AcquireLock acquire -> acquire.name();
            case Command.ReleaseLock release -> release.name();
            case Command.CancelLockWait cancel -> cancel.name();
            case Command.CreateToken create -> create.name();
            case Command.RevokeToken revoke -> revoke.name();
            case Command.SetDesiredVoters desired -> "generation " + desired.generation() + ": "
                    + String.join(",", desired.peers());
            case Command.RaiseClusterVersion raise -> "level " + raise.level();
            case Command.DeletePrefix deletePrefix -> deletePrefix.prefix();
            case Command.CreateRelease create -> "release " + create.documents().size() + " document(s)";
            case Command.UpdateRelease update -> "release " + update.id();
            case Command.RebaseRelease rebase -> "release " + rebase.id();
            case Command.GrayRelease gray -> "release " + gray.id() + emergency(gray.approval());
            case Command.PublishRelease publish -> "release " + publish.id() + emergency(publish.approval());
            case Command.AbandonRelease abandon -> "release " + abandon.id();
            case Command.RollbackRelease rollback -> "release " + rollback.id();
            case Command.RestoreDocument restore -> restore.key() + " from release " + restore.toRelease();
            case Command.Authored authored -> target(authored.command());
        };
    }

    private static String emergency(Release.Approval approval) {
        return approval.emergency().isEmpty() ? "" : " emergency: " + cut(approval.emergency());
    }

    private static String cut(String text) {
        return text.length() > MAX_TARGET ? text.substring(0, MAX_TARGET) + "..." : text;
    }

    /** A transaction's keys (of its then branch), cut at {@link #MAX_TARGET} characters. */
    private static String txnTarget(Command.Txn txn) {
        StringBuilder keys = new StringBuilder();
        for (Op op : txn.then()) {
            keys.append(keys.isEmpty() ? "" : ",").append(op.key());
            if (keys.length() > MAX_TARGET) {
                return keys.substring(0, MAX_TARGET) + "...";
            }
        }
        return keys.toString();
    }
}
