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
 * @param lease          the lease the key is bound to (deleted when it ends), or 0 for none
 */
public record Entry(String key, long createRevision, Version current, List<Version> history, long lease) {

    public Entry {
        history = List.copyOf(history);
    }

    /** An entry bound to no lease. */
    public Entry(String key, long createRevision, Version current, List<Version> history) {
        this(key, createRevision, current, history, 0);
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
