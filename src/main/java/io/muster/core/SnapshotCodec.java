package io.muster.core;

import static io.muster.core.FieldCodec.ROLES;
import static io.muster.core.FieldCodec.STATUSES;
import static io.muster.core.FieldCodec.readKey;
import static io.muster.core.FieldCodec.readName;
import static io.muster.core.FieldCodec.readPeers;
import static io.muster.core.FieldCodec.readPrefixes;
import static io.muster.core.FieldCodec.writeLabels;
import static io.muster.core.FieldCodec.writePrefixes;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The persistent encoding of a whole {@link KvStore}: a header, the leases in id order, one
 * length-prefixed record per entry in key order, one per service instance in key order, lock and token by name, and a
 * CRC32C of everything before it. Streams in
 * both directions, so a snapshot never has to fit in one byte array.
 *
 * <pre>
 *   format 7 (written once the cluster version is 3 or above): format 6, with each token's services
 *   after its creation time (count:varint service*)
 *
 *   format 6 (written while the cluster version is 2): format 5, then
 *   1:long level:long                              the cluster version
 *
 *   format 5 (written while the cluster version is 1, so that every build reads it):
 *   "MUSTSNAP" format:int revision:long timeMillis:long
 *   leaseCount:long (id:long ttlMillis:long grantedAtMillis:long)*
 *   entryCount:long (length:varint entry lease:long)*
 *   instanceCount:long (length:varint instance)*
 *   lockCount:long (length:varint lock)*
 *   tokenCount:long (length:varint token)*     name, SHA-256 of the secret, role, prefixes, created
 *   1:long length:varint desiredVoters             generation, then each voter as id=host:port
 *   rememberedCount:long (length:varint remembered)*   idempotency slot, fingerprint, expiry, encoded result
 *   crc32c:long
 *
 *   format 4 (read): no token section
 *   format 3 (read): no lock section
 *   format 2 (read): no instance section either
 *   format 1 (read): no lease section either, and entries without their lease
 * </pre>
 *
 * <p>Like {@link CommandCodec}, the format is append-only and golden files prove old snapshots load.
 */
public final class SnapshotCodec {

    static final byte[] MAGIC = "MUSTSNAP".getBytes(StandardCharsets.US_ASCII);
    /** The newest format this build reads and writes. */
    static final int FORMAT = 7;
    /** The format written while the cluster runs at {@link ClusterVersion#BASELINE}: every build reads it. */
    static final int BASELINE_FORMAT = 5;
    private static final int MAX_ENTRY_BYTES = CommandCodec.MAX_VALUE_BYTES * 2;
    private static final int MAX_HISTORY = Stamp.MAX_HISTORY_VERSIONS;

    private SnapshotCodec() {
    }

    /** Writes {@code store}; the caller owns (and closes) {@code sink}. */
    public static void write(KvStore store, OutputStream sink) throws IOException {
        write(store.image(), sink);
    }

    /** Writes a store's {@link KvStore#image}; the caller owns (and closes) {@code sink}. */
    public static void write(KvStore.Image store, OutputStream sink) throws IOException {
        CRC32C crc = new CRC32C();
        DataOutputStream out = new DataOutputStream(new CheckedOutputStream(sink, crc));
        // A new format only once every member can read it: a snapshot may be installed on any member.
        int format = formatFor(store.clusterVersion());
        out.write(MAGIC);
        out.writeInt(format);
        out.writeLong(store.revision());
        out.writeLong(store.timeMillis());
        out.writeLong(store.leases().size());
        for (Lease lease : store.leases()) {
            out.writeLong(lease.id());
            out.writeLong(lease.ttlMillis());
            out.writeLong(lease.grantedAtMillis());
        }
        RecordWriter records = new RecordWriter(out);
        records.writeAll(store.entries(), (record, entry) -> {
            writeEntry(record, entry);
            record.writeLong(entry.lease());
        });
        records.writeAll(store.instances(), SnapshotCodec::writeInstance);
        records.writeAll(store.locks(), SnapshotCodec::writeLock);
        records.writeAll(store.tokens(), (record, token) -> writeToken(record, token, format >= 7));
        records.writeAll(List.of(store.desiredVoters()), SnapshotCodec::writeDesired);
        records.writeAll(store.remembered(), SnapshotCodec::writeRemembered);
        if (format >= 6) {
            records.writeAll(List.of(store.clusterVersion()), (record, level) -> record.writeLong(level));
        }
        out.flush();
        new DataOutputStream(sink).writeLong(crc.getValue());
        sink.flush();
    }

