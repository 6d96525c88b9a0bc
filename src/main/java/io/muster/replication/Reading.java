package io.muster.replication;

/** A value read from the store and the revision of the state it was read from. */
public record Reading<T>(T value, long revision) {
}
