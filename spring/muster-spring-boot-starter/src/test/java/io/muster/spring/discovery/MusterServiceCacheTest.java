package io.muster.spring.discovery;

import io.muster.spring.client.MusterContacts;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;

/**
 * The discovery cache against a fake catalog: first lookups list and join the one watch (reopened from
 * the last revision + 1), change events apply (UP only, nothing at or below a listing's revision), a
 * broken watch serves the cache at once and relists in the background (never on the caller's thread, at
 * most once per interval), a listing older than an applied event is dropped, services split over several
 * streams each open from its own revision, compaction and a revision that goes back list again, and the
 * LRU bound holds.
 */
class MusterServiceCacheTest {

    private final FakeCatalog catalog = new FakeCatalog();
    private final List<Long> heartbeats = new CopyOnWriteArrayList<>();
    private final AtomicInteger reconnects = new AtomicInteger();
    private final MusterContacts contacts = new MusterContacts();
    private MusterServiceCache cache;

    @BeforeEach
    void start() {
        cache = cache(8);
    }

    private MusterServiceCache cache(int maxServices) {
        return new MusterServiceCache(catalog, maxServices, Duration.ofMillis(10), Duration.ofMillis(50),
                Executors.newSingleThreadScheduledExecutor(), contacts, new DiscoveryMetrics() {
                    @Override
                    public void heartbeat(String outcome) {
                    }

                    @Override
                    public void watchReconnect() {
                        reconnects.incrementAndGet();
                    }
                }, heartbeats::add);
    }

    @AfterEach
    void stop() {
        cache.close();
    }

    @Test
    void theFirstLookupListsAndWatchesFromTheListingsRevisionOn() {
        catalog.instances("orders", 10, "o-1");
        assertThat(ids(cache.instances("orders"))).containsExactly("o-1");
        await("the watch open", () -> cache.state() == MusterServiceCache.StreamState.CONNECTED);
        FakeCatalog.Watch watch = catalog.lastWatch();
        assertThat(watch.services).containsExactly("orders");
        assertThat(watch.from).isEqualTo(11);

        int lists = catalog.lists.get();
        assertThat(ids(cache.instances("orders"))).containsExactly("o-1");
        assertThat(catalog.lists.get()).as("served from the cache").isEqualTo(lists);
    }

    @Test
    void changesApplyUpOnlyAndPublishAHeartbeat() {
        List<List<ServiceInstance>> seen = new CopyOnWriteArrayList<>();
        cache.subscribe("orders", seen::add);
        catalog.instances("orders", 10, "o-1");
        connected("orders");
        FakeCatalog.Watch watch = catalog.lastWatch();

        watch.listener.event("change", change(12, put("orders", "o-2", "UP")));
        assertThat(ids(cache.instances("orders"))).containsExactlyInAnyOrder("o-1", "o-2");
        watch.listener.event("change", change(13, put("orders", "o-1", "OUT_OF_SERVICE")));
        assertThat(ids(cache.instances("orders"))).containsExactly("o-2");
        watch.listener.event("change", change(14, "{\"type\":\"expire\",\"key\":\"orders/o-2\",\"service\":\"orders\"}"));
        assertThat(cache.instances("orders")).isEmpty();
        assertThat(heartbeats).containsExactly(12L, 13L, 14L);
        assertThat(seen).as("the listing, then each change").hasSize(4);
        assertThat(cache.revision()).isEqualTo(14);
    }

    @Test
    void eventsAListingAlreadyReflectsAreSkipped() {
        catalog.instances("orders", 10, "o-1");
        connected("orders");
        catalog.instances("payments", 20, "p-1");
        cache.instances("payments");
        await("the watch reopened for both", () -> catalog.lastWatch().services.size() == 2
                && cache.state() == MusterServiceCache.StreamState.CONNECTED);
        FakeCatalog.Watch watch = catalog.lastWatch();
        assertThat(watch.from).as("from the last delivered revision + 1, so orders misses nothing").isEqualTo(11);

        watch.listener.event("change", change(15, "{\"type\":\"delete\",\"key\":\"payments/p-1\",\"service\":\"payments\"}"));
        assertThat(ids(cache.instances("payments"))).as("revision 15 is older than the payments listing").containsExactly("p-1");
        watch.listener.event("change", change(21, "{\"type\":\"delete\",\"key\":\"payments/p-1\",\"service\":\"payments\"}"));
        assertThat(cache.instances("payments")).isEmpty();
    }

