package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Back up and restore: a snapshot file taken with {@code POST /v1/cluster/snapshot} and copied off a
 * node is what a new node starts from with {@code muster.restore-from}; it serves the same content
 * (keys, tokens), takes new writes, and a cluster grows from it.
 */
class RestoreIT {

    @TempDir
    Path root;

    @Test
    void aNewNodeStartsFromABackupAndServesTheSameContent() throws IOException {
        Path backup = root.resolve("backup.snapshot");
        String content;
        String secret;
        try (TestCluster original = TestCluster.start(1, root.resolve("original"), Map.of())) {
            TestNode node = original.node(1);
            for (int i = 0; i < 20; i++) {
                assertThat(Http.put(node.url("/v1/kv/backup/key-" + i), "value " + i).status()).isEqualTo(201);
            }
            Http.Response token = Http.post(node.url("/v1/auth/tokens"), "{\"name\":\"kept\",\"roles\":[\"reader\"]}");
            secret = token.json().path("secret").asString();
            long index = Http.post(node.url("/v1/cluster/snapshot"), "").json().path("index").asLong();
            content = Http.get(node.url("/v1/cluster/digest")).json().path("contentSha256").asString();
            Files.copy(snapshotFile(root.resolve("original").resolve("n1"), index), backup);
        }

        try (TestCluster restored = TestCluster.start(1, root.resolve("restored"),
                Map.of("muster.restore-from", backup.toString()))) {
            TestNode node = restored.node(1);
            JsonNode page = Http.get(node.url("/v1/kv?prefix=backup/")).json();
            assertThat(page.path("items").size()).isEqualTo(20);
            assertThat(Http.get(node.url("/v1/kv/backup/key-7")).text()).isEqualTo("value 7");
            assertThat(Http.get(node.url("/v1/cluster/digest")).json().path("contentSha256").asString())
                    .as("the restored content").isEqualTo(content);
            assertThat(Http.get(node.url("/v1/kv/backup/key-1"), "Authorization", Http.bearer(secret)).status())
                    .as("a token from before the backup").isEqualTo(200);
            assertThat(Http.put(node.url("/v1/kv/backup/after"), "new").status()).isEqualTo(201);
            assertThat(node.status().snapshotIndex()).as("the backup is this node's first snapshot").isPositive();
        }
    }

    @Test
    void aNodeWithDataIgnoresTheBackup() throws IOException {
        Path data = root.resolve("twice");
        try (TestCluster first = TestCluster.start(1, data, Map.of())) {
            assertThat(Http.put(first.node(1).url("/v1/kv/own"), "mine").status()).isEqualTo(201);
        }
        try (TestCluster again = TestCluster.start(1, data, Map.of("muster.restore-from",
                root.resolve("no-such-backup").toString()))) {
            assertThat(Http.get(again.node(1).url("/v1/kv/own")).text()).isEqualTo("mine");
        }
    }

    private static Path snapshotFile(Path dataDir, long index) throws IOException {
        try (Stream<Path> files = Files.walk(dataDir.resolve("raft"))) {
            List<Path> found = files.filter(file -> file.getFileName().toString().matches("snapshot\\.\\d+_" + index))
                    .toList();
            assertThat(found).as("the snapshot file at index " + index).hasSize(1);
            return found.get(0);
        }
    }
}
