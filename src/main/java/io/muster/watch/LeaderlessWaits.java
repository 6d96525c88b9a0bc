package io.muster.watch;

import io.muster.replication.Replica;
import io.muster.support.PeriodicDuty;
import io.muster.web.ProblemException;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * Tells whoever waits for changes on this node when it hears from no leader ({@link Replica#leaderless}):
 * no change can reach it then, so waiting on would only look like a quiet cluster. Every watch stream
 * (election observers too; not the cluster status stream, whose news this is) ends with a final
 * {@code closed} message saying why, and every waiting long poll answers 503 {@code leader-unreachable};
 * clients resume on another node from their last revision. Checked every {@link #PERIOD}, so they learn within that of the moment this node starts
 * refusing writes. Runs on its own thread, from the node's start to its stop.
 */
@Component
class LeaderlessWaits extends PeriodicDuty {

    static final Duration PERIOD = Duration.ofMillis(100);

    private final Replica node;
    private final Watches watches;
    private final LongPolls longPolls;

    LeaderlessWaits(Replica node, Watches watches, LongPolls longPolls) {
        super("muster-leaderless-waits", Replica.PHASE + 1, PERIOD, PERIOD);
        this.node = node;
        this.watches = watches;
        this.longPolls = longPolls;
    }

    @Override
    protected void runOnce() {
        node.leaderless().ifPresent(leaderless -> {
            watches.endLeaderless(leaderless.describe() + ": reconnect with Last-Event-ID to another node");
            longPolls.endAll(ProblemException.leaderUnreachable(leaderless));
        });
    }
}
