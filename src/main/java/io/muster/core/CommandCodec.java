package io.muster.core;

import static io.muster.core.FieldCodec.OPERATORS;
import static io.muster.core.FieldCodec.ROLES;
import static io.muster.core.FieldCodec.STATUSES;
import static io.muster.core.FieldCodec.TARGETS;
import static io.muster.core.FieldCodec.readKey;
import static io.muster.core.FieldCodec.readName;
import static io.muster.core.FieldCodec.readPeers;
import static io.muster.core.FieldCodec.readPrefixes;
import static io.muster.core.FieldCodec.writeLabels;
import static io.muster.core.FieldCodec.writePrefixes;
import static io.muster.core.FieldCodec.writeServices;
import static io.muster.core.FieldCodec.readServices;

import java.util.ArrayList;
import java.util.List;

/**
 * The persistent encoding of commands and of the log entries that carry them.
 *
 * <p>A command is {@code tag, fields}. A log entry is {@code format, stamp, command}: the client
 * proposes command bytes and the leader prefixes its {@link Stamp} before the entry is logged.
 *
 * <p>This format is on disk in every Raft log: tags and enum codes are only ever added, never
 * reused or renumbered, and {@code CodecGoldenTest} proves that entries written by earlier builds
 * still decode. An unknown tag is an {@link UndecodableException}.
 */
public final class CommandCodec {

    /** The log entry format this build writes. Readers accept every format up to it. */
    public static final int ENTRY_FORMAT = 1;

    // Command tags. Append only.
    static final int TAG_PUT = 1;
    static final int TAG_DELETE = 2;
    static final int TAG_TXN = 3;
    static final int TAG_GRANT_LEASE = 4;
    static final int TAG_REVOKE_LEASE = 5;
    static final int TAG_EXPIRE_LEASES = 6;
    /** A put bound to a lease: the fields of {@link #TAG_PUT}, then the lease id. */
    static final int TAG_PUT_WITH_LEASE = 7;
    static final int TAG_REGISTER_INSTANCE = 8;
    static final int TAG_DEREGISTER_INSTANCE = 9;
    static final int TAG_SET_INSTANCE_STATUS = 10;
    static final int TAG_ACQUIRE_LOCK = 11;
    static final int TAG_RELEASE_LOCK = 12;
    static final int TAG_CANCEL_LOCK_WAIT = 13;
    static final int TAG_CREATE_TOKEN = 14;
    static final int TAG_REVOKE_TOKEN = 15;
    /** A client command with its author: principal, request id, then the command (never itself authored). */
    static final int TAG_AUTHORED = 16;
    static final int TAG_SET_DESIRED_VOTERS = 17;
    /** {@link #TAG_AUTHORED} with an idempotency key: principal, request id, key, window, then the command. */
    static final int TAG_AUTHORED_IDEMPOTENT = 18;
    /** Level 2 ({@link ClusterVersion}), like every tag after it. */
    static final int TAG_RAISE_CLUSTER_VERSION = 19;
    static final int TAG_DELETE_PREFIX = 20;
    /** {@link #TAG_CREATE_TOKEN}'s fields, then the services the token is confined to (cluster version 3). */
    static final int TAG_CREATE_SCOPED_TOKEN = 21;
    /** The release commands ({@link Release}): level 4. */
    static final int TAG_CREATE_RELEASE = 22;
    static final int TAG_UPDATE_RELEASE = 23;
    static final int TAG_REBASE_RELEASE = 24;
    static final int TAG_GRAY_RELEASE = 25;
    static final int TAG_PUBLISH_RELEASE = 26;
    static final int TAG_ABANDON_RELEASE = 27;
    static final int TAG_ROLLBACK_RELEASE = 28;
    static final int TAG_RESTORE_DOCUMENT = 29;

    // Txn operation tags. Append only.
    static final int OP_PUT = 1;
    static final int OP_DELETE = 2;
    static final int OP_GET = 3;
    static final int OP_PUT_WITH_LEASE = 4;

    // Decoding bounds: generous ceilings against corrupt lengths, not the API's limits.
    static final int MAX_KEY_BYTES = 4096;
    static final int MAX_CONTENT_TYPE_BYTES = 4096;
    static final int MAX_VALUE_BYTES = 64 << 20;
    static final int MAX_TXN_PARTS = 1 << 16;

