package io.muster.core;

/**
 * A delete: whether something was there to delete, and the modRevision it had (0 when absent).
 */
public record DeleteResult(long revision, String key, boolean deleted, long previousModRevision)
        implements Result, OpResult {
}
