package io.muster.core;

/** An instance was deregistered at {@code revision}; {@code removed} says whether it existed. */
public record InstanceRemoved(long revision, String service, String id, boolean removed) implements Result {
}
