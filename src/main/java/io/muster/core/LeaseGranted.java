package io.muster.core;

/** A lease was granted at {@code revision}; its id is that revision. */
public record LeaseGranted(long revision, Lease lease) implements Result {
}
