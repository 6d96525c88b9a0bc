package io.muster.watch;

import io.muster.core.Entry;
import io.muster.core.Instance;
import io.muster.core.Lock;

/**
 * One change at a revision: to a key, to a service instance ({@code service} is set and {@code key}
 * is {@code service/id}), or to a lock or election ({@code lock} is set and {@code key} is its name).
 *
 * @param entry    what the key holds after a put; {@code null} otherwise
 * @param instance what the instance is after a put; {@code null} otherwise
 * @param lock     the lock as it now is; a {@code delete} when nobody holds it any more
 */
public record ChangeEvent(Type type, String key, Entry entry, String service, Instance instance, Lock lock) {

    public enum Type {
        PUT, DELETE,
        /** Deleted because the lease it was bound to ran out. */
        EXPIRE
    }

    static ChangeEvent ofKey(Type type, String key, Entry entry) {
        return new ChangeEvent(type, key, entry, null, null, null);
    }

    static ChangeEvent ofInstance(Type type, String service, String id, Instance instance) {
        return new ChangeEvent(type, Instance.key(service, id), null, service, instance, null);
    }

    static ChangeEvent ofLock(Lock lock) {
        return new ChangeEvent(lock.holder() != null ? Type.PUT : Type.DELETE, lock.name(), null, null, null, lock);
    }

    long bytes() {
        return key.length() + (entry == null ? 0 : entry.value().length) + (instance == null ? 0 : 256) + 64;
    }
}
