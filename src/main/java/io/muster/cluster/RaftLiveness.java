package io.muster.cluster;

import io.muster.raft.NodeStatus;
import io.muster.raft.RaftNode;
import io.muster.raft.Ticker;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Turns liveness {@code BROKEN} (the liveness probe answers 503) once this node's Raft division has
 * stopped by itself: it ran, and is no longer running, though this node was neither removed from the
 * configuration nor asked to shut down. Ratis closes a division on a broken invariant and never
 * restarts it, so the process would go on answering HTTP with a dead replica inside; a restart recovers
 * it from its log and snapshot. The fault histories found such a case: a follower that received a late
 * append just after installing a snapshot (Ratis 3.3.0's log worker asserts that the entry follows
 * the snapshot, and closes the division when it does not). Liveness is the signal a supervisor
 * (Kubernetes' liveness probe, the chart's default) restarts a process on.
 *
 * <p>A node waiting to be added to a cluster has never run its division and stays live.
 */
@Component
class RaftLiveness implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RaftLiveness.class);

    private final RaftNode node;
    private final ApplicationEventPublisher events;
    private final Ticker ticker = new Ticker("muster-raft-liveness");
    private volatile boolean ran;
    private volatile boolean broken;

    RaftLiveness(RaftNode node, ApplicationEventPublisher events) {
        this.node = node;
        this.events = events;
    }

    @Override
    public void start() {
        ticker.start(Duration.ofSeconds(1), Duration.ofMillis(500), this::check);
    }

    private void check() {
        NodeStatus status = node.status();
        if (status.alive()) {
            ran = true;
            return;
        }
        if (ran && !status.removed() && !broken && ticker.running()) {
            broken = true;
            log.error("the Raft division of node {} stopped by itself (see the Ratis errors above): liveness is now "
                    + "BROKEN so that a supervisor restarts this process", status.nodeId());
            AvailabilityChangeEvent.publish(events, this, LivenessState.BROKEN);
        }
    }

    @Override
    public void stop() {
        ticker.stop();
    }

    @Override
    public boolean isRunning() {
        return ticker.running();
    }

    /** Starts after the Raft node and stops before it, so that a deliberate shutdown never looks broken. */
    @Override
    public int getPhase() {
        return RaftNode.PHASE + 1;
    }
}
