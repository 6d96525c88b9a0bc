package io.muster.core;

import static io.muster.core.FieldCodec.REASONS;
import static io.muster.core.FieldCodec.readKey;
import static io.muster.core.FieldCodec.readName;

import java.util.ArrayList;
import java.util.List;

/**
 * The encoding of results, which travel from the leader that applied a command to the node that
 * proposed it. Versioned and append-only like {@link CommandCodec}, because nodes of two builds
 * exchange results during a rolling upgrade.
 */
public final class ResultCodec {

    static final int FORMAT = 1;

    // Result tags. Append only.
    static final int TAG_PUT = 1;
    static final int TAG_DELETE = 2;
    static final int TAG_TXN = 3;
    static final int TAG_REJECTED = 4;
    static final int TAG_GET = 5;
    static final int TAG_LEASE_GRANTED = 6;
    static final int TAG_LEASES_ENDED = 7;
    static final int TAG_INSTANCE_WRITTEN = 8;
    static final int TAG_INSTANCE_REMOVED = 9;
    /** {@link #TAG_LEASES_ENDED}, then the instances removed with the leases. */
    static final int TAG_LEASES_ENDED_WITH_INSTANCES = 10;
    static final int TAG_LOCK = 11;
    /** {@link #TAG_LEASES_ENDED_WITH_INSTANCES}, then the locks that changed with the leases. */
    static final int TAG_LEASES_ENDED_WITH_LOCKS = 12;
    static final int TAG_TOKEN = 13;
    static final int TAG_DESIRED_VOTERS = 14;
    /** Level 2 ({@link ClusterVersion}), like every tag after it. */
    static final int TAG_CLUSTER_VERSION = 15;
    static final int TAG_PREFIX_DELETED = 16;
    /** {@link #TAG_TOKEN} whose token carries its services (level 3). */
    static final int TAG_SCOPED_TOKEN = 17;
    /** A release command's result: the release, then the ids retention pruned (level 4). */
    static final int TAG_RELEASE = 18;

    private ResultCodec() {
    }

    public static byte[] encode(Result result) {
        WireOut out = new WireOut(64).writeByte(FORMAT);
        if (result instanceof TxnResult txn) {
            out.writeByte(TAG_TXN).writeLong(txn.revision()).writeBoolean(txn.succeeded()).writeVarint(txn.results().size());
            txn.results().forEach(op -> writeOpResult(out, op));
        } else if (result instanceof ReleaseResult released) {
            out.writeByte(TAG_RELEASE).writeLong(released.revision());
            ReleaseCodec.writeRelease(out, released.release());
            out.writeVarint(released.pruned().size());
            released.pruned().forEach(out::writeLong);
        } else if (result instanceof Rejected rejected) {
            out.writeByte(TAG_REJECTED).writeLong(rejected.revision()).writeByte(REASONS.code(rejected.reason()))
                    .writeString(rejected.key()).writeLong(rejected.currentModRevision()).writeString(rejected.detail());
        } else if (result instanceof LeaseGranted granted) {
            out.writeByte(TAG_LEASE_GRANTED).writeLong(granted.revision());
            StateRecords.writeLease(out, granted.lease());
        } else if (result instanceof LeasesEnded ended) {
            boolean withLocks = !ended.changedLocks().isEmpty();
            boolean withInstances = withLocks || !ended.removedInstances().isEmpty();
            out.writeByte(withLocks ? TAG_LEASES_ENDED_WITH_LOCKS : withInstances ? TAG_LEASES_ENDED_WITH_INSTANCES
                    : TAG_LEASES_ENDED).writeLong(ended.revision())
                    .writeBoolean(ended.expired()).writeVarint(ended.ids().size());
            ended.ids().forEach(out::writeLong);
            out.writeVarint(ended.deletedKeys().size());
            ended.deletedKeys().forEach(out::writeString);
            if (withInstances) {
                out.writeVarint(ended.removedInstances().size());
                ended.removedInstances().forEach(out::writeString);
            }
            if (withLocks) {
                out.writeVarint(ended.changedLocks().size());
                ended.changedLocks().forEach(out::writeString);
            }
        } else if (result instanceof LockResult locked) {
            out.writeByte(TAG_LOCK).writeLong(locked.revision());
            StateRecords.writeLock(out, locked.lock());
            out.writeLong(locked.position()).writeBoolean(locked.released());
        } else if (result instanceof InstanceWritten written) {
            out.writeByte(TAG_INSTANCE_WRITTEN).writeLong(written.revision());
            StateRecords.writeInstance(out, written.instance());
            out.writeBoolean(written.created()).writeBoolean(written.leaseGranted());
        } else if (result instanceof InstanceRemoved removed) {
            out.writeByte(TAG_INSTANCE_REMOVED).writeLong(removed.revision()).writeString(removed.service())
                    .writeString(removed.id()).writeBoolean(removed.removed());
        } else if (result instanceof TokenResult token) {
            boolean services = token.token() != null && !token.token().services().isEmpty();
            out.writeByte(services ? TAG_SCOPED_TOKEN : TAG_TOKEN).writeLong(token.revision()).writeString(token.name())
                    .writeBoolean(token.token() != null);
            if (token.token() != null) {
                StateRecords.writeToken(out, token.token(), services);
            }
        } else if (result instanceof DesiredVotersSet desired) {
            out.writeByte(TAG_DESIRED_VOTERS).writeLong(desired.revision()).writeBoolean(desired.replaced());
            StateRecords.writeDesired(out, desired.desired());
        } else if (result instanceof ClusterVersionRaised raised) {
            out.writeByte(TAG_CLUSTER_VERSION).writeLong(raised.revision()).writeVarint(raised.level())
                    .writeBoolean(raised.raised());
        } else if (result instanceof PrefixDeleted deleted) {
            out.writeByte(TAG_PREFIX_DELETED).writeLong(deleted.revision()).writeString(deleted.prefix())
                    .writeLong(deleted.deleted());
        } else if (result instanceof PutResult put) {
            writeOpResult(out, put);
        } else if (result instanceof DeleteResult delete) {
            writeOpResult(out, delete);
        } else {
            throw new IllegalArgumentException("no encoding for " + result);
        }
        return out.toByteArray();
    }

