package io.muster.springconfig;

/**
 * A configuration document that does not parse, or uses what documents may not: where (1-based
 * line and column, 0 when unknown) and why.
 */
final class InvalidDocument extends RuntimeException {

    private final int line;
    private final int column;

    InvalidDocument(String reason, int line, int column) {
        super(reason, null, false, false);
        this.line = line;
        this.column = column;
    }

    InvalidDocument(String reason) {
        this(reason, 0, 0);
    }

    int line() {
        return line;
    }

    int column() {
        return column;
    }

    /** The reason with its place, for a problem's detail. */
    String describe() {
        return line > 0 ? "line " + line + ", column " + column + ": " + getMessage() : getMessage();
    }
}
