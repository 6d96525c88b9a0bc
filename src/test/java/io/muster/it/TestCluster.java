package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.replication.NodeStatus;
import java.nio.file.Path;
import java.time.Duration;
import io.muster.core.ClusterVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/** A cluster of {@link TestNode}s on loopback, with waits that poll against a deadline. */
final class TestCluster implements AutoCloseable {

    static final Duration DEADLINE = Duration.ofSeconds(30);

    final List<TestNode> nodes = new ArrayList<>();

    static TestCluster start(int size, Path root, Map<String, String> extra) {
        return start(size, root, extra, Map.of());
    }

    /** As {@link #start(int, Path, Map)}, with settings for some nodes only (by number, from 1). */
    static TestCluster start(int size, Path root, Map<String, String> extra, Map<Integer, Map<String, String>> perNode) {
        TestCluster cluster = new TestCluster();
        for (int i = 1; i <= size; i++) {
            Map<String, String> settings = new HashMap<>(extra);
            settings.putAll(perNode.getOrDefault(i, Map.of()));
            cluster.nodes.add(new TestNode("n" + i, root.resolve("n" + i), settings));
        }
        String peers = cluster.nodes.stream().map(TestNode::peerEntry).collect(Collectors.joining(","));
        cluster.nodes.forEach(node -> node.peers(peers));
        cluster.nodes.forEach(TestNode::start);
        cluster.awaitLeader();
        if (!extra.containsKey("muster.security.bootstrap-token")) {
            cluster.awaitAdminToken();
        }
        cluster.awaitClusterVersion();
        return cluster;
    }

    /**
     * Waits until every running node applied the raise to this build's cluster version, which a new
     * cluster logs within a second or so of forming: tests that count log entries or audit records
     * must not count that one.
     */
    void awaitClusterVersion() {
        Waits.until("the cluster version " + ClusterVersion.SUPPORTED + " on every node", DEADLINE,
                () -> running().stream().allMatch(node -> node.clusterVersion() == ClusterVersion.SUPPORTED) ? true : null);
    }

    TestNode node(int number) {
        return nodes.get(number - 1);
    }

    List<TestNode> running() {
        return nodes.stream().filter(TestNode::running).toList();
    }

    /**
     * Waits until every running node accepts {@link TestNode#ADMIN_TOKEN}, which the leader proposes
     * once it leads: tests that count log entries must not count that one.
     */
    void awaitAdminToken() {
        for (TestNode node : running()) {
            Http.Response response = Http.get(node.url("/v1/cluster"));
            if (response.status() != 200) {
                throw new AssertionError(node.id + " did not accept the admin token: " + response);
            }
        }
    }

    /**
     * The leader's commit index once the leader has committed an entry of its own term (a linearizable
     * read passed) and every running node has applied it. Counting the log entries a test causes must
     * start here: a leader elected moments ago still has its first entry of the term in flight.
     */
    long settledCommitIndex() {
        TestNode leader = awaitLeader();
        Waits.until("a linearizable read on the leader", DEADLINE,
                () -> Http.get(leader.url("/v1/kv/settled-probe")).status() == 404 ? true : null);
        long commit = leader.status().commitIndex();
        awaitApplied(commit);
        return commit;
    }

    /** The leader every running node agrees on, once there is one. */
    TestNode awaitLeader() {
        return Waits.until("a leader agreed by all running nodes", DEADLINE, () -> {
            List<NodeStatus> statuses = running().stream().map(TestNode::status).toList();
            String leader = statuses.get(0).leaderId();
            boolean agreed = leader != null && statuses.stream().allMatch(status -> leader.equals(status.leaderId()));
            return agreed ? running().stream().filter(node -> node.id.equals(leader)).findFirst().orElse(null) : null;
        });
    }

    List<TestNode> followers() {
        TestNode leader = awaitLeader();
        return running().stream().filter(node -> node != leader).toList();
    }

    /** Waits until every running node has applied at least {@code revision}. */
    void awaitApplied(long revision) {
        Waits.until("every running node applied " + revision, DEADLINE,
                () -> running().stream().allMatch(node -> node.status().appliedIndex() >= revision) ? true : null);
    }

    /** Waits until every running node reports the same revision, then returns their digests. */
    List<String> convergedDigests() {
        return Waits.until("equal revisions on all running nodes", DEADLINE, () -> {
            var digests = running().stream().map(TestNode::digest).toList();
            boolean equal = digests.stream().map(digest -> digest.revision()).distinct().count() == 1;
            return equal ? digests.stream().map(digest -> digest.sha256()).toList() : null;
        });
    }

    /**
     * Waits until every running node's H2 view reflects the revision its state is at, then checks that
     * their content digests agree.
     */
    void assertViewsEqualStates(String context) {
        for (TestNode node : running()) {
            JsonNode digests = Waits.until(node.id + "'s view at its state's revision", DEADLINE, () -> {
                JsonNode answer = Http.get(node.url("/v1/cluster/digest")).json();
                return answer.get("revision").asLong() == answer.at("/view/revision").asLong() ? answer : null;
            });
            assertThat(digests.at("/view/contentSha256").asString()).as(node.id + "'s view " + context)
                    .isEqualTo(digests.get("contentSha256").asString());
        }
    }

    @Override
    public void close() {
        nodes.forEach(TestNode::stop);
    }
}
