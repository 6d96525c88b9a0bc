package io.muster.watch;

import io.muster.core.Entry;
import io.muster.core.Instance;

/**
 * One change at a revision: to a key ({@code service} is {@code null}) or to a service instance
 * ({@code key} is then {@code service/id}).
 *
 * @param entry    what the key holds after a put; {@code null} otherwise
 * @param instance what the instance is after a put; {@code null} otherwise
 */
public record ChangeEvent(Type type, String key, Entry entry, String service, Instance instance) {

    public enum Type {
        PUT, DELETE,
        /** Deleted because the lease it was bound to ran out. */
        EXPIRE
    }

    static ChangeEvent ofKey(Type type, String key, Entry entry) {
        return new ChangeEvent(type, key, entry, null, null);
    }

    long bytes() {
        return key.length() + (entry == null ? 0 : entry.value().length) + (instance == null ? 0 : 256) + 64;
    }
}
