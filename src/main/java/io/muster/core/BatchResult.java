package io.muster.core;

import java.util.List;

/** The results of a {@link Command.Batch}, one per command, in order, all at the batch's revision. */
public record BatchResult(long revision, List<Result> results) implements Result {

    public BatchResult {
        results = List.copyOf(results);
    }
}
