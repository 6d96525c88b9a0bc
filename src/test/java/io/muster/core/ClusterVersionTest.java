package io.muster.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The cluster version in the state, and the first command that needs it: a prefix delete. */
class ClusterVersionTest {

    private final KvStore store = new KvStore();
    private long index;

    private Applied apply(Command command) {
        index += 2;
        return store.apply(index, new Stamp(1_000 + index, 3), command);
    }

    private void put(String key) {
        apply(new Command.Put(key, key.getBytes(UTF_8), "text/plain", Command.ANY));
    }

    @Test
    void theVersionStartsAtTheBaselineAndOnlyRises() {
        assertThat(store.clusterVersion()).isEqualTo(ClusterVersion.BASELINE);

        assertThat(apply(new Command.RaiseClusterVersion(2)).result()).isEqualTo(new ClusterVersionRaised(index, 2, true));
        assertThat(apply(new Command.RaiseClusterVersion(2)).result()).isEqualTo(new ClusterVersionRaised(index, 2, false));
        assertThat(store.clusterVersion()).isEqualTo(2);
        assertThat(apply(new Command.RaiseClusterVersion(1)).result()).isInstanceOf(Rejected.class);
        assertThat(store.clusterVersion()).isEqualTo(2);
    }

    @Test
    void everyCommandBeforeLevelsNeedsOnlyTheBaseline() {
        assertThat(ClusterVersion.required(new Command.Put("a", new byte[0], "text/plain", Command.ANY)))
                .isEqualTo(ClusterVersion.BASELINE);
        assertThat(ClusterVersion.required(new Command.DeletePrefix("a/"))).isEqualTo(2);
        assertThat(ClusterVersion.required(new Command.Authored("t", "r", new Command.DeletePrefix("a/")))).isEqualTo(2);
        assertThat(ClusterVersion.required(new Command.RaiseClusterVersion(2))).isEqualTo(2);
        assertThat(ClusterVersion.SUPPORTED).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aPrefixDeleteRemovesExactlyTheKeysUnderItAsOneRevision() {
        List.of("app/a", "app/b/c", "apple", "ap", "other/x").forEach(this::put);

        Applied applied = apply(new Command.DeletePrefix("app/"));

        assertThat(applied.result()).isEqualTo(new PrefixDeleted(index, "app/", 2));
        assertThat(applied.keys()).extracting(Applied.Change::key).containsExactly("app/a", "app/b/c");
        assertThat(applied.keys()).allSatisfy(change -> assertThat(change.entry()).isNull());
        assertThat(applied.audit().action()).isEqualTo("delete-prefix");
        assertThat(applied.audit().target()).isEqualTo("app/");
        assertThat(store.range("", null, 10).items()).extracting(Entry::key).containsExactly("ap", "apple", "other/x");
        assertThat(apply(new Command.DeletePrefix("none/")).result()).isEqualTo(new PrefixDeleted(index, "none/", 0));
    }

    @Test
    void aPrefixDeleteUnbindsItsKeysFromTheirLease() {
        LeaseGranted lease = (LeaseGranted) apply(new Command.GrantLease(10_000)).result();
        apply(new Command.Put("eph/1", new byte[] {1}, "text/plain", Command.ANY, lease.lease().id()));
        put("eph/2");

        apply(new Command.DeletePrefix("eph/"));

        assertThat(store.keysOf(lease.lease().id())).isEmpty();
        assertThat(apply(new Command.RevokeLease(lease.lease().id())).result()).isInstanceOf(LeasesEnded.class);
    }

    @Test
    void aTokenConfinedToPrefixesMayDeleteOnlyInsideThem() {
        Token confined = new Token("team", new byte[64], Role.WRITER, List.of("team/"), 1, 1);
        assertThat(Access.denial(confined, new Command.DeletePrefix("team/old/"))).isNull();
        assertThat(Access.denial(confined, new Command.DeletePrefix("te"))).contains("outside");
        assertThat(Access.denial(confined, new Command.RaiseClusterVersion(2))).contains("may not issue");
        Token reader = new Token("ro", new byte[64], Role.READER, List.of(), 1, 1);
        assertThat(Access.denial(reader, new Command.DeletePrefix("a/"))).contains("needs writer");
    }

    @Test
    void anEmptyPrefixIsRefused() {
        put("a");
        assertThat(apply(new Command.DeletePrefix("")).result()).isInstanceOf(Rejected.class);
        assertThat(store.get("a")).isNotNull();
    }

    @Test
    void aSnapshotOfAClusterAboveThisBuildIsRefusedWithWhatToDo() throws Exception {
        apply(new Command.RaiseClusterVersion(ClusterVersion.SUPPORTED + 1));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        SnapshotCodec.write(store, out);

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> SnapshotCodec.read(new java.io.ByteArrayInputStream(out.toByteArray())))
                .isInstanceOf(UndecodableException.class).hasMessageContaining("written by a newer Muster");
    }
}
