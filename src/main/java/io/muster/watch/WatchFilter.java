package io.muster.watch;

/** Which keys a watcher follows: one key, or every key under a prefix (empty: all keys). */
public record WatchFilter(String key, String prefix) {

    public static WatchFilter key(String key) {
        return new WatchFilter(key, null);
    }

    public static WatchFilter prefix(String prefix) {
        return new WatchFilter(null, prefix);
    }

    boolean matches(String candidate) {
        return key != null ? key.equals(candidate) : candidate.startsWith(prefix);
    }
}
