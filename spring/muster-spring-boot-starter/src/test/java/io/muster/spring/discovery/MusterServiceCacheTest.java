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
 * broken watch reads through and reopens, compaction and a revision that goes back list again, and the
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
    void aBrokenWatchReadsThroughThenReopensFromTheLastRevision() {
        catalog.instances("orders", 10, "o-1");
        connected("orders");
        FakeCatalog.Watch first = catalog.lastWatch();
        first.listener.event("change", change(12, put("orders", "o-2", "UP")));
        catalog.failWatches = 2;
        first.listener.closed(new IOException("connection reset"));

        catalog.instances("orders", 13, "o-3");
        assertThat(ids(cache.instances("orders"))).as("read through while disconnected").containsExactly("o-3");
        await("reopened", () -> cache.state() == MusterServiceCache.StreamState.CONNECTED);
        assertThat(catalog.lastWatch().from).isEqualTo(13);
        assertThat(reconnects.get()).isEqualTo(3);
        first.listener.event("change", change(14, put("orders", "o-9", "UP")));
        assertThat(ids(cache.instances("orders"))).as("the old stream is ignored").doesNotContain("o-9");
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
        private volatile int failWatches;

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
            return listings.get(service);
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
