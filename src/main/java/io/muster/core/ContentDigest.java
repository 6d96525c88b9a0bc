package io.muster.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of entries' content: each key with its create revision and every retained version (value,
 * content type, mod revision, version, time), in the order given. Independent of any encoding, so two
 * different holders of the same entries (the state and the H2 view) can prove they agree. Callers
 * pass entries in key order.
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
        return this;
    }

    /** The digest of the entries added, as lowercase hex. */
    public String hex() {
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The digest of every entry of {@code store}, in key order. */
    public static String of(KvStore store) {
        ContentDigest digest = new ContentDigest();
        store.entries().forEach(digest::add);
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
