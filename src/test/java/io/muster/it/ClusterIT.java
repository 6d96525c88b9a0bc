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

/**
 * A real three-node cluster in this JVM (Spring Boot, Tomcat and Ratis over gRPC on loopback) proves
 * the write and read paths across nodes: a write on a follower is read linearizably on another,
 * compare-and-set and transactions are atomic cluster-wide, a lost quorum answers "outcome unknown"
 * rather than "failed", the cluster survives losing its leader, and a restarted node catches up.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    @TempDir
    static Path root;
    static TestCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(3, root, Map.of());
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    @Order(1)
    void aWriteOnAFollowerIsReadLinearizablyOnAnotherFollower() {
        List<TestNode> followers = cluster.followers();
        Http.Response put = Http.put(followers.get(0).url("/v1/kv/payments/db/url"), "jdbc:postgresql://db/pay",
                "Content-Type", "text/plain");
        Http.Response read = Http.get(followers.get(1).url("/v1/kv/payments/db/url"));

        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        long modRevision = put.json().path("modRevision").asLong();
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.text()).isEqualTo("jdbc:postgresql://db/pay");
        assertThat(read.header("Content-Type")).isEqualTo("text/plain");
        assertThat(read.header("ETag")).isEqualTo("\"" + modRevision + "\"");
        assertThat(read.revision()).isGreaterThanOrEqualTo(modRevision);
    }

    @Test
    @Order(2)
    void compareAndSetConflictsAreDetectedAcrossNodes() {
        TestNode a = cluster.node(1);
        TestNode b = cluster.node(2);
        long first = Http.put(a.url("/v1/kv/cas/key"), "v1").json().path("modRevision").asLong();

        Http.Response winner = Http.put(b.url("/v1/kv/cas/key"), "v2", "If-Match", "\"" + first + "\"");
        Http.Response loser = Http.put(a.url("/v1/kv/cas/key"), "v3", "If-Match", "\"" + first + "\"");
        Http.Response createOnly = Http.put(cluster.node(3).url("/v1/kv/cas/key"), "v4", "If-None-Match", "*");

        assertThat(winner.status()).isEqualTo(200);
        assertThat(loser.status()).isEqualTo(412);
        assertThat(loser.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(loser.json().path("type").asString()).isEqualTo("urn:muster:problem:precondition-failed");
        assertThat(loser.json().path("currentModRevision").asLong()).isEqualTo(winner.json().path("modRevision").asLong());
        assertThat(createOnly.status()).isEqualTo(412);
        assertThat(Http.get(cluster.node(3).url("/v1/kv/cas/key")).text()).isEqualTo("v2");
    }

    @Test
    @Order(2)
    void aRetryWithTheSameIdempotencyKeyIsAnsweredOnceAppliedOnAnyNode() {
        Http.Response first = Http.put(cluster.node(1).url("/v1/kv/once/counter"), "1", "Idempotency-Key", "inc-1");
        Http.Response other = Http.put(cluster.node(2).url("/v1/kv/once/counter"), "2");
        Http.Response retry = Http.put(cluster.node(3).url("/v1/kv/once/counter"), "1", "Idempotency-Key", "inc-1");

        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).as("the first answer again").isEqualTo(201);
        assertThat(retry.json().path("modRevision").asLong()).isEqualTo(first.json().path("modRevision").asLong());
        assertThat(Http.get(cluster.node(3).url("/v1/kv/once/counter")).text()).as("applied once")
                .isEqualTo("2");
        assertThat(other.json().path("version").asLong()).isEqualTo(2);

        Http.Response reused = Http.put(cluster.node(2).url("/v1/kv/once/counter"), "3", "Idempotency-Key", "inc-1");
        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.json().path("type").asString()).isEqualTo("urn:muster:problem:idempotency-key-reused");
        assertThat(Http.get(cluster.node(1).url("/v1/kv/once/counter")).text()).isEqualTo("2");
    }

    @Test
    @Order(3)
    void aTransactionAppliesAllOfOneBranchOnEveryNode() {
        Http.put(cluster.node(1).url("/v1/kv/txn/balance/a"), "10");
        String txn = """
                {"compare":[{"key":"txn/balance/a","target":"value","value":"10"}],
                 "then":[{"op":"put","key":"txn/balance/a","value":"5"},{"op":"put","key":"txn/balance/b","value":"5"}],
                 "else":[{"op":"get","key":"txn/balance/a"}]}""";
        Http.Response first = Http.post(cluster.node(2).url("/v1/txn"), txn);
        Http.Response second = Http.post(cluster.node(3).url("/v1/txn"), txn);

        assertThat(first.json().path("succeeded").asBoolean()).as(first.toString()).isTrue();
        assertThat(second.json().path("branch").asString()).isEqualTo("else");
        assertThat(second.json().path("results").get(0).path("entry").path("value").asString()).isEqualTo("5");
        cluster.awaitApplied(second.json().path("revision").asLong());
        for (TestNode node : cluster.running()) {
            Http.Response page = Http.get(node.url("/v1/kv?prefix=txn/balance/&consistency=stale"));
            assertThat(page.json().path("items").size()).isEqualTo(2);
            assertThat(page.json().path("items").get(0).path("modRevision").asLong())
                    .isEqualTo(page.json().path("items").get(1).path("modRevision").asLong());
        }
    }

    @Test
    @Order(4)
    void everyNodeReachesTheSameStateDigest() {
        for (int i = 0; i < 20; i++) {
            Http.put(cluster.node(1 + i % 3).url("/v1/kv/digest/" + i), "value " + i);
        }
        List<String> digests = cluster.convergedDigests();

        assertThat(digests).hasSize(3);
        assertThat(digests).allMatch(digest -> digest.equals(digests.get(0)));
        cluster.assertViewsEqualStates("after writes on every node");
    }

    @Test
    @Order(5)
    void withoutAQuorumWritesAreReportedUnknownAndStaleReadsStillAnswer() {
        TestNode leader = cluster.awaitLeader();
        List<TestNode> followers = cluster.followers();
        long written = Http.put(leader.url("/v1/kv/quorum/key"), "before").json().path("modRevision").asLong();
        cluster.awaitApplied(written);
        TestNode survivor = followers.get(0);
        followers.get(1).stop();
        leader.stop();

        Http.Response write = Http.put(survivor.url("/v1/kv/quorum/key"), "during");
        Http.Response linearizable = Http.get(survivor.url("/v1/kv/quorum/key"));
        Http.Response stale = Http.get(survivor.url("/v1/kv/quorum/key?consistency=stale"));

        assertThat(write.status()).as(write.toString()).isEqualTo(503);
        assertThat(write.json().path("type").asString()).isEqualTo("urn:muster:problem:write-outcome-unknown");
        assertThat(write.json().path("outcome").asString()).isEqualTo("unknown");
        assertThat(write.header("Retry-After")).isNotNull();
        // By then the survivor has heard from no leader for most of the write's 5 s, over the 1 s election
        // timeout: it refuses the read at once, naming the leader it last knew (the stopping leader may
        // have handed leadership to it, briefly, before it found no majority).
        assertThat(linearizable.status()).isEqualTo(503);
        assertThat(linearizable.json().path("type").asString()).isEqualTo("urn:muster:problem:leader-unreachable");
        assertThat(linearizable.json().path("lastLeader").asString()).isIn(leader.id, survivor.id);
        assertThat(stale.status()).isEqualTo(200);
        assertThat(stale.text()).isEqualTo("before");

        leader.start();
        followers.get(1).start();
        cluster.awaitLeader();
    }

    @Test
    @Order(6)
    void theClusterKeepsWritingAfterItsLeaderStopsAndTheLeaderCatchesUpOnRestart() {
        TestNode oldLeader = cluster.awaitLeader();
        oldLeader.stop();
        TestNode newLeader = cluster.awaitLeader();
        assertThat(newLeader).isNotSameAs(oldLeader);

        Http.Response write = Http.put(cluster.running().get(0).url("/v1/kv/failover/key"), "after failover");
        assertThat(write.status()).as(write.toString()).isIn(200, 201);
        long revision = write.json().path("modRevision").asLong();

        oldLeader.start();
        cluster.awaitApplied(revision);
        Http.Response read = Http.get(oldLeader.url("/v1/kv/failover/key?consistency=stale&minRevision=" + revision));
        assertThat(read.text()).isEqualTo("after failover");
        NodeStatus status = oldLeader.status();
        assertThat(status.members()).extracting(NodeStatus.Member::id).containsExactly("n1", "n2", "n3");
    }
}
