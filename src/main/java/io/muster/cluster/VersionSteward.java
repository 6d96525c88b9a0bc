package io.muster.cluster;

import io.muster.core.ClusterVersion;
import io.muster.core.Command;
import io.muster.replication.Consensus;
import io.muster.replication.Gateway;
import io.muster.replication.MemberVersions;
import io.muster.replication.NodeStatus;
import io.muster.replication.Replica;
import io.muster.replication.ReplicatedState;
import io.muster.support.PeriodicDuty;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Moves the cluster version up once every member can apply it: on every node, while the cluster runs
 * below this build's level, asks each member of the configuration (voters and listeners alike: both
 * apply every entry) which level it supports, and keeps the answers for the problems that name who
 * holds a feature back; the leader then proposes {@link Command.RaiseClusterVersion} to the lowest
 * level every member supports, once that is above the cluster's. A member that does not answer holds
 * the raise back: it may be an older build that is only down. Once the cluster runs at this build's
 * level there is nothing left to do, and the survey stops.
 */
@Component
class VersionSteward extends PeriodicDuty {

    private static final Logger log = LoggerFactory.getLogger(VersionSteward.class);
    static final Duration PERIOD = Duration.ofSeconds(1);

    private final Replica node;
    private final ReplicatedState state;
    private final Consensus consensus;
    private final Gateway gateway;
    private final MemberVersions versions;

    VersionSteward(Replica node, ReplicatedState state, Consensus consensus, Gateway gateway, MemberVersions versions) {
        super("muster-version-steward", Replica.PHASE + 1, PERIOD, PERIOD);
        this.node = node;
        this.state = state;
        this.consensus = consensus;
        this.gateway = gateway;
        this.versions = versions;
    }

    @Override
    protected void runOnce() {
        int current = state.clusterVersion();
        if (current > ClusterVersion.SUPPORTED) {
            reportOnChange("the cluster runs at version " + current + ", above the " + ClusterVersion.SUPPORTED
                    + " this build supports: upgrade this node");
            return;
        }
        if (current == ClusterVersion.SUPPORTED) {
            return;
        }
        NodeStatus status = node.status();
        if (!status.alive() || status.members().isEmpty()) {
            return;
        }
        Map<String, OptionalInt> survey = new LinkedHashMap<>();
        for (NodeStatus.Member member : status.members()) {
            survey.put(member.id(), consensus.supportedLevel(member.id(), member.address()));
        }
        versions.surveyed(survey);
        List<String> holdingBack = versions.holdingBack(ClusterVersion.SUPPORTED);
        int common = survey.values().stream().mapToInt(level -> level.orElse(ClusterVersion.BASELINE)).min()
                .orElse(ClusterVersion.BASELINE);
        int target = Math.min(common, ClusterVersion.SUPPORTED);
        reportOnChange(holdingBack.isEmpty() ? "every member supports cluster version " + ClusterVersion.SUPPORTED
                : "cluster version " + current + " (this build supports " + ClusterVersion.SUPPORTED + "); held back by "
                        + String.join(", ", holdingBack));
        // Not while the configuration changes: a node being added or removed may not be in the survey.
        if (target > current && survey.values().stream().allMatch(OptionalInt::isPresent)
                && "LEADER".equals(status.role()) && !status.changeInProgress()) {
            gateway.writeAsMuster(new Command.RaiseClusterVersion(target));
            log.info("raised the cluster version from {} to {}: every member supports it ({})", current, target, survey);
        }
    }

    @Override
    protected void failed(RuntimeException failure) {
        reportOnChange("cluster version: " + failure.getMessage());
    }
}
