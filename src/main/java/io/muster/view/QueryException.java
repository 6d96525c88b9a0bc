package io.muster.view;

/** An operator's query that did not run to completion; the view is untouched either way. */
public final class QueryException extends RuntimeException {

    /** Why. */
    public enum Kind {
        /** Refused before running: not a single read-only SELECT, or not allowed to the query user. */
        NOT_ALLOWED,
        /** H2 could not compile it: a syntax error, an unknown table or column. */
        INVALID,
        /** It ran past the query timeout and was cancelled. */
        TIMEOUT,
        /** It failed while running: a parameter or value of the wrong type, a division by zero. */
        FAILED,
        /** It allocated more memory than a query may (muster.view.query-max-allocation) and was cancelled. */
        TOO_COSTLY,
        /** Not run: the node runs as many queries as it may at once (muster.view.max-concurrent-queries). */
        BUSY
    }

    private final Kind kind;

    QueryException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