    private CommandCodec() {
    }

    /** The bytes a client proposes. */
    public static byte[] encodeCommand(Command command) {
        WireOut out = new WireOut(64);
        writeCommand(out, command);
        return out.toByteArray();
    }

    public static Command decodeCommand(byte[] bytes) {
        WireIn in = new WireIn(bytes);
        Command command = readCommand(in);
        in.expectEnd("command");
        return command;
    }

    /** The bytes the leader logs: the proposed command bytes behind its stamp. */
    public static byte[] encodeEntry(Stamp stamp, byte[] commandBytes) {
        return new WireOut(commandBytes.length + 16)
                .writeByte(ENTRY_FORMAT)
                .writeLong(stamp.timeMillis())
                .writeVarint(stamp.historyVersions())
                .writeRaw(commandBytes)
                .toByteArray();
    }

    public static LogEntry decodeEntry(byte[] bytes) {
        WireIn in = new WireIn(bytes);
        int format = in.readByte();
        if (format < 1 || format > ENTRY_FORMAT) {
            throw new UndecodableException("log entry format " + format + " is not known to this build (knows 1.."
                    + ENTRY_FORMAT + ")");
        }
        Stamp stamp = new Stamp(in.readLong(), in.readVarint(Integer.MAX_VALUE, "historyVersions"));
        Command command = readCommand(in);
        in.expectEnd("log entry");
        return new LogEntry(stamp, command);
    }

    /** A decoded log entry. */
    public record LogEntry(Stamp stamp, Command command) {
    }