    public static Result decode(byte[] bytes) {
        WireIn in = new WireIn(bytes);
        int format = in.readByte();
        if (format != FORMAT) {
            throw new UndecodableException("result format " + format + " is not known to this build");
        }
        int tag = in.readByte();
        Result result = switch (tag) {
            case TAG_PUT -> readPut(in);
            case TAG_DELETE -> readDelete(in);
            case TAG_TXN -> readTxn(in);
            case TAG_REJECTED -> new Rejected(in.readLong(), REASONS.value(in.readByte()), readKey(in),
                    in.readLong(), in.readString(1 << 16, "detail"));
            case TAG_LEASE_GRANTED -> new LeaseGranted(in.readLong(), StateRecords.readLease(in));
            case TAG_LEASES_ENDED -> readLeasesEnded(in, false, false);
            case TAG_LEASES_ENDED_WITH_INSTANCES -> readLeasesEnded(in, true, false);
            case TAG_LEASES_ENDED_WITH_LOCKS -> readLeasesEnded(in, true, true);
            case TAG_LOCK -> new LockResult(in.readLong(), StateRecords.readLock(in), (int) in.readLong(),
                    in.readBoolean());
            case TAG_INSTANCE_WRITTEN -> new InstanceWritten(in.readLong(), StateRecords.readInstance(in),
                    in.readBoolean(), in.readBoolean());
            case TAG_DESIRED_VOTERS -> readDesiredVotersSet(in);
            case TAG_TOKEN -> new TokenResult(in.readLong(), readName(in),
                    in.readBoolean() ? StateRecords.readToken(in, false) : null);
            case TAG_SCOPED_TOKEN -> new TokenResult(in.readLong(), readName(in),
                    in.readBoolean() ? StateRecords.readToken(in, true) : null);
            case TAG_INSTANCE_REMOVED -> new InstanceRemoved(in.readLong(), readName(in),
                    readName(in), in.readBoolean());
            case TAG_CLUSTER_VERSION -> new ClusterVersionRaised(in.readLong(), in.readVarint(Integer.MAX_VALUE, "level"),
                    in.readBoolean());
            case TAG_PREFIX_DELETED -> new PrefixDeleted(in.readLong(), readKey(in), in.readLong());
            case TAG_RELEASE -> new ReleaseResult(in.readLong(), ReleaseCodec.readRelease(in),
                    FieldCodec.readList(in, 1 << 20, "pruned count", WireIn::readLong));
            default -> throw new UndecodableException("unknown result tag " + tag);
        };
        in.expectEnd("result");
        return result;
    }

