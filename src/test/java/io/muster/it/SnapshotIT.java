package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the snapshot lifecycle on a real cluster with a low snapshot threshold and tiny log
 * segments: a follower that was down while the leader purged the entries it missed catches up by
 * snapshot install and keeps serving (the pause/reinitialize path that kills naive state machines),
 * and a whole-cluster restart (snapshot load plus log replay) keeps every acknowledged write.
 */
class SnapshotIT {

    private static final Map<String, String> SNAPSHOT_OFTEN = Map.of(
            "muster.raft.snapshot-threshold", "100",
            "muster.raft.log-preservation", "0",
            "muster.raft.log-segment-size", "16KB");

    @TempDir
    Path root;

    @Test
    void aFollowerBehindThePurgedLogCatchesUpBySnapshotInstallAndEveryWriteSurvivesAFullRestart() {
        try (TestCluster cluster = TestCluster.start(3, root, SNAPSHOT_OFTEN)) {
            TestNode leader = cluster.awaitLeader();
            TestNode absent = cluster.followers().get(0);
            Map<String, String> acknowledged = new HashMap<>();
            write(leader, acknowledged, 0, 20);
            String revoked = createToken(leader, "snap-revoked");
            cluster.awaitApplied(leader.status().commitIndex());
            assertThat(Http.get(absent.url("/v1/kv/snap/key-1"), "Authorization", Http.bearer(revoked)).status())
                    .isEqualTo(200);
            long absentApplied = absent.status().appliedIndex();
            absent.stop();

            assertThat(Http.delete(leader.url("/v1/auth/tokens/snap-revoked")).status()).isEqualTo(204);
            String created = createToken(leader, "snap-created");
            write(leader, acknowledged, 20, 400);
            long logStart = Waits.until("the leader purged past the absent node", TestCluster.DEADLINE, () -> {
                long start = leader.status().logStartIndex();
                return start > absentApplied + 1 ? start : null;
            });
            assertThat(logStart).isGreaterThan(absentApplied + 1);

            absent.start();
            cluster.awaitApplied(leader.status().commitIndex());
            assertThat(absent.status().snapshotIndex()).as("installed snapshot").isGreaterThanOrEqualTo(logStart - 1);
            // The tokens came with the snapshot: the revoke holds and the new token works on the installed node.
            assertThat(Http.put(absent.url("/v1/kv/snap/after-revoke"), "x", "Authorization", Http.bearer(revoked))
                    .status()).isEqualTo(401);
            assertThat(Http.get(absent.url("/v1/kv/snap/key-1"), "Authorization", Http.bearer(created)).status())
                    .isEqualTo(200);
            assertThat(readAll(absent)).isEqualTo(acknowledged);
            write(absent, acknowledged, 400, 420);
            assertThat(Http.get(absent.url("/v1/kv/snap/key-419")).text()).isEqualTo("value 419");
            assertThat(cluster.convergedDigests().stream().distinct()).hasSize(1);
            cluster.assertViewsEqualStates("after a snapshot install");

            cluster.running().forEach(TestNode::stop);
            cluster.nodes.forEach(TestNode::start);
            cluster.awaitLeader();
            for (TestNode node : cluster.nodes) {
                assertThat(readAll(node)).as("after full restart on " + node).isEqualTo(acknowledged);
            }
            assertThat(cluster.convergedDigests().stream().distinct()).hasSize(1);
            cluster.assertViewsEqualStates("after a full restart");
        }
    }

    private static void write(TestNode node, Map<String, String> acknowledged, int from, int to) {
        for (int i = from; i < to; i++) {
            String key = "snap/key-" + i;
            Http.Response response = Http.put(node.url("/v1/kv/" + key), "value " + i, "Content-Type", "text/plain");
            assertThat(response.status()).as(response.toString()).isEqualTo(201);
            acknowledged.put(key, "value " + i);
        }
    }

    private static Map<String, String> readAll(TestNode node) {
        Map<String, String> found = new HashMap<>();
        String after = "";
        while (after != null) {
            Http.Response page = Http.get(node.url("/v1/kv?prefix=snap/&limit=1000&after=" + after));
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            page.json().path("items").forEach(item -> found.put(item.path("key").asString(), item.path("value").asString()));
            after = page.json().path("next").isNull() ? null : page.json().path("next").asString();
        }
        return found;
    }


    private static String createToken(TestNode node, String name) {
        Http.Response created = Http.post(node.url("/v1/auth/tokens"), "{\"name\":\"" + name + "\",\"roles\":[\"writer\"]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().path("secret").asString();
    }
}
