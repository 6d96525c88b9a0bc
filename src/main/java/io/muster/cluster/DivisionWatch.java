package io.muster.cluster;

import io.muster.replication.Replica;
import io.muster.support.PeriodicDuty;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Turns liveness {@code DOWN} when this node's Raft division closed by itself while the node is still a
 * member of its group ({@link Replica#divisionClosedWhileMember}): the node would otherwise stay up,
 * serve stale reads and look removed forever. A supervisor (Kubernetes' liveness probe) then restarts
 * it, and it rejoins from its own storage as the voter it was. A node that was removed (the last
 * configuration it applied leaves it out) keeps liveness {@code UP}: restarting it would change nothing.
 * Seen twice in a row, a second apart, before it acts.
 */
@Component
class DivisionWatch extends PeriodicDuty {

    private static final Logger log = LoggerFactory.getLogger(DivisionWatch.class);
    static final Duration PERIOD = Duration.ofSeconds(1);

    private final Replica node;
    private final ApplicationEventPublisher events;
    private int closedChecks;
    private boolean broken;

    DivisionWatch(Replica node, ApplicationEventPublisher events) {
        super("muster-division-watch", Replica.PHASE + 1, PERIOD, PERIOD);
        this.node = node;
        this.events = events;
    }

    @Override
    protected void runOnce() {
        closedChecks = node.divisionClosedWhileMember() ? closedChecks + 1 : 0;
        if (closedChecks >= 2 && !broken) {
            broken = true;
            log.error("this node's Raft division closed by itself while the node is still a member of its group; "
                    + "liveness is now DOWN so that it gets restarted (it rejoins from its own storage)");
            AvailabilityChangeEvent.publish(events, this, LivenessState.BROKEN);
        }
    }
}
