package io.muster.watch;

import io.muster.core.Entry;

/**
 * One key's change at a revision.
 *
 * @param entry what the key holds after a put; {@code null} after a delete or an expiry
 */
public record ChangeEvent(Type type, String key, Entry entry) {

    public enum Type {
        PUT, DELETE,
        /** Deleted because the lease it was bound to ran out. */
        EXPIRE
    }

    long bytes() {
        return key.length() + (entry == null ? 0 : entry.value().length) + 64;
    }
}
