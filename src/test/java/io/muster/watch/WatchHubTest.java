package io.muster.watch;

import io.muster.core.Applied;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.muster.core.Entry;
import io.muster.core.Lock;
import io.muster.core.Version;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Proves the shared watch history: events become one batch per revision with their type, a reader
 * pages through them from its cursor, the history is bounded by events and by bytes, and a cursor
 * that falls behind what is retained (or behind a replaced state) is told it was compacted.
 */
class WatchHubTest {

    @Test
    void eachRevisionIsOneBatchWithTypedEvents() {
        WatchHub hub = new WatchHub(100, 1 << 20, new SimpleMeterRegistry());
        hub.applied(Applied.keys(3, List.of(put("a", 3), new Applied.Change("b", null))));
        hub.applied(Applied.keys(4, List.of()));
        hub.applied(Applied.keys(5, List.of(new Applied.Change("c", null, true))));

        WatchHub.Read read = hub.read(1, 10);

        assertThat(read.compacted()).isFalse();
        assertThat(read.batches()).extracting(WatchHub.Batch::revision).containsExactly(3L, 5L);
        assertThat(read.batches().get(0).events()).extracting(ChangeEvent::type)
                .containsExactly(ChangeEvent.Type.PUT, ChangeEvent.Type.DELETE);
        assertThat(read.batches().get(1).events().get(0).type()).isEqualTo(ChangeEvent.Type.EXPIRE);
        assertThat(read.throughRevision()).isEqualTo(5);
        assertThat(hub.read(6, 10).batches()).isEmpty();
        assertThat(hub.read(6, 10).throughRevision()).isEqualTo(5);
    }

    @Test
    void aReaderPagesFromItsCursorWithoutSkippingAnything() {
        WatchHub hub = new WatchHub(100, 1 << 20, new SimpleMeterRegistry());
        for (long revision = 1; revision <= 10; revision++) {
            hub.applied(Applied.keys(revision, List.of(put("k" + revision, revision))));
        }

        WatchHub.Read first = hub.read(4, 3);
        WatchHub.Read second = hub.read(first.throughRevision() + 1, 3);

        assertThat(first.batches()).extracting(WatchHub.Batch::revision).containsExactly(4L, 5L, 6L);
        assertThat(first.throughRevision()).isEqualTo(6);
        assertThat(second.batches()).extracting(WatchHub.Batch::revision).containsExactly(7L, 8L, 9L);
    }

    @Test
    void theHistoryIsBoundedByEventsAndACursorBehindItIsCompacted() {
        WatchHub hub = new WatchHub(3, 1 << 20, new SimpleMeterRegistry());
        for (long revision = 1; revision <= 5; revision++) {
            hub.applied(Applied.keys(revision, List.of(put("k", revision))));
        }

        assertThat(hub.compactedThrough()).isEqualTo(2);
        assertThat(hub.read(2, 10).compacted()).isTrue();
        assertThat(hub.read(2, 10).compactedThrough()).isEqualTo(2);
        assertThat(hub.read(3, 10).batches()).hasSize(3);
        assertThat(hub.hasAfter(2)).isTrue();
        assertThat(hub.hasAfter(6)).isFalse();
    }

    @Test
    void theHistoryIsBoundedByValueBytes() {
        WatchHub hub = new WatchHub(1_000, 3_000, new SimpleMeterRegistry());
        for (long revision = 1; revision <= 4; revision++) {
            hub.applied(Applied.keys(revision, List.of(new Applied.Change("big", entry("big", revision, new byte[1_000])))));
        }

        assertThat(hub.compactedThrough()).isEqualTo(2);
        assertThat(hub.read(3, 10).batches()).extracting(WatchHub.Batch::revision).containsExactly(3L, 4L);
    }

    @Test
    void aReplacedStateCompactsEverythingBeforeIt() {
        WatchHub hub = new WatchHub(100, 1 << 20, new SimpleMeterRegistry());
        hub.applied(Applied.keys(1, List.of(put("a", 1))));

        hub.replaced(50);

        assertThat(hub.read(2, 10).compacted()).isTrue();
        assertThat(hub.revision()).isEqualTo(50);
        assertThat(hub.read(51, 10).compacted()).isFalse();
    }

