package io.muster.view;

import io.muster.MusterProperties;
import io.muster.replication.Replica;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * The {@code view} health component, part of readiness: {@code UP} while the H2 view trails this
 * node's applied state by at most {@code muster.health.max-apply-lag} revisions, {@code OUT_OF_SERVICE}
 * while it catches up (or is rebuilt) and while its database has failed and is being rebuilt into a
 * fresh one, {@code DOWN} when its projector is not running. Each check asks the database to answer,
 * so a database H2 closed is reported at the next probe even while nothing reads or writes it.
 */
@Component("view")
class ViewHealthIndicator extends AbstractHealthIndicator {

    private final View view;
    private final Replica node;
    private final long maxLag;

    ViewHealthIndicator(View view, Replica node, MusterProperties properties) {
        super("H2 view health check failed");
        this.view = view;
        this.node = node;
        this.maxLag = properties.health().maxApplyLag();
    }

    /** The view's status and why, when it is not UP. */
    record Verdict(Status status, String reason) {
    }

    /** The status of a view: DOWN without a projector, OUT_OF_SERVICE while failed or behind, else UP. */
    static Verdict verdict(boolean running, boolean failed, long lag, long reflected, long maxLag) {
        if (!running) {
            return new Verdict(Status.DOWN, "the projector is not running");
        }
        if (failed) {
            return new Verdict(Status.OUT_OF_SERVICE, "the view's database failed; rebuilding it from the state");
        }
        if (lag > maxLag || reflected < 0) {
            return new Verdict(Status.OUT_OF_SERVICE, "catching up with the state");
        }
        return new Verdict(Status.UP, null);
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (view.isRunning()) {
            view.checkDatabase();
        }
        long state = node.headline().revision();
        long reflected = view.revision();
        long lag = Math.max(0, state - reflected);
        Verdict verdict = verdict(view.isRunning(), view.failed(), lag, reflected, maxLag);
        builder.status(verdict.status());
        if (verdict.reason() != null) {
            builder.withDetail("reason", verdict.reason());
        }
        builder.withDetail("viewRevision", reflected).withDetail("stateRevision", state).withDetail("lag", lag)
                .withDetail("rebuilds", view.rebuilds())
                .withDetail("failures", view.failures());
    }
}
