package io.muster.view;

import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import java.time.Duration;

/** The {@code minRevision} rule every view answer follows: wait, bounded, for the view to reflect it. */
public final class MinRevision {

    private MinRevision() {
    }

    /**
     * Returns once {@code view} reflects {@code revision} (at once for {@code null} or 0).
     *
     * @throws ProblemException 400 for a negative revision, 504 {@code revision-not-reached} when the
     *                          view did not get there within {@code timeout}
     */
    public static void await(View view, Long revision, Duration timeout) {
        if (revision == null || revision == 0) {
            return;
        }
        if (revision < 0) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "minRevision must not be negative")
                    .with("field", "minRevision");
        }
        if (!view.await(revision, timeout)) {
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
