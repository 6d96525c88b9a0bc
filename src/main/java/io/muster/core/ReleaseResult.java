package io.muster.core;

import java.util.List;

/**
 * What a release command did.
 *
 * @param release the release as it now is (for a rollback or a restore, the new release that did it)
 * @param pruned  the ids of older releases retention dropped to make room
 */
public record ReleaseResult(long revision, Release release, List<Long> pruned) implements Result {

    public ReleaseResult {
        pruned = List.copyOf(pruned);
    }
}