    /** Reads a store written by {@link #write}; checks magic, format, every bound and the checksum. */
    public static KvStore read(InputStream source) throws IOException {
        CRC32C crc = new CRC32C();
        DataInputStream in = new DataInputStream(new CheckedInputStream(source, crc));
        try {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new UndecodableException("not a Muster snapshot (bad magic)");
            }
            int format = in.readInt();
            if (format < 1 || format > FORMAT) {
                throw new UndecodableException("snapshot format " + format + " is not known to this build (it reads 1.."
                        + FORMAT + "): it was written by a newer Muster, whose cluster version this build does not "
                        + "support; run that build (or a newer one) on this data directory");
            }
            long revision = in.readLong();
            long timeMillis = in.readLong();
            KvStore store = KvStore.restoring(revision, timeMillis);
            long leaseCount = format >= 2 ? in.readLong() : 0;
            if (leaseCount < 0) {
                throw new UndecodableException("negative lease count " + leaseCount);
            }
            for (long i = 0; i < leaseCount; i++) {
                store.restore(new Lease(in.readLong(), in.readLong(), in.readLong()));
            }
            RecordReader records = new RecordReader(in);
            records.readAll("entry", record -> {
                Entry entry = readEntry(record);
                store.restore(format >= 2 ? withLease(entry, record.readLong()) : entry);
            });
            if (format >= 3) {
                records.readAll("instance", record -> store.restore(readInstance(record)));
            }
            if (format >= 4) {
                records.readAll("lock", record -> store.restore(readLock(record)));
            }
            if (format >= 5) {
                boolean services = format >= 7;
                records.readAll("token", record -> store.restore(readToken(record, services)));
                records.readAll("desired voters", record -> store.restore(readDesired(record)));
                records.readAll("remembered result", record -> store.restore(readRemembered(record)));
            }
            if (format >= 6) {
                records.readAll("cluster version", record -> store.restore(readClusterVersion(record)));
            }
            long expected = crc.getValue();
            long stored = new DataInputStream(source).readLong();
            if (stored != expected) {
                throw new UndecodableException("snapshot checksum mismatch: stored " + Long.toHexString(stored)
                        + ", computed " + Long.toHexString(expected));
            }
            return store;
        } catch (EOFException truncated) {
            throw new UndecodableException("snapshot is truncated");
        }
    }

    private static int readClusterVersion(WireIn record) {
        long level = record.readLong();
        if (level < ClusterVersion.BASELINE) {
            throw new UndecodableException("cluster version " + level + " out of range");
        }
        if (level > ClusterVersion.SUPPORTED) {
            throw new UndecodableException("the snapshot is of a cluster at version " + level + ", and this build "
                    + "supports up to " + ClusterVersion.SUPPORTED + ": it was written by a newer Muster; run that "
                    + "build (or a newer one) on this data directory");
        }
        return (int) level;
    }

    /** SHA-256 of the snapshot encoding, in hex: equal on two replicas exactly when their states are. */
    public static String digest(KvStore store) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            write(store, new DigestOutputStream(OutputStream.nullOutputStream(), sha));
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException | NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    static void writeEntry(WireOut out, Entry entry) {
        out.writeString(entry.key()).writeLong(entry.createRevision());
        writeVersion(out, entry.current());
        out.writeVarint(entry.history().size());
        entry.history().forEach(version -> writeVersion(out, version));
    }

    static Entry readEntry(WireIn in) {
        String key = readKey(in);
        long createRevision = in.readLong();
        Version current = readVersion(in);
        int historySize = in.readVarint(MAX_HISTORY, "history size");
        List<Version> history = new ArrayList<>(historySize);
        for (int i = 0; i < historySize; i++) {
            history.add(readVersion(in));
        }
        return new Entry(key, createRevision, current, history);
    }

    /** Writes a count, then one length-prefixed record per item, reusing its buffers. */
    private static final class RecordWriter {
        private final DataOutputStream out;
        private final WireOut record = new WireOut(256);
        private final WireOut length = new WireOut(8);

        RecordWriter(DataOutputStream out) {
            this.out = out;
        }

        <T> void writeAll(Collection<T> items, BiConsumer<WireOut, T> encoder) throws IOException {
            out.writeLong(items.size());
            for (T item : items) {
                record.reset();
                encoder.accept(record, item);
                length.reset();
                length.writeVarint(record.size());
                out.write(length.buffer(), 0, length.size());
                out.write(record.buffer(), 0, record.size());
            }
        }
    }

    /** Reads what a {@link RecordWriter} wrote, handing each record to a decoder that must consume it whole. */
    private static final class RecordReader {
        private final DataInputStream in;
        private byte[] buffer = new byte[256];

        RecordReader(DataInputStream in) {
            this.in = in;
        }

        void readAll(String what, Consumer<WireIn> decoder) throws IOException {
            long count = in.readLong();
            if (count < 0) {
                throw new UndecodableException("negative " + what + " count " + count);
            }
            for (long i = 0; i < count; i++) {
                int size = readVarint(in);
                if (size > buffer.length) {
                    buffer = new byte[Math.max(size, buffer.length * 2)];
                }
                in.readFully(buffer, 0, size);
                WireIn record = new WireIn(buffer, 0, size);
                decoder.accept(record);
                record.expectEnd("snapshot " + what);
            }
        }
    }

    private static Entry withLease(Entry entry, long lease) {
        return lease == 0 ? entry : new Entry(entry.key(), entry.createRevision(), entry.current(), entry.history(), lease);
    }

    static void writeInstance(WireOut out, Instance instance) {
        out.writeString(instance.service()).writeString(instance.id()).writeString(instance.address())
                .writeVarint(instance.port()).writeString(instance.zone());
        writeLabels(out, instance.tags(), instance.metadata());
        out.writeByte(STATUSES.code(instance.status())).writeLong(instance.lease())
                .writeLong(instance.createRevision()).writeLong(instance.modRevision()).writeLong(instance.modifiedAtMillis());
    }

    static Instance readInstance(WireIn in) {
        FieldCodec.Placement at = FieldCodec.readPlacement(in);
        return new Instance(at.service(), at.id(), at.address(), at.port(), at.zone(), at.tags(), at.metadata(),
                at.status(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
    }

    static void writeLock(WireOut out, Lock lock) {
        out.writeString(lock.name()).writeBoolean(lock.holder() != null);
        if (lock.holder() != null) {
            writeHolder(out, lock.holder());
        }
        out.writeVarint(lock.waiters().size());
        lock.waiters().forEach(waiter -> writeHolder(out, waiter));
    }

    static Lock readLock(WireIn in) {
        String name = readKey(in);
        Lock.Holder holder = in.readBoolean() ? readHolder(in) : null;
        int count = in.readVarint(Lock.MAX_WAITERS, "waiter count");
        List<Lock.Holder> waiters = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            waiters.add(readHolder(in));
        }
        return new Lock(name, holder, waiters);
    }

    private static void writeHolder(WireOut out, Lock.Holder holder) {
        out.writeLong(holder.lease()).writeString(holder.owner()).writeLong(holder.token());
    }

    private static Lock.Holder readHolder(WireIn in) {
        return new Lock.Holder(in.readLong(), readName(in), in.readLong());
    }

    /** The snapshot format a cluster at {@code clusterVersion} writes: the newest every member reads. */
    static int formatFor(int clusterVersion) {
        return clusterVersion >= 3 ? FORMAT : clusterVersion == 2 ? 6 : BASELINE_FORMAT;
    }

    /** A token, with its services when the encoding carries them (a token that has some must be written so). */
    static void writeToken(WireOut out, Token token, boolean services) {
        if (!services && !token.services().isEmpty()) {
            throw new IllegalStateException("token '" + token.name() + "' is confined to services, which this "
                    + "encoding cannot carry: it exists only at cluster version 3, whose encodings do");
        }
        out.writeString(token.name()).writeBytes(token.secretHash()).writeByte(ROLES.code(token.role()));
        writePrefixes(out, token.prefixes());
        out.writeLong(token.createRevision()).writeLong(token.createdAtMillis());
        if (services) {
            FieldCodec.writeServices(out, token.services());
        }
    }

    static Token readToken(WireIn in, boolean services) {
        String name = readName(in);
        byte[] hash = in.readBytes(Token.HASH_BYTES, "secret hash");
        if (hash.length != Token.HASH_BYTES) {
            throw new UndecodableException("token '" + name + "' has a " + hash.length + "-byte secret hash");
        }
        Role role = ROLES.value(in.readByte());
        List<String> prefixes = readPrefixes(in);
        long createRevision = in.readLong();
        long createdAtMillis = in.readLong();
        return new Token(name, hash, role, prefixes, createRevision, createdAtMillis,
                services ? FieldCodec.readServices(in) : List.of());
    }

    static void writeRemembered(WireOut out, Remembered remembered) {
        out.writeString(remembered.slot()).writeBytes(remembered.fingerprint()).writeLong(remembered.expiresAtMillis())
                .writeBytes(ResultCodec.encode(remembered.result()));
    }

    static Remembered readRemembered(WireIn in) {
        String slot = in.readString(2048, "idempotency slot");
        byte[] fingerprint = in.readBytes(64, "fingerprint");
        long expiresAt = in.readLong();
        Result result = ResultCodec.decode(in.readBytes(MAX_ENTRY_BYTES, "remembered result"));
        return new Remembered(slot, fingerprint, expiresAt, result);
    }

    static void writeDesired(WireOut out, DesiredVoters desired) {
        out.writeLong(desired.generation()).writeVarint(desired.peers().size());
        desired.peers().forEach(out::writeString);
    }

    static DesiredVoters readDesired(WireIn in) {
        return new DesiredVoters(in.readLong(), readPeers(in));
    }

    static void writeLease(WireOut out, Lease lease) {
        out.writeLong(lease.id()).writeLong(lease.ttlMillis()).writeLong(lease.grantedAtMillis());
    }

    static Lease readLease(WireIn in) {
        return new Lease(in.readLong(), in.readLong(), in.readLong());
    }

    private static void writeVersion(WireOut out, Version version) {
        out.writeBytes(version.value()).writeString(version.contentType()).writeLong(version.modRevision())
                .writeLong(version.version()).writeLong(version.modifiedAtMillis());
    }

    private static Version readVersion(WireIn in) {
        return new Version(in.readBytes(CommandCodec.MAX_VALUE_BYTES, "value"),
                in.readString(CommandCodec.MAX_CONTENT_TYPE_BYTES, "contentType"), in.readLong(), in.readLong(),
                in.readLong());
    }

    private static int readVarint(DataInputStream in) throws IOException {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (value < 0 || value > MAX_ENTRY_BYTES) {
                    throw new UndecodableException("snapshot entry length " + value + " out of bounds");
                }
                return value;
            }
        }
        throw new UndecodableException("snapshot varint longer than 5 bytes");
    }
}