    private static void writeCommand(WireOut out, Command command) {
        switch (command) {
            case Command.Put put -> {
                out.writeByte(put.lease() == 0 ? TAG_PUT : TAG_PUT_WITH_LEASE).writeString(put.key()).writeBytes(put.value())
                        .writeString(put.contentType()).writeLong(put.expectedModRevision());
                if (put.lease() != 0) {
                    out.writeLong(put.lease());
                }
            }
            case Command.Delete delete -> out.writeByte(TAG_DELETE)
                    .writeString(delete.key()).writeLong(delete.expectedModRevision());
            case Command.Txn txn -> {
                out.writeByte(TAG_TXN).writeVarint(txn.compares().size());
                txn.compares().forEach(compare -> writeCompare(out, compare));
                writeOps(out, txn.then());
                writeOps(out, txn.otherwise());
            }
            case Command.GrantLease grant -> out.writeByte(TAG_GRANT_LEASE).writeLong(grant.ttlMillis());
            case Command.RevokeLease revoke -> out.writeByte(TAG_REVOKE_LEASE).writeLong(revoke.id());
            case Command.ExpireLeases expire -> {
                out.writeByte(TAG_EXPIRE_LEASES).writeVarint(expire.ids().size());
                expire.ids().forEach(out::writeLong);
            }
            case Command.RegisterInstance register -> {
                out.writeByte(TAG_REGISTER_INSTANCE).writeString(register.service()).writeString(register.id())
                        .writeString(register.address()).writeVarint(register.port()).writeString(register.zone());
                writeLabels(out, register.tags(), register.metadata());
                out.writeByte(STATUSES.code(register.status())).writeLong(register.lease()).writeLong(register.ttlMillis());
            }
            case Command.DeregisterInstance deregister -> out.writeByte(TAG_DEREGISTER_INSTANCE)
                    .writeString(deregister.service()).writeString(deregister.id());
            case Command.SetInstanceStatus change -> {
                out.writeByte(TAG_SET_INSTANCE_STATUS).writeString(change.service()).writeString(change.id())
                        .writeByte(STATUSES.code(change.status()));
            }
            case Command.AcquireLock acquire -> {
                out.writeByte(TAG_ACQUIRE_LOCK).writeString(acquire.name()).writeLong(acquire.lease())
                        .writeString(acquire.owner());
            }
            case Command.ReleaseLock release -> out.writeByte(TAG_RELEASE_LOCK)
                    .writeString(release.name()).writeLong(release.token());
            case Command.CancelLockWait cancel -> {
                out.writeByte(TAG_CANCEL_LOCK_WAIT).writeString(cancel.name()).writeLong(cancel.lease())
                        .writeString(cancel.owner());
            }
            case Command.CreateToken create -> {
                // Without services, the tag every build decodes; with them, one only level-3 builds know.
                out.writeByte(create.services().isEmpty() ? TAG_CREATE_TOKEN : TAG_CREATE_SCOPED_TOKEN)
                        .writeString(create.name()).writeBytes(create.secretHash()).writeByte(ROLES.code(create.role()));
                writePrefixes(out, create.prefixes());
                out.writeBoolean(create.replace());
                if (!create.services().isEmpty()) {
                    writeServices(out, create.services());
                }
            }
            case Command.RevokeToken revoke -> out.writeByte(TAG_REVOKE_TOKEN).writeString(revoke.name());
            case Command.SetDesiredVoters desired -> {
                out.writeByte(TAG_SET_DESIRED_VOTERS).writeLong(desired.generation()).writeVarint(desired.peers().size());
                desired.peers().forEach(out::writeString);
            }
            case Command.RaiseClusterVersion raise -> out.writeByte(TAG_RAISE_CLUSTER_VERSION).writeVarint(raise.level());
            case Command.DeletePrefix deletePrefix -> out.writeByte(TAG_DELETE_PREFIX).writeString(deletePrefix.prefix());
            case Command.CreateRelease create -> {
                out.writeByte(TAG_CREATE_RELEASE).writeString(create.title()).writeString(create.description());
                ReleaseCodec.writeDrafts(out, create.documents());
                ReleaseCodec.writeValidation(out, create.validation());
                ReleaseCodec.writeRetention(out, create.retention());
            }
            case Command.UpdateRelease update -> {
                out.writeByte(TAG_UPDATE_RELEASE).writeLong(update.id()).writeLong(update.expectedRevision())
                        .writeString(update.title()).writeString(update.description());
                ReleaseCodec.writeDrafts(out, update.documents());
                ReleaseCodec.writeValidation(out, update.validation());
            }
            case Command.RebaseRelease rebase -> out.writeByte(TAG_REBASE_RELEASE).writeLong(rebase.id());
            case Command.GrayRelease gray -> {
                out.writeByte(TAG_GRAY_RELEASE).writeLong(gray.id());
                ReleaseCodec.writeRule(out, gray.rule());
                ReleaseCodec.writeApproval(out, gray.approval());
            }
            case Command.PublishRelease publish -> {
                out.writeByte(TAG_PUBLISH_RELEASE).writeLong(publish.id()).writeString(publish.comment())
                        .writeBoolean(publish.force());
                ReleaseCodec.writeApproval(out, publish.approval());
            }
            case Command.AbandonRelease abandon -> out.writeByte(TAG_ABANDON_RELEASE).writeLong(abandon.id());
            case Command.RollbackRelease rollback -> {
                out.writeByte(TAG_ROLLBACK_RELEASE).writeLong(rollback.id()).writeString(rollback.comment())
                        .writeBoolean(rollback.force());
                ReleaseCodec.writeRetention(out, rollback.retention());
            }
            case Command.RestoreDocument restore -> {
                out.writeByte(TAG_RESTORE_DOCUMENT).writeString(restore.key()).writeLong(restore.toRelease())
                        .writeBoolean(restore.before()).writeString(restore.comment());
                ReleaseCodec.writeRetention(out, restore.retention());
            }
            case Command.Authored authored -> {
                if (authored.command() instanceof Command.Authored) {
                    throw new IllegalArgumentException("an authored command cannot wrap another");
                }
                if (authored.idempotent()) {
                    out.writeByte(TAG_AUTHORED_IDEMPOTENT).writeString(authored.principal()).writeString(authored.requestId())
                            .writeString(authored.idempotencyKey()).writeLong(authored.idempotencyWindowMillis());
                } else {
                    out.writeByte(TAG_AUTHORED).writeString(authored.principal()).writeString(authored.requestId());
                }
                writeCommand(out, authored.command());
            }
        }
    }

