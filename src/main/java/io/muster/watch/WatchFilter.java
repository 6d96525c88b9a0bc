package io.muster.watch;

/**
 * What a watcher follows: one key, every key under a prefix (empty: all keys), or the instances of
 * one service.
 */
public record WatchFilter(String key, String prefix, String service) {

    public static WatchFilter key(String key) {
        return new WatchFilter(key, null, null);
    }

    public static WatchFilter prefix(String prefix) {
        return new WatchFilter(null, prefix, null);
    }

    public static WatchFilter service(String service) {
        return new WatchFilter(null, null, service);
    }

    boolean matches(ChangeEvent event) {
        if (service != null) {
            return service.equals(event.service());
        }
        if (event.service() != null) {
            return false;
        }
        return key != null ? key.equals(event.key()) : event.key().startsWith(prefix);
    }
}
