package io.muster.view;

import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import java.time.Duration;

/** The {@code minRevision} rule every view answer follows: the view reflects it, or 504. */
public final class MinRevision {

    private MinRevision() {
    }

    /**
     * Returns if {@code view} reflects {@code revision} (at once for {@code null} or 0). It does not wait:
     * a request that must wait does so without a thread before it gets here (the {@code wait} package's
     * filter), so a revision the view still lacks now (its database was just replaced) is answered at once.
     *
     * @throws ProblemException 400 for a negative revision, 504 {@code revision-not-reached} when the
     *                          view does not reflect it
     */
    public static void await(View view, Long revision, Duration timeout) {
        if (revision == null || revision == 0) {
            return;
        }
        if (revision < 0) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "minRevision must not be negative")
                    .with("field", "minRevision");
        }
        if (view.revision() < revision) {
            throw notReached(view, revision, timeout);
        }
    }

    /** The 504 {@code revision-not-reached} problem of a wait for {@code revision} that ran out. */
    public static ProblemException notReached(View view, long revision, Duration timeout) {
        long reflected = view.revision();
        return new ProblemException(ProblemType.REVISION_NOT_REACHED, "this node's view did not reach revision "
                + revision + " within " + timeout + " (it reflects " + reflected + ")")
                .with("minRevision", revision).with("viewRevision", reflected);
    }
}