    private static Command readCommand(WireIn in) {
        int tag = in.readByte();
        if (tag == TAG_AUTHORED) {
            String principal = readName(in);
            String requestId = readName(in);
            return new Command.Authored(principal, requestId, readPlainCommand(in, in.readByte()));
        }
        if (tag == TAG_AUTHORED_IDEMPOTENT) {
            String principal = readName(in);
            String requestId = readName(in);
            String key = readName(in);
            long window = in.readLong();
            return new Command.Authored(principal, requestId, key, window, readPlainCommand(in, in.readByte()));
        }
        return readPlainCommand(in, tag);
    }

    private static Command readPlainCommand(WireIn in, int tag) {
        return switch (tag) {
            case TAG_PUT -> new Command.Put(readKey(in), in.readBytes(MAX_VALUE_BYTES, "value"),
                    in.readString(MAX_CONTENT_TYPE_BYTES, "contentType"), in.readLong());
            case TAG_PUT_WITH_LEASE -> new Command.Put(readKey(in), in.readBytes(MAX_VALUE_BYTES, "value"),
                    in.readString(MAX_CONTENT_TYPE_BYTES, "contentType"), in.readLong(), in.readLong());
            case TAG_DELETE -> new Command.Delete(readKey(in), in.readLong());
            case TAG_TXN -> readTxn(in);
            case TAG_GRANT_LEASE -> new Command.GrantLease(in.readLong());
            case TAG_REVOKE_LEASE -> new Command.RevokeLease(in.readLong());
            case TAG_EXPIRE_LEASES -> readExpiry(in);
            case TAG_REGISTER_INSTANCE -> readRegistration(in);
            case TAG_DEREGISTER_INSTANCE -> new Command.DeregisterInstance(readName(in), readName(in));
            case TAG_SET_INSTANCE_STATUS -> new Command.SetInstanceStatus(readName(in), readName(in),
                    STATUSES.value(in.readByte()));
            case TAG_ACQUIRE_LOCK -> new Command.AcquireLock(readKey(in), in.readLong(), readName(in));
            case TAG_RELEASE_LOCK -> new Command.ReleaseLock(readKey(in), in.readLong());
            case TAG_CANCEL_LOCK_WAIT -> new Command.CancelLockWait(readKey(in), in.readLong(), readName(in));
            case TAG_CREATE_TOKEN -> new Command.CreateToken(readName(in), in.readBytes(64, "secret hash"),
                    ROLES.value(in.readByte()), readPrefixes(in), in.readBoolean());
            case TAG_CREATE_SCOPED_TOKEN -> new Command.CreateToken(readName(in), in.readBytes(64, "secret hash"),
                    ROLES.value(in.readByte()), readPrefixes(in), in.readBoolean(), readServices(in));
            case TAG_REVOKE_TOKEN -> new Command.RevokeToken(readName(in));
            case TAG_SET_DESIRED_VOTERS -> new Command.SetDesiredVoters(in.readLong(), readPeers(in));
            case TAG_RAISE_CLUSTER_VERSION -> new Command.RaiseClusterVersion(in.readVarint(Integer.MAX_VALUE, "level"));
            case TAG_DELETE_PREFIX -> new Command.DeletePrefix(readKey(in));
            case TAG_CREATE_RELEASE -> new Command.CreateRelease(ReleaseCodec.readText(in), ReleaseCodec.readText(in),
                    ReleaseCodec.readDrafts(in), ReleaseCodec.readValidation(in), ReleaseCodec.readRetention(in));
            case TAG_UPDATE_RELEASE -> new Command.UpdateRelease(in.readLong(), in.readLong(), ReleaseCodec.readText(in),
                    ReleaseCodec.readText(in), ReleaseCodec.readDrafts(in), ReleaseCodec.readValidation(in));
            case TAG_REBASE_RELEASE -> new Command.RebaseRelease(in.readLong());
            case TAG_GRAY_RELEASE -> new Command.GrayRelease(in.readLong(), ReleaseCodec.readRule(in),
                    ReleaseCodec.readApproval(in));
            case TAG_PUBLISH_RELEASE -> new Command.PublishRelease(in.readLong(), ReleaseCodec.readText(in),
                    in.readBoolean(), ReleaseCodec.readApproval(in));
            case TAG_ABANDON_RELEASE -> new Command.AbandonRelease(in.readLong());
            case TAG_ROLLBACK_RELEASE -> new Command.RollbackRelease(in.readLong(), ReleaseCodec.readText(in),
                    in.readBoolean(), ReleaseCodec.readRetention(in));
            case TAG_RESTORE_DOCUMENT -> new Command.RestoreDocument(readKey(in), in.readLong(), in.readBoolean(),
                    ReleaseCodec.readText(in), ReleaseCodec.readRetention(in));
            case TAG_AUTHORED, TAG_AUTHORED_IDEMPOTENT ->
                    throw new UndecodableException("an authored command wraps another");
            default -> throw new UndecodableException("unknown command tag " + tag + ": the entry was written by a "
                    + "newer Muster; this build supports cluster version " + ClusterVersion.SUPPORTED);
        };
    }

