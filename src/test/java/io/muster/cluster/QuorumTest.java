package io.muster.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.replication.NodeStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

/** Proves the readiness rules: who counts as part of a working majority, from a node's own status. */
class QuorumTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final long MAX_APPLY_LAG = 100;

    @Test
    void aLeaderHearingAMajorityIsUp() {
        NodeStatus leader = leader(voter("n1", 0L), voter("n2", 150L), voter("n3", 5_000L));
        Quorum quorum = Quorum.judge(leader, TIMEOUT, MAX_APPLY_LAG);
        assertThat(quorum.status()).isEqualTo(Status.UP);
        assertThat(quorum.reachableVoters()).isEqualTo(2);
        assertThat(quorum.voters()).isEqualTo(3);
    }

    @Test
    void aLeaderThatHearsOnlyItselfIsDown() {
        NodeStatus leader = leader(voter("n1", 0L), voter("n2", 2_001L), voter("n3", 9_000L));
        Quorum quorum = Quorum.judge(leader, TIMEOUT, MAX_APPLY_LAG);
        assertThat(quorum.status()).isEqualTo(Status.DOWN);
        assertThat(quorum.reason()).contains("1 of 3 voters");
    }

    @Test
    void listenersDoNotCountTowardsTheMajority() {
        NodeStatus leader = leader(voter("n1", 0L), voter("n2", 9_000L), voter("n3", 9_000L), listener("n4", 10L),
                listener("n5", 10L));
        assertThat(Quorum.judge(leader, TIMEOUT, MAX_APPLY_LAG).status()).isEqualTo(Status.DOWN);
    }

    @Test
    void aFollowerIsUpOnlyWhileItHearsFromItsLeader() {
        assertThat(Quorum.judge(follower(1_999L, 10, 10), TIMEOUT, MAX_APPLY_LAG).status()).isEqualTo(Status.UP);
        Quorum silent = Quorum.judge(follower(2_001L, 10, 10), TIMEOUT, MAX_APPLY_LAG);
        assertThat(silent.status()).isEqualTo(Status.DOWN);
        assertThat(silent.reason()).contains("no contact with leader n1");
        assertThat(Quorum.judge(follower(null, 10, 10), TIMEOUT, MAX_APPLY_LAG).status()).isEqualTo(Status.DOWN);
    }

    @Test
    void aNodeFarBehindInApplyingIsOutOfServiceUntilItCatchesUp() {
        assertThat(Quorum.judge(follower(10L, 1_100, 1_000), TIMEOUT, MAX_APPLY_LAG).status()).isEqualTo(Status.UP);
        Quorum behind = Quorum.judge(follower(10L, 1_101, 1_000), TIMEOUT, MAX_APPLY_LAG);
        assertThat(behind.status()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(behind.reason()).contains("101 committed entries");
    }

    @Test
    void withoutALeaderOrOutsideTheConfigurationANodeIsNotReady() {
        NodeStatus candidate = status("n2", "CANDIDATE", null, null, 5, 5,
                List.of(voter("n1", null), voter("n2", null), voter("n3", null)));
        assertThat(Quorum.judge(candidate, TIMEOUT, MAX_APPLY_LAG).status()).isEqualTo(Status.DOWN);

        NodeStatus joining = status("n4", "LISTENER", null, null, 0, 0, List.of(listener("n4", null)));
        assertThat(Quorum.judge(joining, TIMEOUT, MAX_APPLY_LAG).status()).isEqualTo(Status.OUT_OF_SERVICE);

        NodeStatus leftOut = status("n4", "FOLLOWER", "n1", 10L, 9, 9, List.of(voter("n1", null), voter("n2", null)));
        Quorum notMember = Quorum.judge(leftOut, TIMEOUT, MAX_APPLY_LAG);
        assertThat(notMember.status()).isEqualTo(Status.DOWN);
        assertThat(notMember.reason()).contains("not in the configuration");

        NodeStatus removed = new NodeStatus("muster", "g", "n3", false, true, "UNKNOWN", null, 0, 0, 0, -1, -1, -1, null,
                false, List.of());
        Quorum verdict = Quorum.judge(removed, TIMEOUT, MAX_APPLY_LAG);
        assertThat(verdict.status()).isEqualTo(Status.DOWN);
        assertThat(verdict.reason()).contains("removed");
    }

    @Test
    void theLeaderReportsEachMembersLag() {
        NodeStatus leader = leader(voter("n1", 0L), new NodeStatus.Member("n2", "h:2", "FOLLOWER", true, false, 90L, 10L,
                100L), voter("n3", 100L));
        assertThat(Quorum.judge(leader, TIMEOUT, MAX_APPLY_LAG).lagByMember()).containsEntry("n2", 10L);
    }

    private static NodeStatus leader(NodeStatus.Member... members) {
        return status("n1", "LEADER", "n1", 0L, 100, 100, List.of(members));
    }

    private static NodeStatus follower(Long leaderContactMillis, long commit, long applied) {
        return status("n2", "FOLLOWER", "n1", leaderContactMillis, commit, applied,
                List.of(voter("n1", null), voter("n2", null), voter("n3", null)));
    }

    private static NodeStatus status(String self, String role, String leader, Long leaderContact, long commit, long applied, List<NodeStatus.Member> members) {
        return new NodeStatus("muster", "g", self, true, false, role, leader, 3, commit, applied, -1, 0, commit, leaderContact,
                false, members);
    }

    private static NodeStatus.Member voter(String id, Long lastContactMillis) {
        return new NodeStatus.Member(id, "h:1", "FOLLOWER", true, false, null, null, lastContactMillis);
    }

    private static NodeStatus.Member listener(String id, Long lastContactMillis) {
        return new NodeStatus.Member(id, "h:1", "LISTENER", false, false, null, null, lastContactMillis);
    }
}
