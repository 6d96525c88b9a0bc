package io.muster.watch;

import io.muster.core.Access;
import io.muster.core.Role;
import io.muster.core.Token;

/**
 * What a watcher follows: one key, every key under a prefix (empty: all keys), the instances of one
 * service, or one lock's holder.
 */
public record WatchFilter(String key, String prefix, String service, String lock) {

    public static WatchFilter key(String key) {
        return new WatchFilter(key, null, null, null);
    }

    public static WatchFilter prefix(String prefix) {
        return new WatchFilter(null, prefix, null, null);
    }

    public static WatchFilter service(String service) {
        return new WatchFilter(null, null, service, null);
    }

    public static WatchFilter lock(String name) {
        return new WatchFilter(null, null, null, name);
    }

    /**
     * Returns why {@code token} may not follow this filter, or {@code null} when it may: the rules the
     * watch endpoints check when a stream opens ({@link Access}), asked again when the token changes.
     */
    String denial(Token token) {
        String denial = Access.require(token, Role.READER);
        if (denial != null) {
            return denial;
        }
        if (service != null) {
            return Access.serviceReadDenial(token);
        }
        if (lock != null) {
            return Access.unconfinedDenial(token);
        }
        return Access.keyDenial(token, key != null ? key : prefix);
    }

    /** Whether any of one revision's {@code events} is one this filter follows. */
    boolean matchesAny(java.util.List<ChangeEvent> events) {
        for (ChangeEvent event : events) {
            if (matches(event)) {
                return true;
            }
        }
        return false;
    }

    boolean matches(ChangeEvent event) {
        if (lock != null) {
            return event.lock() != null && lock.equals(event.key());
        }
        if (service != null) {
            return service.equals(event.service());
        }
        if (event.service() != null || event.lock() != null) {
            return false;
        }
        return key != null ? key.equals(event.key()) : event.key().startsWith(prefix);
    }
}
