package io.muster.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Proves that log entries, results and snapshots written by earlier builds still decode to the same
 * values, and that this build writes the same bytes. Run with {@code -Dgolden.rewrite=true} only
 * when adding a case.
 */
class CodecGoldenTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final boolean REWRITE = Boolean.getBoolean("golden.rewrite");

    @Test
    void logEntriesDecodeAndEncodeAsPinned() throws IOException {
        for (Map.Entry<String, Command> golden : GoldenCases.commands().entrySet()) {
            byte[] entry = CommandCodec.encodeEntry(GoldenCases.STAMP, CommandCodec.encodeCommand(golden.getValue()));
            byte[] pinned = pinned(golden.getKey(), entry);

            CommandCodec.LogEntry decoded = CommandCodec.decodeEntry(pinned);
            assertThat(decoded.command()).as(golden.getKey()).isEqualTo(golden.getValue());
            assertThat(decoded.stamp()).isEqualTo(GoldenCases.STAMP);
            assertThat(entry).as(golden.getKey() + " encoding").isEqualTo(pinned);
        }
    }

    @Test
    void resultsDecodeAndEncodeAsPinned() throws IOException {
        for (Map.Entry<String, Result> golden : GoldenCases.results().entrySet()) {
            byte[] encoded = ResultCodec.encode(golden.getValue());
            byte[] pinned = pinned(golden.getKey(), encoded);

            assertThat(ResultCodec.decode(pinned)).as(golden.getKey()).isEqualTo(golden.getValue());
            assertThat(encoded).as(golden.getKey() + " encoding").isEqualTo(pinned);
        }
    }

    /** Format 1 is no longer written, only read: its pinned bytes must load to the same state. */
    @Test
    void formatOneSnapshotsStillLoad() throws IOException {
        byte[] pinned = pinned("snapshot-v1", null);

        KvStore loaded = SnapshotCodec.read(new ByteArrayInputStream(pinned));
        assertThat(loaded.revision()).isEqualTo(11);
        assertThat(loaded.get("app/key-1").history()).hasSize(1);
        assertThat(loaded.leases()).isEmpty();
        assertThat(SnapshotCodec.digest(loaded)).isEqualTo(SnapshotCodec.digest(GoldenCases.store()));
    }

    /** Format 2 (leases, no instances) is only read now. */
    @Test
    void formatTwoSnapshotsStillLoad() throws IOException {
        byte[] pinned = pinned("snapshot-v2", null);

        KvStore loaded = SnapshotCodec.read(new ByteArrayInputStream(pinned));
        assertThat(loaded.leases()).hasSize(2);
        assertThat(loaded.keysOf(12)).containsExactly("app/key-0", "services/web/1");
        assertThat(loaded.get("services/web/1").lease()).isEqualTo(12);
        assertThat(loaded.instances()).isEmpty();
        assertThat(SnapshotCodec.digest(loaded)).isEqualTo(SnapshotCodec.digest(GoldenCases.storeWithLeases()));
    }

    /** Format 3 (instances, no locks) is only read now. */
    @Test
    void formatThreeSnapshotsStillLoad() throws IOException {
        byte[] pinned = pinned("snapshot-v3", null);

        KvStore loaded = SnapshotCodec.read(new ByteArrayInputStream(pinned));
        assertThat(loaded.instancesOf("payments")).extracting(Instance::id).containsExactly("pay-1", "pay-2");
        assertThat(loaded.instance("payments", "pay-2").lease()).isEqualTo(12);
        assertThat(loaded.instance("payments", "pay-1").metadata()).containsEntry("k", "v");
        assertThat(loaded.locks()).isEmpty();
        assertThat(SnapshotCodec.digest(loaded)).isEqualTo(SnapshotCodec.digest(GoldenCases.storeWithInstances()));
    }

    /** Format 4 (locks, no tokens) is only read now. */
    @Test
    void formatFourSnapshotsStillLoad() throws IOException {
        byte[] pinned = pinned("snapshot-v4", null);

        KvStore loaded = SnapshotCodec.read(new ByteArrayInputStream(pinned));
        Lock lock = loaded.lock("jobs/nightly");
        assertThat(lock.holder().owner()).isEqualTo("worker-7");
        assertThat(lock.waiters()).extracting(Lock.Holder::owner).containsExactly("worker-9");
        assertThat(loaded.instancesOf("payments")).hasSize(2);
        assertThat(loaded.tokens()).isEmpty();
        assertThat(SnapshotCodec.digest(loaded)).isEqualTo(SnapshotCodec.digest(GoldenCases.storeWithLocks()));
    }

    @Test
    void snapshotsLoadAsPinned() throws IOException {
        KvStore store = GoldenCases.storeWithTokens();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.write(store, out);
        byte[] pinned = pinned("snapshot-v5", out.toByteArray());

        KvStore loaded = SnapshotCodec.read(new ByteArrayInputStream(pinned));
        assertThat(loaded.tokens()).extracting(Token::name).containsExactly("admin", "payments-ci");
        assertThat(loaded.token("payments-ci").prefixes()).containsExactly("payments/");
        assertThat(loaded.tokenByHash(GoldenCases.hash(7)).name()).isEqualTo("payments-ci");
        assertThat(loaded.lock("jobs/nightly").holder().owner()).isEqualTo("worker-7");
        assertThat(loaded.desiredVoters()).isEqualTo(new DesiredVoters(2, List.of("m-0=m-0.h:7070", "m-1=m-1.h:7070")));
        assertThat(loaded.remembered()).extracting(Remembered::slot).containsExactly("payments-ci\u0000retry-1");
        assertThat(SnapshotCodec.digest(loaded)).isEqualTo(SnapshotCodec.digest(store));
        assertThat(out.toByteArray()).isEqualTo(pinned);
    }

    /** Format 6 carries the cluster version: written once the cluster runs above the baseline. */
    @Test
    void clusterVersionSnapshotsLoadAsPinned() throws IOException {
        KvStore store = GoldenCases.storeWithClusterVersion();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.write(store, out);
        byte[] pinned = pinned("snapshot-v6", out.toByteArray());

        KvStore loaded = SnapshotCodec.read(new ByteArrayInputStream(pinned));
        assertThat(loaded.clusterVersion()).isEqualTo(2);
        assertThat(loaded.range("app/", null, 10).items()).isEmpty();
        assertThat(loaded.tokens()).extracting(Token::name).containsExactly("admin", "payments-ci");
        assertThat(SnapshotCodec.digest(loaded)).isEqualTo(SnapshotCodec.digest(store));
        assertThat(out.toByteArray()).isEqualTo(pinned);
    }

    /** Format 7 carries each token's services: written once the cluster runs at version 3. */
    @Test
    void serviceScopeSnapshotsLoadAsPinned() throws IOException {
        KvStore store = GoldenCases.storeWithServiceScopes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.write(store, out);
        byte[] pinned = pinned("snapshot-v7", out.toByteArray());

        KvStore loaded = SnapshotCodec.read(new ByteArrayInputStream(pinned));
        assertThat(loaded.clusterVersion()).isEqualTo(3);
        assertThat(loaded.token("payments-app").services()).containsExactly("payments");
        assertThat(loaded.token("payments-app").prefixes()).containsExactly("config/payments/");
        assertThat(loaded.token("payments-ci").services()).isEmpty();
        assertThat(SnapshotCodec.digest(loaded)).isEqualTo(SnapshotCodec.digest(store));
        assertThat(out.toByteArray()).isEqualTo(pinned);
    }

    /** Format 8 carries the releases: written once the cluster runs at version 4. */
    @Test
    void releaseSnapshotsLoadAsPinned() throws IOException {
        KvStore store = GoldenCases.storeWithReleases();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.write(store, out);
        byte[] pinned = pinned("snapshot-v8", out.toByteArray());

        KvStore loaded = SnapshotCodec.read(new ByteArrayInputStream(pinned));
        assertThat(loaded.clusterVersion()).isEqualTo(4);
        assertThat(loaded.releases()).extracting(Release::state).containsExactly(Release.State.PUBLISHED,
                Release.State.GRAY, Release.State.ABANDONED, Release.State.PUBLISHED);
        assertThat(loaded.grayRelease("config/payments/default").title()).isEqualTo("Greeting 4");
        assertThat(loaded.get("config/payments/dev")).isNull();
        assertThat(SnapshotCodec.digest(loaded)).isEqualTo(SnapshotCodec.digest(store));
        assertThat(out.toByteArray()).isEqualTo(pinned);
    }

    /** A cluster at version 2 still writes format 6, which builds of version 2 read. */
    @Test
    void aVersionTwoClusterWritesFormatSix() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.write(GoldenCases.storeWithClusterVersion(), out);
        assertThat(java.nio.ByteBuffer.wrap(out.toByteArray(), SnapshotCodec.MAGIC.length, 4).getInt()).isEqualTo(6);
    }

    /** Until the cluster version rises, a snapshot is written in the format every build reads (5). */
    @Test
    void aBaselineClusterWritesTheFormatEveryBuildReads() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.write(GoldenCases.storeWithTokens(), out);
        assertThat(java.nio.ByteBuffer.wrap(out.toByteArray(), SnapshotCodec.MAGIC.length, 4).getInt()).isEqualTo(5);
    }

    /** A snapshot of a newer build (format 9) is refused with a message that says what to do. */
    @Test
    void aNewerFormatIsRefusedWithWhatToDo() throws IOException {
        byte[] bytes = pinned("snapshot-v8", null);
        java.nio.ByteBuffer.wrap(bytes, SnapshotCodec.MAGIC.length, 4).putInt(9);
        assertThatThrownBy(() -> SnapshotCodec.read(new ByteArrayInputStream(bytes)))
                .isInstanceOf(UndecodableException.class).hasMessageContaining("snapshot format 9")
                .hasMessageContaining("written by a newer Muster");
    }

    /** The pinned bytes of {@code name}; rewritten from {@code current} under -Dgolden.rewrite (null: read only). */
    private static byte[] pinned(String name, byte[] current) throws IOException {
        Path file = GOLDEN.resolve(name + ".hex");
        if (REWRITE && current != null) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, HexFormat.of().formatHex(current) + "\n", StandardCharsets.US_ASCII);
        }
        return HexFormat.of().parseHex(Files.readString(file, StandardCharsets.US_ASCII).strip());
    }
}
