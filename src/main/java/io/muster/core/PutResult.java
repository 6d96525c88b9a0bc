package io.muster.core;

/** A stored value: its key's revisions after the write, and whether the write created the key. */
public record PutResult(long revision, String key, long createRevision, long modRevision, long version,
        boolean created) implements Result, OpResult {
}
