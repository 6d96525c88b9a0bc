package io.muster.view;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

/**
 * The view's health as readiness sees it: a failed database takes the node out of service until the
 * view is rebuilt, whatever its lag, and so does a view behind the state; a stopped projector is DOWN.
 */
class ViewHealthIndicatorTest {

    @Test
    void aFailedDatabaseIsOutOfServiceEvenWhenTheViewIsCaughtUp() {
        ViewHealthIndicator.Verdict verdict = ViewHealthIndicator.verdict(true, true, 0, 42, 1000);
        assertThat(verdict.status()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(verdict.reason()).contains("failed");
    }

    @Test
    void aViewBehindTheStateIsOutOfServiceAndOneCaughtUpIsUp() {
        assertThat(ViewHealthIndicator.verdict(true, false, 1001, 42, 1000).status()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(ViewHealthIndicator.verdict(true, false, 0, -1, 1000).status()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(ViewHealthIndicator.verdict(true, false, 1000, 42, 1000).status()).isEqualTo(Status.UP);
    }

    @Test
    void aStoppedProjectorIsDown() {
        assertThat(ViewHealthIndicator.verdict(false, false, 0, 42, 1000).status()).isEqualTo(Status.DOWN);
    }
}
