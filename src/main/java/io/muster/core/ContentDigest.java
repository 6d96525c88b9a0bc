package io.muster.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of the state's content: each key with its create revision, lease and every retained version
 * (value, content type, mod revision, version, time), then the leases, the service instances and the
 * locks, each in the order given. Independent of any encoding, so two different holders of the same
 * state (the state itself and the H2 view) can prove they agree. Callers pass entries in key order,
 * then leases by id, instances by {@link Instance#key} and locks by name.
 */
public final class ContentDigest {

    private final MessageDigest sha;

    public ContentDigest() {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** Adds one entry; entries must come in key order. */
    public ContentDigest add(Entry entry) {
        text(entry.key());
        number(entry.createRevision());
        number(entry.history().size() + 1L);
        version(entry.current());
        entry.history().forEach(this::version);
        number(entry.lease());
        return this;
    }

    public ContentDigest add(Lease lease) {
        text("lease");
        number(lease.id());
        number(lease.ttlMillis());
        number(lease.grantedAtMillis());
        return this;
    }

    public ContentDigest add(Instance instance) {
        text("instance");
        text(instance.service());
        text(instance.id());
        text(instance.address());
        number(instance.port());
        text(instance.zone());
        number(instance.tags().size());
        instance.tags().forEach(this::text);
        number(instance.metadata().size());
        instance.metadata().forEach((key, value) -> {
            text(key);
            text(value);
        });
        text(instance.status().name());
        number(instance.lease());
        number(instance.createRevision());
        number(instance.modRevision());
        number(instance.modifiedAtMillis());
        return this;
    }

    public ContentDigest add(Lock lock) {
        text("lock");
        text(lock.name());
        number(lock.holder() == null ? 0 : 1);
        if (lock.holder() != null) {
            holder(lock.holder());
        }
        number(lock.waiters().size());
        lock.waiters().forEach(this::holder);
        return this;
    }

    /** Adds a token without its secret hash, which the H2 view does not hold (the snapshot digest covers it). */
    public ContentDigest add(Token token) {
        text("token");
        text(token.name());
        text(token.role().label());
        number(token.prefixes().size());
        token.prefixes().forEach(this::text);
        number(token.createRevision());
        number(token.createdAtMillis());
        if (!token.services().isEmpty()) {
            // Only when there are some: a token without services digests as builds before them digest it.
            text("services");
            number(token.services().size());
            token.services().forEach(this::text);
        }
        return this;
    }

    private void holder(Lock.Holder holder) {
        number(holder.lease());
        text(holder.owner());
        number(holder.token());
    }

    /** The digest of the entries added, as lowercase hex. */
    public String hex() {
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The digest of {@code store}'s content: entries, leases, instances, locks, each in its order. */
    public static String of(KvStore store) {
        ContentDigest digest = new ContentDigest();
        store.entries().forEach(digest::add);
        store.leases().forEach(digest::add);
        store.instances().forEach(digest::add);
        store.locks().forEach(digest::add);
        store.tokens().forEach(digest::add);
        return digest.hex();
    }

    private void version(Version version) {
        number(version.modRevision());
        number(version.version());
        number(version.modifiedAtMillis());
        text(version.contentType());
        number(version.value().length);
        sha.update(version.value());
    }

    private void text(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        number(bytes.length);
        sha.update(bytes);
    }

    private void number(long value) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            sha.update((byte) (value >>> shift));
        }
    }
}
