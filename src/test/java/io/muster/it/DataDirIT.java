package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
}
