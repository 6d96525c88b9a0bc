package io.muster.release;

/**
 * One thing wrong with one key of one document, as a release records and shows it. {@code suggestion}
 * is a fix when one is known ("did you mean server.port", "use logging.file.name"), else null.
 */
public record ValidationProblem(String document, String key, Severity severity, String message, String suggestion) {

    /** An error blocks publishing under an enforcing policy; a warning travels with the release. */
    public enum Severity {
        ERROR,
        WARNING
    }
}
