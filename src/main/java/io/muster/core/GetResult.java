package io.muster.core;

/** A read inside a transaction: the entry as the transaction saw it, {@code null} when absent. */
public record GetResult(String key, Entry entry) implements OpResult {
}
