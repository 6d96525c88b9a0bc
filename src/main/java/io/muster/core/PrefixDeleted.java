package io.muster.core;

/**
 * What deleting every key under a prefix did.
 *
 * @param prefix  the prefix
 * @param deleted how many keys it deleted (0 when none was there)
 */
public record PrefixDeleted(long revision, String prefix, long deleted) implements Result {
}
