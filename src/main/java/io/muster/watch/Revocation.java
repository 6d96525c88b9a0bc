package io.muster.watch;

import io.muster.core.Token;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Why a stream (or a long poll) may no longer read what it follows, and from which revision on: its
 * token was revoked or replaced with another secret ({@code unauthorized}), or changed so that its
 * role or prefixes no longer allow the stream's filter ({@code forbidden}). Nothing at or after
 * {@code revision} may be delivered to it.
 *
 * @param revision the revision of the token change; 0 when the change was found by looking at the
 *                 current state and its revision is unknown (then nothing at all may be delivered)
 */
record Revocation(ProblemType type, String detail, long revision) {

    /** What {@code TokenFilter} answers a revoked token with, so a long poll ends the same way. */
    private static final String CHALLENGE = "Bearer realm=\"muster\", error=\"invalid_token\"";
    private static final String AFTER = "; its streams and long polls deliver nothing from then on";

    /**
     * Returns why a stream that {@code opened} opened must end now that the token of that name is
     * {@code now} ({@code null}: revoked), or {@code null} when it may go on; {@code denial} says why a
     * token may not read what the stream follows ({@code null}: it may). A stream opened without a token
     * (security off) never ends this way.
     */
    static Revocation of(Token opened, Token now, Function<Token, String> denial, long revision) {
        if (opened == null || opened.equals(now)) {
            return null;
        }
        String when = revision > 0 ? " at revision " + revision : "";
        if (now == null) {
            return new Revocation(ProblemType.UNAUTHORIZED, "token '" + opened.name() + "' was revoked" + when + AFTER,
                    revision);
        }
        if (!Arrays.equals(opened.secretHash(), now.secretHash())) {
            return new Revocation(ProblemType.UNAUTHORIZED, "token '" + opened.name() + "' was revoked" + when
                    + " (replaced with another secret)" + AFTER, revision);
        }
        String denied = denial.apply(now);
        return denied == null ? null : new Revocation(ProblemType.FORBIDDEN, "token '" + opened.name()
                + "' changed" + when + " and no longer allows this read: " + denied + AFTER, revision);
    }

    /** Whether a change at {@code changeRevision} comes too late to be delivered. */
    boolean forbids(long changeRevision) {
        return changeRevision >= revision;
    }

    /** The problem a long poll answers with. */
    ProblemException problem() {
        ProblemException problem = new ProblemException(type, detail);
        if (revision > 0) {
            problem.with("revision", revision);
        }
        return type == ProblemType.UNAUTHORIZED ? problem.withHeader("WWW-Authenticate", CHALLENGE) : problem;
    }
}