    @Test
    void filtersMatchAKeyExactlyAPrefixOrAServicesInstances() {
        assertThat(WatchFilter.key("a/b").matches(key("a/b"))).isTrue();
        assertThat(WatchFilter.key("a/b").matches(key("a/bc"))).isFalse();
        assertThat(WatchFilter.prefix("a/").matches(key("a/bc"))).isTrue();
        assertThat(WatchFilter.prefix("a/").matches(key("b/a"))).isFalse();
        assertThat(WatchFilter.prefix("").matches(key("anything"))).isTrue();
        ChangeEvent instance = new ChangeEvent(ChangeEvent.Type.DELETE, "web/1", null, "web", null, null);
        assertThat(WatchFilter.service("web").matches(instance)).isTrue();
        assertThat(WatchFilter.service("db").matches(instance)).isFalse();
        assertThat(WatchFilter.prefix("").matches(instance)).as("a key watch sees no instances").isFalse();
        assertThat(WatchFilter.service("web").matches(key("web/1"))).isFalse();
        assertThat(WatchFilter.services(java.util.Set.of("db", "web")).matches(instance)).as("one of several").isTrue();
        assertThat(WatchFilter.services(java.util.Set.of("db", "cache")).matches(instance)).isFalse();
        assertThat(WatchFilter.services(java.util.Set.of("db", "web")).matches(key("web/1"))).isFalse();
    }

    @Test
    void aLockFilterFollowsOneLockAndTheEveryLockFilterAllOfThemButNoKeyOrInstance() {
        ChangeEvent lock = ChangeEvent.ofLock(new Lock("locks/jobs/a", new Lock.Holder(3, "w1", 7), List.of()));
        ChangeEvent election = ChangeEvent.ofLock(new Lock("elections/e", null, List.of()));
        ChangeEvent instance = new ChangeEvent(ChangeEvent.Type.DELETE, "web/1", null, "web", null, null);

        assertThat(WatchFilter.lock("locks/jobs/a").matches(lock)).isTrue();
        assertThat(WatchFilter.lock("locks/jobs/a").matches(election)).isFalse();
        assertThat(WatchFilter.allLocks().matches(lock)).isTrue();
        assertThat(WatchFilter.allLocks().matches(election)).isTrue();
        assertThat(WatchFilter.allLocks().matches(key("locks/jobs/a"))).as("a key named like a lock").isFalse();
        assertThat(WatchFilter.allLocks().matches(instance)).isFalse();
        assertThat(WatchFilter.prefix("").matches(lock)).as("a key watch sees no locks").isFalse();
    }

    @Test
    void aRevisionsKeyAndInstanceChangesAreOneBatch() {
        WatchHub hub = new WatchHub(100, 1 << 20, new SimpleMeterRegistry());
        hub.applied(new Applied(7, List.of(new Applied.Change("k", null, true)),
                List.of(new Applied.InstanceChange("web", "1", null, true)), List.of(), List.of(), List.of()));

        assertThat(hub.read(7, 10).batches()).hasSize(1);
        assertThat(hub.read(7, 10).batches().get(0).events()).extracting(ChangeEvent::key, ChangeEvent::type)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("k", ChangeEvent.Type.EXPIRE),
                        org.assertj.core.groups.Tuple.tuple("web/1", ChangeEvent.Type.EXPIRE));
    }

    @Test
    void aLongPollIgnoresChangesUpToItsRevisionThatThisNodeAppliesWhileItWaits() {
        WatchHub hub = new WatchHub(100, 1 << 20, new SimpleMeterRegistry());
        hub.applied(Applied.keys(1, List.of(put("other", 1))));
        // The poll waits beyond revision 3, which this node (a follower behind the leader) has not applied yet.
        CompletableFuture<Long> poll = hub.changedAfter(WatchFilter.key("a"), null, 3);

        hub.applied(Applied.keys(2, List.of(put("a", 2))));
        hub.applied(Applied.keys(3, List.of(put("a", 3))));
        assertThat(poll).as("changes at or below the revision the poll waits beyond").isNotDone();

        hub.applied(Applied.keys(4, List.of(put("a", 4))));
        assertThat(poll).isCompletedWithValue(4L);
    }

    private static ChangeEvent key(String key) {
        return ChangeEvent.ofKey(ChangeEvent.Type.PUT, key, null);
    }

    private static Applied.Change put(String key, long revision) {
        return new Applied.Change(key, entry(key, revision, new byte[] {1}));
    }

    private static Entry entry(String key, long revision, byte[] value) {
        return new Entry(key, revision, new Version(value, "application/octet-stream", revision, 1, 0), List.of());
    }
}
