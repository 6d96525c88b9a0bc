package io.muster.watch;

import io.muster.core.Access;
import io.muster.core.Role;
import io.muster.core.Token;
import java.util.Set;

/**
 * What a watcher follows: one key, every key under a prefix (empty: all keys), the instances of one or
 * more services, one lock's holder, or every lock and election.
 *
 * @param services  the services whose instances it follows (at most {@link #MAX_SERVICES}); empty for
 *                  any other filter
 * @param lock      the one lock (or election, {@code elections/<name>}) it follows; {@code null} for any
 *                  other filter
 * @param everyLock whether it follows every lock and election (then {@code lock} is {@code null})
 */
public record WatchFilter(String key, String prefix, Set<String> services, String lock, boolean everyLock) {

    /** The most services one stream follows. */
    public static final int MAX_SERVICES = 256;

    public WatchFilter {
        services = services == null ? Set.of() : Set.copyOf(services);
    }

    public static WatchFilter key(String key) {
        return new WatchFilter(key, null, null, null, false);
    }

    public static WatchFilter prefix(String prefix) {
        return new WatchFilter(null, prefix, null, null, false);
    }

    public static WatchFilter service(String service) {
        return services(Set.of(service));
    }

    /** The instances of every one of {@code services}. */
    public static WatchFilter services(Set<String> services) {
        return new WatchFilter(null, null, services, null, false);
    }

    public static WatchFilter lock(String name) {
        return new WatchFilter(null, null, null, name, false);
    }

    /** Every lock and election: their holders and queues (the coordination watch). */
    public static WatchFilter allLocks() {
        return new WatchFilter(null, null, null, null, true);
    }

    /** Whether it follows locks (one, or all) rather than keys or instances. */
    private boolean followsLocks() {
        return lock != null || everyLock;
    }

    /**
     * Returns why {@code token} may not follow this filter, or {@code null} when it may: the rules the
     * watch endpoints check when a stream opens ({@link Access}), asked again when the token changes; for
     * services, for each of them, naming the first it may not read.
     */
    String denial(Token token) {
        String denial = Access.require(token, Role.READER);
        if (denial != null) {
            return denial;
        }
        if (!services.isEmpty()) {
            return serviceDenial(token, services);
        }
        if (followsLocks()) {
            return Access.unconfinedDenial(token);
        }
        return Access.keyDenial(token, key != null ? key : prefix);
    }

    /**
     * Why {@code token} may not read the instances of {@code services}, naming the first, or {@code null}.
     * The rule is the registry's ({@link Access#serviceReadDenial}): a token that is not confined, or one
     * that names services, reads every service (its scope confines the instances it writes, not those it
     * reads); one confined to key prefixes only reads none, so it is refused the first service it names.
     */
    public static String serviceDenial(Token token, java.util.Collection<String> services) {
        String denial = Access.serviceReadDenial(token);
        return denial == null || services.isEmpty() ? denial
                : "may not watch service '" + services.iterator().next() + "': " + denial;
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
        if (followsLocks()) {
            return event.lock() != null && (everyLock || lock.equals(event.key()));
        }
        if (!services.isEmpty()) {
            return event.service() != null && services.contains(event.service());
        }
        if (event.service() != null || event.lock() != null) {
            return false;
        }
        return key != null ? key.equals(event.key()) : event.key().startsWith(prefix);
    }
}
