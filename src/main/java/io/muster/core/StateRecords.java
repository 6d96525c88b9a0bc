package io.muster.core;

import static io.muster.core.FieldCodec.ROLES;
import static io.muster.core.FieldCodec.STATUSES;
import static io.muster.core.FieldCodec.readKey;
import static io.muster.core.FieldCodec.readName;
import static io.muster.core.FieldCodec.readPeers;
import static io.muster.core.FieldCodec.readPrefixes;
import static io.muster.core.FieldCodec.writeLabels;
import static io.muster.core.FieldCodec.writePrefixes;

import java.util.ArrayList;
import java.util.List;

/**
 * The encodings of the state's records (entries with their versions, instances, locks, tokens, leases,
 * the desired voters, remembered results): each snapshot section is a run of them, and results carry
 * them too ({@link ResultCodec}). Append-only like every encoding here; the golden files pin them.
 * Stateless.
 */
final class StateRecords {

    private static final int MAX_HISTORY = Stamp.MAX_HISTORY_VERSIONS;
    private static final int MAX_RESULT_BYTES = CommandCodec.MAX_VALUE_BYTES * 2;

    private StateRecords() {
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
        Result result = ResultCodec.decode(in.readBytes(MAX_RESULT_BYTES, "remembered result"));
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
}
