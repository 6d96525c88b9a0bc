package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.replication.NodeStatus;
import java.nio.file.Path;
import java.util.List;
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
 * Proves membership administration on a real cluster: growing 3 → 4 under a steady write load with no
 * failed write (the newcomer joins as a listener and is promoted once caught up), shrinking back,
 * transferring leadership, taking a snapshot on demand, a non-voting read replica, the leader handing
 * off leadership when it stops, and the answers to bad requests.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MembershipIT {

    @TempDir
    static Path root;
    static TestCluster cluster;
    static TestNode newcomer;
    static TestNode replica;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(3, root, Map.of("muster.membership.promotion-period", "200ms"));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
        for (TestNode joined : new TestNode[] {newcomer, replica}) {
            if (joined != null) {
                joined.stop();
            }
        }
    }

    @Test
    @Order(1)
    void aNewVoterJoinsAsAListenerCatchesUpAndIsPromotedWithoutAFailedWrite() {
        newcomer = TestNode.joining("n4", root.resolve("n4"), Map.of());
        newcomer.start();
        Http.Response waiting = Http.get(newcomer.url("/actuator/health/readiness"));
        assertThat(waiting.status()).isEqualTo(503);
        // Only the status: the details need an admin token, and a node without a group holds no tokens yet.
        assertThat(waiting.text()).contains("OUT_OF_SERVICE").doesNotContain("components");

        TestNode follower = cluster.followers().get(0);
        try (SteadyWriter writer = new SteadyWriter(() -> cluster.running())) {
            writer.awaitProgress(50);
            Http.Response added = Http.post(follower.url("/v1/cluster/members"),
                    "{\"id\":\"n4\",\"address\":\"" + newcomer.raftAddress() + "\",\"voting\":true}");
            assertThat(added.status()).as(added.toString()).isEqualTo(202);
            assertThat(added.header("Location")).isEqualTo("/v1/cluster/members/n4");
            assertThat(added.json().get("id").asString()).isEqualTo("n4");

            Waits.until("n4 promoted to voter on every node", TestCluster.DEADLINE, () -> cluster.running().stream()
                    .allMatch(node -> isVoter(node.status(), "n4")) ? true : null);
            writer.awaitProgress(50);
            writer.close();
            assertThat(writer.failedTwice()).as(writer.failures()).isZero();
            assertThat(writer.retried()).as("writes retried while the configuration changed").isZero();

            Http.Response latest = Http.get(newcomer.url("/v1/kv/" + writer.lastKey()));
            assertThat(latest.status()).as(latest.toString()).isEqualTo(200);
            assertThat(latest.text()).isEqualTo(writer.lastValue());
        }
        Waits.until("n4 ready", TestCluster.DEADLINE,
                () -> Http.get(newcomer.url("/actuator/health/readiness")).status() == 200 ? true : null);
        List<TestNode> all = List.of(cluster.node(1), cluster.node(2), cluster.node(3), newcomer);
        Waits.until("equal digests on all four nodes", TestCluster.DEADLINE, () ->
                all.stream().map(TestNode::digest).distinct().count() == 1 ? true : null);
    }

    @Test
    @Order(2)
    void theClusterDescribesEveryMemberAndTheLeaderKnowsTheirProgress() {
        TestNode leader = cluster.awaitLeader();
        JsonNode view = Http.get(leader.url("/v1/cluster")).json();
        assertThat(view.get("role").asString()).isEqualTo("LEADER");
        assertThat(view.get("members")).hasSize(4);
        for (JsonNode member : view.get("members")) {
            assertThat(member.get("voting").asBoolean()).isTrue();
            assertThat(member.get("matchIndex").isNumber()).as(member.toString()).isTrue();
            assertThat(member.get("lag").isNumber()).as(member.toString()).isTrue();
            assertThat(member.get("lastContactMillis").isNumber()).as(member.toString()).isTrue();
        }
        JsonNode onFollower = Http.get(cluster.followers().get(0).url("/v1/cluster")).json();
        assertThat(onFollower.get("leaderId").asString()).isEqualTo(leader.id);
        assertThat(onFollower.get("leaderContactMillis").asLong()).isLessThan(2_000);
    }

    @Test
    @Order(3)
    void badMembershipRequestsAreRefusedAndChangeNothing() {
        TestNode node = cluster.node(1);
        long before = node.status().members().size();
        Http.Response unknown = Http.delete(node.url("/v1/cluster/members/nobody"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("type").asString()).isEqualTo("urn:muster:problem:member-not-found");

        Http.Response malformed = Http.post(node.url("/v1/cluster/members"), "{\"id\":\"n9\",\"address\":\"no-port\"}");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("field").asString()).isEqualTo("address");
        assertThat(malformed.header("Content-Type")).startsWith("application/problem+json");

        Http.Response badId = Http.post(node.url("/v1/cluster/members"), "{\"id\":\"../x\",\"address\":\"h:1\"}");
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.text()).contains("id");

        Http.Response existing = Http.post(node.url("/v1/cluster/members"),
                "{\"id\":\"n2\",\"address\":\"127.0.0.1:1\"}");
        assertThat(existing.status()).isEqualTo(409);
        assertThat(existing.json().get("type").asString()).isEqualTo("urn:muster:problem:member-exists");

        Http.Response nobodyLeads = Http.post(node.url("/v1/cluster/leader"), "{\"id\":\"nobody\"}");
        assertThat(nobodyLeads.status()).isEqualTo(404);
        assertThat(node.status().members()).hasSize((int) before);
    }

    @Test
    @Order(4)
    void leadershipMovesToTheVoterAskedForWithoutFailingAWriteSentThroughAFollower() {
        TestNode leader = cluster.awaitLeader();
        TestNode target = cluster.followers().get(1);
        TestNode bystander = cluster.followers().get(0);
        try (SteadyWriter writer = new SteadyWriter(() -> List.of(bystander))) {
            writer.awaitProgress(30);
            Http.Response moved = Http.post(leader.url("/v1/cluster/leader"), "{\"id\":\"" + target.id + "\"}");
            assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
            assertThat(cluster.awaitLeader()).isSameAs(target);
            writer.awaitProgress(30);
            writer.close();
            // A leader handing off refuses new writes before logging them; the gateway offers them again.
            assertThat(writer.retried()).as(writer.failures()).isZero();
        }
        Http.Response write = Http.put(leader.url("/v1/kv/after/transfer"), "ok", "Content-Type", "text/plain");
        assertThat(write.status()).as(write.toString()).isEqualTo(201);
    }

    @Test
    @Order(5)
    void aSnapshotIsTakenOnDemandAndCoversWhatWasApplied() {
        TestNode node = cluster.node(2);
        long applied = node.status().appliedIndex();
        Http.Response snapshot = Http.post(node.url("/v1/cluster/snapshot"), "");
        assertThat(snapshot.status()).as(snapshot.toString()).isEqualTo(200);
        long index = snapshot.json().get("index").asLong();
        assertThat(index).isGreaterThanOrEqualTo(applied);
        assertThat(node.status().snapshotIndex()).isEqualTo(index);
    }

    @Test
    @Order(6)
    void aRemovedMemberLeavesAndReportsItselfRemoved() {
        Http.Response removed = Http.delete(cluster.node(1).url("/v1/cluster/members/n4"));
        assertThat(removed.status()).as(removed.toString()).isEqualTo(204);
        Waits.until("three voters on the remaining nodes", TestCluster.DEADLINE, () -> cluster.running().stream()
                .allMatch(node -> node.status().members().size() == 3) ? true : null);
        Waits.until("n4 reports itself removed", TestCluster.DEADLINE, () -> {
            Http.Response health = Http.get(newcomer.url("/actuator/health/readiness"));
            return health.status() == 503 && health.text().contains("removed") ? true : null;
        });
        assertThat(Http.get(newcomer.url("/actuator/health/liveness")).status()).isEqualTo(200);
        Http.Response write = Http.put(cluster.node(3).url("/v1/kv/after/shrink"), "ok", "Content-Type", "text/plain");
        assertThat(write.status()).as(write.toString()).isEqualTo(201);
    }

    @Test
    @Order(7)
    void aNonVotingMemberStaysAReadReplicaThatServesLinearizableReads() {
        replica = TestNode.joining("n5", root.resolve("n5"), Map.of());
        replica.start();
        Http.Response added = Http.post(cluster.node(2).url("/v1/cluster/members"),
                "{\"id\":\"n5\",\"address\":\"" + replica.raftAddress() + "\",\"voting\":false}");
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        assertThat(added.json().get("promoting").asBoolean()).isFalse();

        Http.Response write = Http.put(cluster.node(1).url("/v1/kv/replica/probe"), "fresh", "Content-Type", "text/plain");
        assertThat(write.status() / 100).isEqualTo(2);
        Http.Response read = Http.get(replica.url("/v1/kv/replica/probe"));
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.text()).isEqualTo("fresh");
        Waits.until("the replica ready", TestCluster.DEADLINE,
                () -> Http.get(replica.url("/actuator/health/readiness")).status() == 200 ? true : null);
        // Not a voter-to-be: the configuration itself says so, on every node, so no leader promotes it.
        for (TestNode node : cluster.running()) {
            NodeStatus status = node.status();
            assertThat(status.members()).filteredOn(member -> member.id().equals("n5"))
                    .singleElement().satisfies(member -> {
                        assertThat(member.role()).isEqualTo("LISTENER");
                        assertThat(member.voting()).isFalse();
                        assertThat(member.promoting()).isFalse();
                    });
            assertThat(status.changeInProgress()).isFalse();
            assertThat(status.voters()).hasSize(3);
        }
    }

    @Test
    @Order(8)
    void aStoppingLeaderHandsOffLeadershipSoNoWriteFailsTwice() {
        TestNode leader = cluster.awaitLeader();
        List<TestNode> others = cluster.followers();
        try (SteadyWriter writer = new SteadyWriter(() -> others)) {
            writer.awaitProgress(50);
            leader.stop();
            TestNode successor = cluster.awaitLeader();
            assertThat(successor).isNotSameAs(leader);
            writer.awaitProgress(50);
            writer.close();
            assertThat(writer.failedTwice()).as(writer.failures()).isZero();
        } finally {
            leader.start();
        }
        cluster.awaitLeader();
    }

    private static boolean isVoter(NodeStatus status, String id) {
        return status.members().stream().anyMatch(member -> member.id().equals(id) && member.voting());
    }
}
