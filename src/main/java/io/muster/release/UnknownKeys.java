package io.muster.release;

/**
 * How a release policy grades keys that the application's metadata does not declare. Applications
 * often read keys of their own without metadata for them, so reporting them is a choice, not a rule.
 */
public enum UnknownKeys {
    IGNORE,
    WARN,
    ERROR;

    /** Written as a policy reads it: lower case. */
    @com.fasterxml.jackson.annotation.JsonValue
    String json() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
