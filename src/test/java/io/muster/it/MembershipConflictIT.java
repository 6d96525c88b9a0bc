package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Proves that membership changes are refused when they would overlap or risk the quorum. Promotion is
 * held back here (a promotion period of an hour), so a voter-to-be stays pending for as long as the
 * test needs: every node must see that change in progress and refuse a second one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MembershipConflictIT {

    @TempDir
    static Path root;
    static TestCluster cluster;
    static TestNode pending;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(3, root, Map.of("muster.membership.promotion-period", "1h"));
        pending = TestNode.joining("n5", root.resolve("n5"), Map.of());
        pending.start();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
        pending.stop();
    }

    @Test
    @Order(1)
    void aVoterToBeIsAListenerThatEveryNodeSeesAsAChangeInProgress() {
        Http.Response added = Http.post(cluster.node(1).url("/v1/cluster/members"),
                "{\"id\":\"n5\",\"address\":\"" + pending.raftAddress() + "\"}");
        assertThat(added.status()).as(added.toString()).isEqualTo(202);
        JsonNode member = added.json();
        assertThat(member.get("role").asString()).isEqualTo("LISTENER");
        assertThat(member.get("voting").asBoolean()).isFalse();
        assertThat(member.get("promoting").asBoolean()).isTrue();
        for (TestNode node : cluster.running()) {
            Waits.until(node.id + " sees the change in progress", TestCluster.DEADLINE,
                    () -> node.status().changeInProgress() ? true : null);
        }
    }

    @Test
    @Order(2)
    void aSecondChangeIsRefusedOnAnyNodeWhileOneIsInProgress() {
        for (TestNode node : cluster.running()) {
            Http.Response add = Http.post(node.url("/v1/cluster/members"), "{\"id\":\"n6\",\"address\":\"127.0.0.1:9\"}");
            assertThat(add.status()).as(add.toString()).isEqualTo(409);
            assertThat(add.json().get("type").asString()).isEqualTo("urn:muster:problem:change-in-progress");
            assertThat(add.json().get("detail").asString()).contains("n5");
            Http.Response remove = Http.delete(node.url("/v1/cluster/members/n3"));
            assertThat(remove.status()).isEqualTo(409);
        }
        assertThat(cluster.node(1).status().members()).extracting(member -> member.id())
                .containsExactly("n1", "n2", "n3", "n5");
    }

    @Test
    @Order(3)
    void leadershipCannotGoToAListener() {
        Http.Response refused = Http.post(cluster.node(2).url("/v1/cluster/leader"), "{\"id\":\"n5\"}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("type").asString()).isEqualTo("urn:muster:problem:not-a-voter");
    }

    @Test
    @Order(4)
    void removingTheVoterToBeCancelsItsAddition() {
        Http.Response cancelled = Http.delete(cluster.node(3).url("/v1/cluster/members/n5"));
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(204);
        Waits.until("no change in progress", TestCluster.DEADLINE, () -> cluster.running().stream()
                .noneMatch(node -> node.status().changeInProgress()) ? true : null);
        assertThat(cluster.node(1).status().members()).extracting(member -> member.id())
                .containsExactly("n1", "n2", "n3");
    }

    @Test
    @Order(5)
    void removingALiveVoterWhileAnotherIsDownIsRefusedAsAQuorumRisk() {
        TestNode leader = cluster.awaitLeader();
        TestNode down = cluster.followers().get(0);
        TestNode live = cluster.followers().get(1);
        down.stop();
        try {
            Waits.until("the leader notices " + down.id + " is unreachable", TestCluster.DEADLINE, () -> {
                Long contact = leader.status().members().stream().filter(member -> member.id().equals(down.id))
                        .findFirst().orElseThrow().lastContactMillis();
                return contact != null && contact > 1_000 ? true : null;
            });
            Http.Response refused = Http.delete(leader.url("/v1/cluster/members/" + live.id));
            assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
            assertThat(refused.json().get("type").asString()).isEqualTo("urn:muster:problem:quorum-at-risk");
            assertThat(refused.json().get("detail").asString()).contains("reachable");
            assertThat(leader.status().members()).hasSize(3);
        } finally {
            down.start();
        }
        cluster.awaitLeader();
    }
}
