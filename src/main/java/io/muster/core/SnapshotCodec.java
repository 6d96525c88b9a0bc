package io.muster.core;

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
 *   format 8 (written once the cluster version is 4 or above): format 7, then
 *     releases:long, each as a record (ReleaseCodec), in id order
 *   format 7 (written while the cluster version is 3): format 6, with each token's services
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
    static final int FORMAT = 8;
    /** The format written while the cluster runs at {@link ClusterVersion#BASELINE}: every build reads it. */
    static final int BASELINE_FORMAT = 5;
    private static final int MAX_ENTRY_BYTES = CommandCodec.MAX_VALUE_BYTES * 2;

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
            StateRecords.writeEntry(record, entry);
            record.writeLong(entry.lease());
        });
        records.writeAll(store.instances(), StateRecords::writeInstance);
        records.writeAll(store.locks(), StateRecords::writeLock);
        records.writeAll(store.tokens(), (record, token) -> StateRecords.writeToken(record, token, format >= 7));
        records.writeAll(List.of(store.desiredVoters()), StateRecords::writeDesired);
        records.writeAll(store.remembered(), StateRecords::writeRemembered);
        if (format >= 6) {
            records.writeAll(List.of(store.clusterVersion()), (record, level) -> record.writeLong(level));
        }
        if (format >= 8) {
            records.writeAll(store.releases(), ReleaseCodec::writeRelease);
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
                Entry entry = StateRecords.readEntry(record);
                store.restore(format >= 2 ? withLease(entry, record.readLong()) : entry);
            });
            if (format >= 3) {
                records.readAll("instance", record -> store.restore(StateRecords.readInstance(record)));
            }
            if (format >= 4) {
                records.readAll("lock", record -> store.restore(StateRecords.readLock(record)));
            }
            if (format >= 5) {
                boolean services = format >= 7;
                records.readAll("token", record -> store.restore(StateRecords.readToken(record, services)));
                records.readAll("desired voters", record -> store.restore(StateRecords.readDesired(record)));
                records.readAll("remembered result", record -> store.restore(StateRecords.readRemembered(record)));
            }
            if (format >= 6) {
                records.readAll("cluster version", record -> store.restore(readClusterVersion(record)));
            }
            if (format >= 8) {
                records.readAll("release", record -> store.restore(ReleaseCodec.readRelease(record)));
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

    /** The snapshot format a cluster at {@code clusterVersion} writes: the newest every member reads. */
    static int formatFor(int clusterVersion) {
        return clusterVersion >= 4 ? FORMAT : clusterVersion == 3 ? 7 : clusterVersion == 2 ? 6 : BASELINE_FORMAT;
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
