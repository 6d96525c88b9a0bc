package io.muster.cluster;

import io.muster.raft.MusterStateMachine;
import io.muster.raft.NodeStatus;
import io.muster.raft.RaftNode;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/cluster}: this node's view of the Raft group. */
@RestController
@Tag(name = "cluster", description = "The Raft group as this node sees it")
class ClusterController {

    private final RaftNode node;

    ClusterController(RaftNode node) {
        this.node = node;
    }

    @GetMapping("/v1/cluster")
    @Operation(summary = "This node's view of the cluster",
            description = "Role, leader, term, commit and applied index of this node, and the voters of the current configuration.")
    NodeStatus cluster() {
        return node.status();
    }

    @GetMapping("/v1/cluster/digest")
    @Operation(summary = "A digest of this node's state",
            description = "SHA-256 of the applied state and the revision it reflects. Two nodes at the same revision "
                    + "must answer the same digest; anything else is divergence.")
    MusterStateMachine.Digest digest() {
        return node.stateMachine().digest();
    }
}