    private static Command.Txn readTxn(WireIn in) {
        int compareCount = in.readVarint(MAX_TXN_PARTS, "compare count");
        List<Compare> compares = new ArrayList<>(compareCount);
        for (int i = 0; i < compareCount; i++) {
            compares.add(readCompare(in));
        }
        List<Op> then = readOps(in);
        List<Op> otherwise = readOps(in);
        return new Command.Txn(compares, then, otherwise);
    }

    private static Command.RegisterInstance readRegistration(WireIn in) {
        FieldCodec.Placement at = FieldCodec.readPlacement(in);
        return new Command.RegisterInstance(at.service(), at.id(), at.address(), at.port(), at.zone(), at.tags(),
                at.metadata(), at.status(), in.readLong(), in.readLong());
    }

    private static Command.ExpireLeases readExpiry(WireIn in) {
        int count = in.readVarint(Lease.MAX_EXPIRED_PER_COMMAND, "expired lease count");
        List<Long> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(in.readLong());
        }
        return new Command.ExpireLeases(ids);
    }

    static void writeCompare(WireOut out, Compare compare) {
        out.writeString(compare.key())
                .writeByte(TARGETS.code(compare.target()))
                .writeByte(OPERATORS.code(compare.operator()))
                .writeLong(compare.number())
                .writeBytes(compare.value());
    }

    static Compare readCompare(WireIn in) {
        return new Compare(readKey(in), TARGETS.value(in.readByte()), OPERATORS.value(in.readByte()), in.readLong(),
                in.readBytes(MAX_VALUE_BYTES, "compare value"));
    }

    private static void writeOps(WireOut out, List<Op> ops) {
        out.writeVarint(ops.size());
        for (Op op : ops) {
            if (op instanceof Op.Put put) {
                out.writeByte(put.lease() == 0 ? OP_PUT : OP_PUT_WITH_LEASE).writeString(put.key())
                        .writeBytes(put.value()).writeString(put.contentType());
                if (put.lease() != 0) {
                    out.writeLong(put.lease());
                }
            } else if (op instanceof Op.Delete delete) {
                out.writeByte(OP_DELETE).writeString(delete.key());
            } else if (op instanceof Op.Get get) {
                out.writeByte(OP_GET).writeString(get.key());
            } else {
                throw new IllegalArgumentException("no encoding for " + op);
            }
        }
    }

    private static List<Op> readOps(WireIn in) {
        int count = in.readVarint(MAX_TXN_PARTS, "operation count");
        List<Op> ops = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int tag = in.readByte();
            ops.add(switch (tag) {
                case OP_PUT -> new Op.Put(readKey(in), in.readBytes(MAX_VALUE_BYTES, "value"),
                        in.readString(MAX_CONTENT_TYPE_BYTES, "contentType"));
                case OP_PUT_WITH_LEASE -> new Op.Put(readKey(in), in.readBytes(MAX_VALUE_BYTES, "value"),
                        in.readString(MAX_CONTENT_TYPE_BYTES, "contentType"), in.readLong());
                case OP_DELETE -> new Op.Delete(readKey(in));
                case OP_GET -> new Op.Get(readKey(in));
                default -> throw new UndecodableException("unknown operation tag " + tag);
            });
        }
        return ops;
    }

}
