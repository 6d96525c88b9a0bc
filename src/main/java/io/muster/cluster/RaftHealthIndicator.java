package io.muster.cluster;

import io.muster.MusterProperties;
import io.muster.replication.NodeStatus;
import io.muster.replication.Replica;
import java.time.Duration;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;

/**
 * The {@code raft} health component, and so readiness: {@code UP} while this node is part of a
 * working majority and has applied what it knows committed (see {@link Quorum} for the rules),
 * {@code OUT_OF_SERVICE} while it catches up or waits to be added, {@code DOWN} otherwise. Liveness
 * never includes it: a node cut off from the majority must leave the load balancer, not be restarted.
 * (Only a division that closed by itself turns liveness DOWN, through {@link DivisionWatch}.)
 */
@Component("raft")
class RaftHealthIndicator extends AbstractHealthIndicator {

    private final Replica node;
    private final Duration electionTimeoutMax;
    private final long maxApplyLag;

    RaftHealthIndicator(Replica node, MusterProperties properties) {
        super("Raft health check failed");
        this.node = node;
        this.electionTimeoutMax = properties.raft().electionTimeoutMax();
        this.maxApplyLag = properties.health().maxApplyLag();
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        NodeStatus status = node.status();
        Quorum quorum = Quorum.judge(status, electionTimeoutMax, maxApplyLag);
        builder.status(quorum.status())
                .withDetail("reason", node.divisionClosedWhileMember() ? "the Raft division closed by itself while "
                        + "this node is still a member: liveness goes DOWN so that it gets restarted" : quorum.reason())
                .withDetail("nodeId", status.nodeId())
                .withDetail("role", status.role())
                .withDetail("leaderId", status.leaderId() == null ? "none" : status.leaderId())
                .withDetail("term", status.term())
                .withDetail("commitIndex", status.commitIndex())
                .withDetail("appliedIndex", status.appliedIndex())
                .withDetail("voters", quorum.voters());
        if (quorum.reachableVoters() != null) {
            builder.withDetail("reachableVoters", quorum.reachableVoters()).withDetail("lag", quorum.lagByMember());
        }
    }
}
