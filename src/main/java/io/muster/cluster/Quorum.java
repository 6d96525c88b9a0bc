package io.muster.cluster;

import io.muster.replication.NodeStatus;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.health.contributor.Status;

/**
 * Whether this node is part of a working majority, judged from its own status alone (no RPC), the
 * way Ratis' leader judges its followers:
 *
 * <ul>
 *   <li>a leader is {@code UP} while a majority of voters, itself included, answered within the
 *       election timeout (a leader that cannot hear a majority steps down after that long anyway);
 *   <li>a follower or listener is {@code UP} while it heard from its leader within the election
 *       timeout;
 *   <li>either is {@code OUT_OF_SERVICE} while it has more than {@code maxApplyLag} committed entries
 *       left to apply, or while it waits to be added (a node started to join knows a configuration
 *       with no voters, only itself as a listener);
 *   <li>everything else is {@code DOWN}: no leader known, a candidate, a stopped or removed node.
 * </ul>
 *
 * <p>Pure: the same status and settings give the same verdict.
 */
record Quorum(Status status, String reason, Integer voters, Integer reachableVoters, Map<String, Long> lagByMember) {

    static Quorum judge(NodeStatus node, Duration electionTimeoutMax, long maxApplyLag) {
        long timeoutMillis = electionTimeoutMax.toMillis();
        boolean leads = "LEADER".equals(node.role());
        Integer reachable = leads ? reachableVoters(node, timeoutMillis) : null;
        Map<String, Long> lags = new TreeMap<>();
        if (leads) {
            node.members().stream().filter(member -> member.lag() != null)
                    .forEach(member -> lags.put(member.id(), member.lag()));
        }
        Judgement judgement = judgement(node, timeoutMillis, maxApplyLag, reachable);
        return new Quorum(judgement.status(), judgement.reason(), node.voters().size(), reachable, lags);
    }

    private static Judgement judgement(NodeStatus node, long timeoutMillis, long maxApplyLag, Integer reachable) {
        if (node.removed()) {
            return new Judgement(Status.DOWN, "removed from the configuration; stop this node");
        }
        if (!node.alive()) {
            return new Judgement(Status.DOWN, "the Raft server is not running");
        }
        if (node.voters().isEmpty()) {
            return new Judgement(Status.OUT_OF_SERVICE, "waiting to be added to the cluster (POST /v1/cluster/members, or by the leader when the deployment wants it)");
        }
        if (!node.includesSelf()) {
            return new Judgement(Status.DOWN, "not in the configuration (removed); stop this node");
        }
        if (node.leaderId() == null) {
            return new Judgement(Status.DOWN, "no leader known (" + node.role().toLowerCase() + ")");
        }
        if (reachable != null) {
            int needed = node.voters().size() / 2 + 1;
            if (reachable < needed) {
                return new Judgement(Status.DOWN, "leader hears " + reachable + " of " + node.voters().size()
                        + " voters within " + timeoutMillis + " ms, fewer than a majority of " + needed);
            }
        } else if (node.leaderContactMillis() == null || node.leaderContactMillis() > timeoutMillis) {
            return new Judgement(Status.DOWN, "no contact with leader " + node.leaderId() + " for "
                    + (node.leaderContactMillis() == null ? "an unknown time" : node.leaderContactMillis() + " ms"));
        }
        long applyLag = node.commitIndex() - node.appliedIndex();
        if (applyLag > maxApplyLag) {
            return new Judgement(Status.OUT_OF_SERVICE, "catching up: " + applyLag
                    + " committed entries to apply (more than " + maxApplyLag + ")");
        }
        return new Judgement(Status.UP, "part of a working majority");
    }

    /** On the leader: itself plus the voters that answered within the election timeout. */
    private static int reachableVoters(NodeStatus node, long timeoutMillis) {
        return (int) node.voters().stream().filter(member -> member.id().equals(node.nodeId())
                || (member.lastContactMillis() != null && member.lastContactMillis() <= timeoutMillis)).count();
    }

    private record Judgement(Status status, String reason) {
    }
}
