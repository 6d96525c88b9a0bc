package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.raft.Divisions;
import io.muster.raft.RaftNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose Raft division closed by itself while it is still a member turns liveness DOWN (so a
 * supervisor restarts it) and, restarted on its own data, rejoins as the voter it was; a node that was
 * removed keeps liveness UP, since a restart would change nothing.
 */
class DivisionClosedIT {

    @TempDir
    Path root;
    private TestCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aDivisionClosedUnderneathTurnsLivenessDownAndTheRestartedNodeRejoinsAsAVoter() throws Exception {
        cluster = TestCluster.start(3, root, Map.of());
        TestNode leader = cluster.awaitLeader();
        TestNode broken = cluster.followers().get(0);
        for (int i = 0; i < 5; i++) {
            assertThat(Http.put(leader.url("/v1/kv/closed/" + i), "before " + i).status()).isIn(200, 201);
        }

        Divisions.closeUnderneath(broken.bean(RaftNode.class));

        Waits.until(broken.id + " liveness DOWN", Duration.ofSeconds(10),
                () -> Http.get(broken.url("/actuator/health/liveness")).status() == 503 ? true : null);
        Http.Response readiness = Http.get(broken.url("/actuator/health/readiness"));
        assertThat(readiness.status()).isEqualTo(503);
        assertThat(Http.get(broken.url("/actuator/health")).text()).contains("closed by itself");
        assertThat(Http.put(leader.url("/v1/kv/closed/during"), "two of three").status()).isIn(200, 201);

        broken.stop(); // the supervisor's restart
        broken.start();
        long committed = leader.status().commitIndex();
        Waits.until(broken.id + " back as a voting follower at " + committed, TestCluster.DEADLINE, () -> {
            var status = broken.status();
            return status.alive() && "FOLLOWER".equals(status.role()) && status.voters().stream().anyMatch(member -> member.id().equals(broken.id))
                    && status.appliedIndex() >= committed ? true : null;
        });
        assertThat(Http.get(broken.url("/actuator/health/liveness")).status()).isEqualTo(200);
        assertThat(Http.get(broken.url("/v1/kv/closed/during?consistency=stale")).text()).isEqualTo("two of three");
        assertThat(cluster.convergedDigests()).hasSize(3).allMatch(digest -> digest.equals(cluster.convergedDigests().get(0)));
    }

    @Test
    void aRemovedNodeKeepsLivenessUp() {
        cluster = TestCluster.start(3, root, Map.of());
        TestNode leader = cluster.awaitLeader();
        TestNode removed = cluster.followers().get(0);

        Http.Response removal = Http.delete(leader.url("/v1/cluster/members/" + removed.id));
        assertThat(removal.status()).as(removal.toString()).isEqualTo(204);
        Waits.until(removed.id + " reporting itself removed", TestCluster.DEADLINE, () -> {
            Http.Response health = Http.get(removed.url("/actuator/health/readiness"));
            return health.status() == 503 && health.text().contains("removed") ? true : null;
        });

        // Three watch periods (two checks are needed to act): liveness must not go DOWN in any of them.
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < until) {
            assertThat(Http.get(removed.url("/actuator/health/liveness")).status()).isEqualTo(200);
        }
    }
}