    private static void writeOpResult(WireOut out, OpResult result) {
        if (result instanceof PutResult put) {
            out.writeByte(TAG_PUT).writeLong(put.revision()).writeString(put.key()).writeLong(put.createRevision())
                    .writeLong(put.modRevision()).writeLong(put.version()).writeBoolean(put.created());
        } else if (result instanceof DeleteResult delete) {
            out.writeByte(TAG_DELETE).writeLong(delete.revision()).writeString(delete.key())
                    .writeBoolean(delete.deleted()).writeLong(delete.previousModRevision());
        } else if (result instanceof GetResult get) {
            out.writeByte(TAG_GET).writeString(get.key()).writeBoolean(get.entry() != null);
            if (get.entry() != null) {
                StateRecords.writeEntry(out, new Entry(get.key(), get.entry().createRevision(), get.entry().current(),
                        List.of()));
            }
        } else {
            throw new IllegalArgumentException("no encoding for " + result);
        }
    }

    private static TxnResult readTxn(WireIn in) {
        long revision = in.readLong();
        boolean succeeded = in.readBoolean();
        int count = in.readVarint(CommandCodec.MAX_TXN_PARTS, "result count");
        List<OpResult> results = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int tag = in.readByte();
            results.add(switch (tag) {
                case TAG_PUT -> readPut(in);
                case TAG_DELETE -> readDelete(in);
                case TAG_GET -> readGet(in);
                default -> throw new UndecodableException("unknown operation result tag " + tag);
            });
        }
        return new TxnResult(revision, succeeded, results);
    }

    private static LeasesEnded readLeasesEnded(WireIn in, boolean withInstances, boolean withLocks) {
        long revision = in.readLong();
        boolean expired = in.readBoolean();
        int idCount = in.readVarint(Lease.MAX_EXPIRED_PER_COMMAND, "ended lease count");
        List<Long> ids = new ArrayList<>(idCount);
        for (int i = 0; i < idCount; i++) {
            ids.add(in.readLong());
        }
        int keyCount = in.readVarint(Integer.MAX_VALUE, "deleted key count");
        List<String> keys = new ArrayList<>(Math.min(keyCount, 1024));
        for (int i = 0; i < keyCount; i++) {
            keys.add(readKey(in));
        }
        List<String> instances = new ArrayList<>();
        int instanceCount = withInstances ? in.readVarint(Integer.MAX_VALUE, "removed instance count") : 0;
        for (int i = 0; i < instanceCount; i++) {
            instances.add(readName(in));
        }
        List<String> locks = new ArrayList<>();
        int lockCount = withLocks ? in.readVarint(Integer.MAX_VALUE, "changed lock count") : 0;
        for (int i = 0; i < lockCount; i++) {
            locks.add(readKey(in));
        }
        return new LeasesEnded(revision, ids, keys, expired, instances, locks);
    }

    private static PutResult readPut(WireIn in) {
        return new PutResult(in.readLong(), readKey(in), in.readLong(), in.readLong(), in.readLong(),
                in.readBoolean());
    }

    private static DeleteResult readDelete(WireIn in) {
        return new DeleteResult(in.readLong(), readKey(in), in.readBoolean(), in.readLong());
    }

    private static GetResult readGet(WireIn in) {
        String key = readKey(in);
        return new GetResult(key, in.readBoolean() ? StateRecords.readEntry(in) : null);
    }

    private static DesiredVotersSet readDesiredVotersSet(WireIn in) {
        long revision = in.readLong();
        boolean replaced = in.readBoolean();
        return new DesiredVotersSet(revision, StateRecords.readDesired(in), replaced);
    }
}
