package io.muster.cluster;

import io.muster.raft.NodeStatus;
import io.muster.raft.RaftNode;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;

/**
 * The {@code raft} health component: UP while this node's Raft division runs and knows a leader,
 * DOWN otherwise, with the node's role, leader, term and indexes as details. (Quorum semantics for
 * readiness come with cluster membership administration.)
 */
@Component("raft")
class RaftHealthIndicator extends AbstractHealthIndicator {

    private final RaftNode node;

    RaftHealthIndicator(RaftNode node) {
        super("Raft health check failed");
        this.node = node;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        NodeStatus status = node.status();
        if (status.alive() && status.leaderId() != null) {
            builder.up();
        } else {
            builder.down();
        }
        builder.withDetail("nodeId", status.nodeId())
                .withDetail("role", status.role())
                .withDetail("leaderId", status.leaderId() == null ? "none" : status.leaderId())
                .withDetail("term", status.term())
                .withDetail("commitIndex", status.commitIndex())
                .withDetail("appliedIndex", status.appliedIndex());
    }
}
