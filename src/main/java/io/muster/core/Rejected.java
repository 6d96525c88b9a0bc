package io.muster.core;

/**
 * A command that changed nothing, and why.
 *
 * @param key                 the key the rejection is about ({@code ""} when none)
 * @param currentModRevision  for {@link Reason#PRECONDITION_FAILED}, the key's modRevision now (0 =
 *                            absent); otherwise 0
 * @param detail              a sentence for the operator
 */
public record Rejected(long revision, Reason reason, String key, long currentModRevision, String detail)
        implements Result {

    public enum Reason {
        /** The key's modRevision was not the one the command expected. */
        PRECONDITION_FAILED,
        /** The command breaks a rule the API should have enforced (the log may hold anything). */
        INVALID_COMMAND,
        /** The command named a lease that does not exist (never granted, revoked or expired). */
        LEASE_NOT_FOUND,
        /** The command named a service instance that is not registered. */
        INSTANCE_NOT_FOUND,
        /** The command's author (a token) is gone or may not issue it. */
        PERMISSION_DENIED,
        /** A token of that name (or with that secret) already exists. */
        TOKEN_EXISTS,
        /** The command named a token that does not exist. */
        TOKEN_NOT_FOUND,
        /** The command's Idempotency-Key was used for a different command within its window. */
        IDEMPOTENCY_KEY_REUSED,
        /** The command named a release that does not exist (or a document a release does not change). */
        RELEASE_NOT_FOUND,
        /** The release is not in a state the command applies to (e.g. publishing an abandoned one). */
        RELEASE_NOT_OPEN,
        /** A document of the release is already in gray in another release. */
        DOCUMENT_IN_GRAY,
        /** A document changed since the release was based on it; {@code key} names the first. */
        RELEASE_CONFLICT,
        /** Four-eyes: the release's author may not publish it. */
        SAME_AUTHOR,
        /** The release failed validation and the application's policy enforces it. */
        CONFIG_INVALID,
        /** A group of documents already has as many draft or gray releases as it may. */
        TOO_MANY_OPEN_RELEASES
    }
}
