package io.muster.core;

import java.util.List;

/**
 * A key with its current value and the versions retained before it.
 *
 * @param key            the key
 * @param createRevision the revision that created this incarnation of the key
 * @param current        the value now
 * @param history        earlier versions, newest first; together with {@code current} at most the
 *                       retention stamped into the last write
 */
public record Entry(String key, long createRevision, Version current, List<Version> history) {

    public Entry {
        history = List.copyOf(history);
    }

    public byte[] value() {
        return current.value();
    }

    public String contentType() {
        return current.contentType();
    }

    public long modRevision() {
        return current.modRevision();
    }

    public long version() {
        return current.version();
    }

    public long modifiedAtMillis() {
        return current.modifiedAtMillis();
    }
}
