package io.muster.core;

import java.util.List;

/** What each member of a {@link Command.Batch} produced, in the batch's order, all at one revision. */
public record BatchResult(long revision, List<Result> results) implements Result {

    public BatchResult {
        results = List.copyOf(results);
    }
}