    @Test
    void aBrokenWatchServesTheCacheAtOnceRelistsInTheBackgroundThenReopensFromTheLastRevision() {
        catalog.instances("orders", 10, "o-1");
        connected("orders");
        FakeCatalog.Watch first = catalog.lastWatch();
        first.listener.event("change", change(12, put("orders", "o-2", "UP")));
        catalog.listThreads.clear(); // the first lookup reads through on this thread: it was never cached
        catalog.failWatches = 2;
        first.listener.closed(new IOException("connection reset"));

        catalog.instances("orders", 13, "o-3");
        assertThat(ids(cache.instances("orders"))).as("the cache, while disconnected").containsExactlyInAnyOrder("o-1", "o-2");
        await("relisted in the background", () -> ids(cache.instances("orders")).equals(List.of("o-3")));
        assertThat(catalog.listThreads).as("never listed on the caller's thread").doesNotContain(Thread.currentThread());
        await("reopened", () -> cache.state() == MusterServiceCache.StreamState.CONNECTED);
        assertThat(catalog.lastWatch().from).as("after the background listing's revision").isEqualTo(14);
        assertThat(reconnects.get()).isEqualTo(3);
        first.listener.event("change", change(15, put("orders", "o-9", "UP")));
        assertThat(ids(cache.instances("orders"))).as("the old stream is ignored").doesNotContain("o-9");
    }

    @Test
    void duringAnOutageLookupsNeverWaitForMusterAndRelistAtMostOncePerInterval() {
        catalog.instances("orders", 10, "o-1");
        connected("orders");
        catalog.listThreads.clear(); // the first lookup reads through on this thread: it was never cached
        catalog.failWatches = Integer.MAX_VALUE;
        catalog.failLists = true;
        int lists = catalog.lists.get();
        catalog.lastWatch().listener.closed(new IOException("connection reset"));

        for (int i = 0; i < 1000; i++) {
            assertThat(ids(cache.instances("orders"))).containsExactly("o-1");
        }
        assertThat(catalog.listThreads).doesNotContain(Thread.currentThread());
        assertThat(catalog.lists.get() - lists).as("at most one background listing per 50 ms interval so far")
                .isLessThanOrEqualTo(1 + 2 * (int) ((System.nanoTime() - catalog.startNanos) / 50_000_000L));
    }

    @Test
    void aListingReadBeforeAnAppliedEventDoesNotReplaceIt() {
        catalog.instances("orders", 11, "o-1"); // what the slow lookup reads, then answers late
        catalog.duringList = () -> {
            // Meanwhile another lookup lists orders, the watch opens and applies revision 12.
            catalog.instances("orders", 10, "o-1");
            connected("orders");
            catalog.lastWatch().listener.event("change", change(12, put("orders", "o-2", "UP")));
        };

        cache.instances("orders");

        assertThat(ids(cache.instances("orders"))).as("the listing at 11 is older than the applied 12")
                .containsExactlyInAnyOrder("o-1", "o-2");
    }

    @Test
    void servicesAreSplitOverSeveralStreamsEachFromItsOwnRevision() {
        catalog.groupSize = 2;
        catalog.instances("a", 10, "a-1");
        catalog.instances("b", 20, "b-1");
        catalog.instances("c", 30, "c-1");
        cache.instances("a");
        cache.instances("b");
        cache.instances("c");
        await("two streams over the three services", () -> cache.state() == MusterServiceCache.StreamState.CONNECTED
                && cache.details().get("streams").equals(2) && ((List<?>) cache.details().get("watched")).size() == 3);
        FakeCatalog.Watch ab = catalog.watches.get(catalog.watches.size() - 2);
        FakeCatalog.Watch c = catalog.lastWatch();
        assertThat(ab.services).containsExactly("a", "b");
        assertThat(ab.from).isEqualTo(11);
        assertThat(c.services).containsExactly("c");
        assertThat(c.from).isEqualTo(31);

        c.listener.event("change", change(40, put("c", "c-2", "UP")));
        ab.listener.event("change", change(25, put("a", "a-2", "UP"), put("b", "b-0", "UP")));
        assertThat(ids(cache.instances("a"))).containsExactlyInAnyOrder("a-1", "a-2");
        assertThat(ids(cache.instances("b"))).containsExactlyInAnyOrder("b-1", "b-0");
        assertThat(ids(cache.instances("c"))).containsExactlyInAnyOrder("c-1", "c-2");
        assertThat(cache.revision()).isEqualTo(40);
    }

    @Test
    void compactionListsAgainAndWatchesFromTheNewListing() {
        catalog.instances("orders", 10, "o-1");
        connected("orders");
        catalog.instances("orders", 500, "o-7");
        catalog.lastWatch().listener.event("compacted", "{\"compactedThrough\":400,\"revision\":500}");
        await("listed again and reopened", () -> catalog.lastWatch().from == 501
                && cache.state() == MusterServiceCache.StreamState.CONNECTED);
        assertThat(ids(cache.instances("orders"))).containsExactly("o-7");
    }

