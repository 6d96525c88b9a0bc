package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.ratis.util.MD5FileUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that a node refuses to start on a data directory created under another cluster name (Ratis
 * would otherwise run both groups), and that the same directory works again under its own name.
 */
class DataDirIT {

    @TempDir
    Path root;

    @Test
    void aDataDirectoryOfAnotherClusterIsRefusedByName() {
        try (TestCluster first = TestCluster.start(1, root, Map.of("muster.cluster-name", "alpha"))) {
            assertThat(Http.put(first.node(1).url("/v1/kv/kept"), "yes").status()).isEqualTo(201);
        }
        TestNode renamed = new TestNode("n1", root.resolve("n1"), Map.of("muster.cluster-name", "beta"));
        renamed.peers("");

        assertThatThrownBy(renamed::start).rootCause()
                .hasMessageContaining("muster.cluster-name 'beta'")
                .hasMessageContaining("muster.data-dir");
        assertThat(Files.exists(root.resolve("n1/raft"))).isTrue();

        try (TestCluster again = new TestCluster()) {
            TestNode original = new TestNode("n1", root.resolve("n1"), Map.of("muster.cluster-name", "alpha"));
            original.peers("");
            again.nodes.add(original);
            original.start();
            again.awaitLeader();
            assertThat(Http.get(original.url("/v1/kv/kept")).text()).isEqualTo("yes");
        }
    }

    /**
     * A data directory whose snapshot a newer build wrote (a format this build does not know) stops the
     * node at start with a message saying so and what to do, and is left as it was.
     */
    @Test
    void aSnapshotOfANewerBuildStopsTheNodeAtStartByName() throws Exception {
        try (TestCluster first = TestCluster.start(1, root, Map.of())) {
            assertThat(Http.put(first.node(1).url("/v1/kv/kept"), "yes").status()).isEqualTo(201);
            assertThat(Http.post(first.node(1).url("/v1/cluster/snapshot"), "").status()).isEqualTo(200);
        }
        List<Path> snapshots;
        try (Stream<Path> files = Files.walk(root.resolve("n1/raft"))) {
            snapshots = files.filter(file -> file.getFileName().toString().matches("snapshot\\.\\d+_\\d+")).toList();
        }
        assertThat(snapshots).isNotEmpty();
        for (Path snapshot : snapshots) { // every one, whichever the node would load
            byte[] bytes = Files.readAllBytes(snapshot);
            ByteBuffer.wrap(bytes, 8, 4).putInt(99); // after the 8-byte magic: the format
            Files.write(snapshot, bytes);
            MD5FileUtil.computeAndSaveMd5ForFile(snapshot.toFile());
        }
        byte[] before = Files.readAllBytes(snapshots.get(0));

        TestNode newer = new TestNode("n1", root.resolve("n1"), Map.of());
        newer.peers("");
        assertThatThrownBy(newer::start).rootCause()
                .hasMessageContaining("snapshot format 99 is not known to this build")
                .hasMessageContaining("written by a newer Muster");
        assertThat(Files.readAllBytes(snapshots.get(0))).isEqualTo(before);
    }

    /**
     * A member restarted with a peer list that puts it at another address than the one its cluster's
     * configuration gives the others stops at start naming both, and changes nothing: started where the
     * cluster knows it, it rejoins.
     */
    @Test
    void aMemberStartedAtAnAddressTheClusterDoesNotKnowIsRefusedByName() {
        try (TestCluster cluster = TestCluster.start(3, root, Map.of())) {
            TestNode leader = cluster.awaitLeader();
            assertThat(Http.put(leader.url("/v1/kv/kept"), "yes").status()).isEqualTo(201);
            TestNode member = cluster.followers().get(0);
            member.stop();

            TestNode moved = new TestNode(member.id, member.dataDir, Map.of());
            moved.peers(cluster.nodes.stream().map(node -> node == member ? moved.peerEntry() : node.peerEntry())
                    .collect(Collectors.joining(",")));
            assertThatThrownBy(moved::start).rootCause()
                    .hasMessageContaining(member.id + " at " + moved.raftAddress() + " in muster.peers but at "
                            + member.raftAddress() + " in the cluster's configuration");

            member.start();
            Waits.until(member.id + " back with the cluster", TestCluster.DEADLINE,
                    () -> "yes".equals(Http.get(member.url("/v1/kv/kept?consistency=stale")).text()) ? true : null);
            assertThat(cluster.awaitLeader().status().voters()).hasSize(3);
        }
    }
}
