package io.muster.core;

import java.util.List;

/**
 * A transaction that ran: {@code succeeded} says whether every compare held (the {@code then}
 * branch ran) or not (the {@code otherwise} branch ran); one result per operation of that branch.
 */
public record TxnResult(long revision, boolean succeeded, List<OpResult> results) implements Result {

    public TxnResult {
        results = List.copyOf(results);
    }
}
