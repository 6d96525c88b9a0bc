package io.muster.core;

/**
 * What creating or revoking a token did.
 *
 * @param token the token as it now is, or {@code null} when it was revoked
 */
public record TokenResult(long revision, String name, Token token) implements Result {
}
