package io.muster.view;

import io.muster.MusterProperties;
import io.muster.raft.RaftNode;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
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
    private final RaftNode node;
    private final long maxLag;

    ViewHealthIndicator(View view, RaftNode node, MusterProperties properties) {
        super("H2 view health check failed");
        this.view = view;
        this.node = node;
        this.maxLag = properties.health().maxApplyLag();
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (view.isRunning()) {
            view.checkDatabase();
        }
        long state = node.headline().revision();
        long reflected = view.revision();
        long lag = Math.max(0, state - reflected);
        if (!view.isRunning()) {
            builder.down().withDetail("reason", "the projector is not running");
        } else if (view.failed()) {
            builder.outOfService().withDetail("reason", "the view's database failed; rebuilding it from the state");
        } else if (lag > maxLag || reflected < 0) {
            builder.outOfService().withDetail("reason", "catching up with the state");
        } else {
            builder.up();
        }
        builder.withDetail("viewRevision", reflected).withDetail("stateRevision", state).withDetail("lag", lag)
                .withDetail("rebuilds", view.rebuilds())
                .withDetail("failures", view.failures());
    }
}