    @Test
    void aRevisionThatGoesBackListsAgain() {
        catalog.instances("orders", 100, "o-1");
        connected("orders");
        catalog.instances("orders", 40, "o-restored");
        catalog.lastWatch().listener.event("progress", "{\"revision\":30}");
        await("listed again after the restore", () -> catalog.lastWatch().from == 41
                && cache.state() == MusterServiceCache.StreamState.CONNECTED);
        assertThat(ids(cache.instances("orders"))).containsExactly("o-restored");
    }

    @Test
    void theLeastRecentlyUsedServiceGoesBeyondTheBound() {
        cache.close();
        cache = cache(2);
        catalog.instances("a", 1, "a-1");
        catalog.instances("b", 2, "b-1");
        catalog.instances("c", 3, "c-1");
        cache.instances("a");
        cache.instances("b");
        cache.instances("a");
        cache.instances("c");
        await("watching the two most recent", () -> cache.state() == MusterServiceCache.StreamState.CONNECTED
                && catalog.lastWatch().services.size() == 2 && catalog.lastWatch().services.containsAll(List.of("a", "c")));
    }

    private void connected(String service) {
        cache.instances(service);
        await("the watch open", () -> cache.state() == MusterServiceCache.StreamState.CONNECTED);
    }

    private static String change(long revision, String... events) {
        return "{\"revision\":" + revision + ",\"events\":[" + String.join(",", events) + "]}";
    }

    private static String put(String service, String id, String status) {
        return "{\"type\":\"put\",\"key\":\"" + service + "/" + id + "\",\"service\":\"" + service + "\",\"instance\":"
                + "{\"service\":\"" + service + "\",\"id\":\"" + id + "\",\"address\":\"10.0.0.1\",\"port\":80,"
                + "\"zone\":\"\",\"tags\":[],\"metadata\":{},\"status\":\"" + status + "\"}}";
    }

    private static List<String> ids(List<ServiceInstance> instances) {
        return instances.stream().map(ServiceInstance::getInstanceId).toList();
    }

    private static void await(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 5 s: " + what);
            }
            Thread.onSpinWait();
        }
    }

    /** Listings set by the test; watches recorded; opens fail while failWatches > 0. */
    private static final class FakeCatalog implements ServiceCatalog {

        record Watch(List<String> services, long from, WatchListener listener) {
        }

        private final Map<String, Listing> listings = new HashMap<>();
        private final List<Watch> watches = new CopyOnWriteArrayList<>();
        private final AtomicInteger lists = new AtomicInteger();
        private final List<Thread> listThreads = new CopyOnWriteArrayList<>();
        private final long startNanos = System.nanoTime();
        private volatile int failWatches;
        private volatile boolean failLists;
        private volatile Runnable duringList;
        private volatile int groupSize = Integer.MAX_VALUE;

        synchronized void instances(String service, long revision, String... ids) {
            List<ServiceInstance> instances = new ArrayList<>();
            for (String id : ids) {
                instances.add(new DefaultServiceInstance(id, service, "10.0.0.1", 80, false));
            }
            listings.put(service, new Listing(service, revision, List.copyOf(instances)));
        }

        Watch lastWatch() {
            return watches.isEmpty() ? new Watch(List.of(), -1, null) : watches.get(watches.size() - 1);
        }

        @Override
        public synchronized Listing list(String service, long minRevision) {
            lists.incrementAndGet();
            listThreads.add(Thread.currentThread());
            if (failLists) {
                throw new IllegalStateException("no node answered");
            }
            Listing answer = listings.get(service);
            Runnable meanwhile = duringList;
            duringList = null;
            if (meanwhile != null) {
                meanwhile.run();
            }
            return answer;
        }

        @Override
        public List<List<String>> watchGroups(Collection<String> services) {
            List<List<String>> groups = new ArrayList<>();
            List<String> all = List.copyOf(services);
            for (int i = 0; i < all.size(); i += groupSize) {
                groups.add(all.subList(i, Math.min(all.size(), i + groupSize)));
            }
            return groups;
        }

        @Override
        public List<String> services() {
            return List.copyOf(listings.keySet());
        }

        @Override
        public AutoCloseable watch(Collection<String> services, long fromRevision, WatchListener listener) {
            if (failWatches > 0) {
                failWatches--;
                throw new IllegalStateException("no node opened the stream");
            }
            watches.add(new Watch(List.copyOf(services), fromRevision, listener));
            return () -> { };
        }

        @Override
        public String node() {
            return "fake";
        }
    }
}
