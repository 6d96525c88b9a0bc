package io.muster.spring.discovery;

import io.muster.spring.client.MusterContacts;
import io.muster.spring.actuate.MusterEndpointContributor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.cloud.client.ServiceInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The instances of the services this application looked up, kept current by a multiplexed watch: one
 * stream for as many services as fit in a short enough URL ({@link ServiceCatalog#watchGroups}), so usually
 * one stream, and a few for hundreds of long names.
 *
 * <p>The first lookup of a service lists it ({@code minRevision} = the highest revision seen, so a
 * fail-over never reads older data) and adds it to the watch; the watch is then reopened for the new set.
 * Each service records the revision its cached list reflects (its listing's, then each change or progress
 * its stream delivers); a stream opens from the lowest such revision of its services + 1, so nothing is
 * missed, events at or below a service's revision are skipped, and a listing older than that revision
 * never replaces the list. {@code compacted} (or 410) means list every service again; a revision that goes
 * back (a restore from backup) means the same. A broken watch is reopened with backoff on the next node.
 *
 * <p>A service once cached is always served from the cache, at once, also while the watch is down; then
 * the lookup asks for one background listing of that service on the worker, at most one at a time and one
 * per {@code maxReconnectDelay}. Only a service never cached is read through, on the caller's thread.
 *
 * <p>Keeps UP instances only, as a default lookup answers, and at most {@code maxServices} services (the
 * least recently looked up goes). Each change is told to the service's subscribers and to
 * {@code onChange} (which publishes a {@code HeartbeatEvent}).
 *
 * <p>Thread-safe: state is guarded by this object's monitor; I/O happens outside it, stream opens on the
 * single worker thread, and notifications are delivered outside the monitor.
 */
public final class MusterServiceCache implements MusterEndpointContributor, AutoCloseable {

    private static final Log logger = LogFactory.getLog(MusterServiceCache.class);

    /** Where the watch stands. */
    public enum StreamState {
        /** No service looked up yet. */
        IDLE,
        /** Being opened. */
        CONNECTING,
        /** Open: lookups are served from the cache. */
        CONNECTED,
        /** Broken: lookups are served from the cache and relist it in the background until it is reopened. */
        DISCONNECTED,
        /** The cache was closed. */
        CLOSED
    }

    private final ServiceCatalog catalog;
    private final int maxServices;
    private final Duration reconnectDelay;
    private final Duration maxReconnectDelay;
    private final ScheduledExecutorService worker;
    private final MusterContacts contacts;
    private final DiscoveryMetrics metrics;
    private final Consumer<Long> onChange;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, List<Consumer<List<ServiceInstance>>>> subscribers = new ConcurrentHashMap<>();

    // Guarded by this.
    private final LinkedHashMap<String, CachedService> services = new LinkedHashMap<>(16, 0.75f, true);
    private long streamRevision;
    private long seenRevision;
    private Set<String> watched = Set.of();
    private List<AutoCloseable> streams = List.of();
    private long generation;
    private StreamState state = StreamState.IDLE;
    private int failures;
    private boolean reopenScheduled;

    public MusterServiceCache(ServiceCatalog catalog, int maxServices, Duration reconnectDelay, Duration maxReconnectDelay,
            ScheduledExecutorService worker, MusterContacts contacts, DiscoveryMetrics metrics, Consumer<Long> onChange) {
        if (maxServices < 1) {
            throw new IllegalArgumentException("muster.client.discovery.cache.max-services must be at least 1, not "
                    + maxServices);
        }
        this.catalog = catalog;
        this.maxServices = maxServices;
        this.reconnectDelay = reconnectDelay;
        this.maxReconnectDelay = maxReconnectDelay;
        this.worker = worker;
        this.contacts = contacts;
        this.metrics = metrics;
        this.onChange = onChange;
    }

    /**
     * A service's UP instances: from the cache when it is cached (asking for a background listing while
     * the watch is not open), else read through to Muster on this thread.
     */
    public List<ServiceInstance> instances(String service) {
        synchronized (this) {
            CachedService cached = services.get(service);
            if (cached != null) {
                if (state != StreamState.CONNECTED) {
                    requestRelist(service, cached);
                }
                return cached.view;
            }
        }
        ServiceCatalog.Listing listing;
        long asked = seenRevision();
        try {
            listing = catalog.list(service, asked);
            contacts.success();
        } catch (RuntimeException e) {
            contacts.failure(e);
            throw e;
        }
        return adopt(listing, asked);
    }

    /** Whether {@code service} is cached, so that {@link #instances} answers it without I/O. */
    public synchronized boolean cached(String service) {
        return services.containsKey(service);
    }

    /** Subscribes {@code listener} to {@code service}'s changes (each new list); closing the handle ends it. */
    public AutoCloseable subscribe(String service, Consumer<List<ServiceInstance>> listener) {
        List<Consumer<List<ServiceInstance>>> listeners = subscribers.computeIfAbsent(service,
                name -> new CopyOnWriteArrayList<>());
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Fails when neither the watch is open nor Muster answers: what {@code DiscoveryClient.probe()} does. */
    public void probe() {
        synchronized (this) {
            if (state == StreamState.CONNECTED) {
                return;
            }
        }
        catalog.services();
    }

    public synchronized StreamState state() {
        return state;
    }

    /** The highest revision the watch has delivered. */
    public synchronized long revision() {
        return streamRevision;
    }

    @Override
    public String name() {
        return "discovery";
    }

    @Override
    public synchronized Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("stream", state.name());
        details.put("streams", streams.size());
        details.put("revision", streamRevision);
        details.put("services", List.copyOf(services.keySet()));
        details.put("watched", List.copyOf(watched));
        return details;
    }

    @Override
    public void close() {
        List<AutoCloseable> open;
        synchronized (this) {
            state = StreamState.CLOSED;
            generation++;
            open = streams;
            streams = List.of();
        }
        closeQuietly(open);
        worker.shutdownNow();
    }

    private synchronized long seenRevision() {
        return seenRevision;
    }

    /** Under the monitor: one background listing of a cached service, unless one runs or ran lately. */
    private void requestRelist(String service, CachedService cached) {
        long now = System.nanoTime();
        if (state == StreamState.CLOSED || cached.relisting
                || now - cached.relistedAtNanos < maxReconnectDelay.toNanos()) {
            return;
        }
        cached.relisting = true;
        cached.relistedAtNanos = now;
        try {
            worker.execute(() -> relist(service, cached));
        } catch (RejectedExecutionException e) {
            cached.relisting = false; // closed meanwhile
        }
    }

    /** On the worker: lists one cached service again while the watch is down. */
    private void relist(String service, CachedService cached) {
        long asked = seenRevision();
        try {
            ServiceCatalog.Listing listing = catalog.list(service, asked);
            contacts.success();
            synchronized (this) {
                if (services.get(service) != cached) {
                    return; // evicted meanwhile
                }
            }
            adopt(listing, asked);
        } catch (RuntimeException e) {
            contacts.failure(e);
            logger.debug("Serving the last known instances of " + service + ": " + e.getMessage());
        } finally {
            synchronized (this) {
                cached.relisting = false;
            }
        }
    }

    /**
     * Takes a listing into the cache, unless the cached list already reflects a later revision, and has
     * the watch cover its service. A listing older than the {@code asked} minimum revision means Muster's
     * revisions went back.
     */
    private List<ServiceInstance> adopt(ServiceCatalog.Listing listing, long asked) {
        List<ServiceInstance> view;
        boolean wentBack;
        boolean changed;
        synchronized (this) {
            if (state == StreamState.CLOSED) {
                return listing.instances();
            }
            wentBack = listing.revision() < asked;
            if (wentBack) {
                forgetRevisions();
            }
            seenRevision = Math.max(seenRevision, listing.revision());
            boolean added = !services.containsKey(listing.service());
            CachedService cached = services.computeIfAbsent(listing.service(), name -> new CachedService());
            changed = cached.replace(listing.instances(), listing.revision());
            view = cached.view;
            evictBeyondBound();
            if (added && !wentBack) {
                scheduleReopen(Duration.ZERO); // a reopen under way notices the new set when it is done
            }
        }
        if (changed) {
            deliver(listing.service());
        }
        if (wentBack) {
            logger.info("Muster's revision went back to " + listing.revision() + " (a restore?): listing every service again");
            worker.execute(this::relistAndReopen);
        }
        return view;
    }

    private void evictBeyondBound() {
        Iterator<String> eldest = services.keySet().iterator();
        while (services.size() > maxServices) {
            String evicted = eldest.next();
            eldest.remove();
            logger.debug("Evicted " + evicted + " from the discovery cache (more than " + maxServices + " services)");
        }
    }

    /**
     * After a restore: revisions before now mean nothing; the listings to come set them anew. The open
     * streams' events stop applying.
     */
    private void forgetRevisions() {
        generation++;
        seenRevision = 0;
        streamRevision = 0;
        services.values().forEach(cached -> cached.applied = 0);
    }

    private void scheduleReopen(Duration delay) {
        if (reopenScheduled || state == StreamState.CLOSED) {
            return;
        }
        reopenScheduled = true;
        worker.schedule(this::reopen, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** On the worker: (re)opens the watch's streams for the cached services, each from its services' lowest revision + 1. */
    private void reopen() {
        Map<String, Long> wanted = new LinkedHashMap<>();
        long opening;
        List<AutoCloseable> previous;
        synchronized (this) {
            reopenScheduled = false;
            if (state == StreamState.CLOSED) {
                return;
            }
            services.forEach((name, cached) -> wanted.put(name, cached.applied));
            opening = ++generation;
            previous = streams;
            streams = List.of();
            watched = Set.of();
            state = wanted.isEmpty() ? StreamState.IDLE : StreamState.CONNECTING;
        }
        closeQuietly(previous);
        if (wanted.isEmpty()) {
            return;
        }
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            for (List<String> group : catalog.watchGroups(wanted.keySet())) {
                long from = group.stream().mapToLong(wanted::get).min().orElse(0) + 1;
                opened.add(catalog.watch(group, from, new Listener(opening, Set.copyOf(group), from - 1)));
            }
            contacts.success();
            if (connected(opening, opened, wanted.keySet())) {
                return;
            }
            closeQuietly(opened);
        } catch (ServiceCatalog.CompactedException e) {
            closeQuietly(opened);
            logger.info("The service watch's history is compacted (" + e.getMessage() + "): listing again");
            relistAndReopen();
        } catch (RuntimeException e) {
            closeQuietly(opened);
            contacts.failure(e);
            broken(opening, e);
        }
    }

    /** Whether the streams just opened are still wanted; if so, they are the watch now. */
    private synchronized boolean connected(long opening, List<AutoCloseable> opened, Set<String> wanted) {
        if (opening != generation) {
            return false;
        }
        streams = List.copyOf(opened);
        watched = Set.copyOf(wanted);
        state = StreamState.CONNECTED;
        failures = 0;
        if (!watched.equals(services.keySet())) {
            scheduleReopen(Duration.ZERO);
        }
        return true;
    }

    /**
     * On the worker: lists every cached service again (after compaction, or a revision that went back),
     * then reopens. The old streams are closed first, so none of their events lands after a listing.
     */
    private void relistAndReopen() {
        List<String> names;
        List<AutoCloseable> previous;
        synchronized (this) {
            if (state == StreamState.CLOSED) {
                return;
            }
            generation++;
            previous = streams;
            streams = List.of();
            watched = Set.of();
            state = StreamState.CONNECTING;
            names = List.copyOf(services.keySet());
        }
        closeQuietly(previous);
        for (String name : names) {
            try {
                ServiceCatalog.Listing listing = catalog.list(name, seenRevision());
                contacts.success();
                boolean changed;
                synchronized (this) {
                    CachedService cached = services.get(name);
                    changed = cached != null && cached.replace(listing.instances(), listing.revision());
                    seenRevision = Math.max(seenRevision, listing.revision());
                }
                if (changed) {
                    deliver(name);
                }
            } catch (RuntimeException e) {
                contacts.failure(e);
                long current;
                synchronized (this) {
                    current = generation;
                }
                broken(current, e);
                return;
            }
        }
        synchronized (this) {
            scheduleReopen(Duration.ZERO);
        }
    }

    /** The watch broke: every stream is closed and the watch reopened with backoff. */
    private void broken(long which, Throwable failure) {
        List<AutoCloseable> open;
        long delay;
        synchronized (this) {
            if (which != generation || state == StreamState.CLOSED) {
                return;
            }
            generation++;
            open = streams;
            streams = List.of();
            watched = Set.of();
            state = StreamState.DISCONNECTED;
            failures++;
            metrics.watchReconnect();
            delay = Math.min(maxReconnectDelay.toMillis(), reconnectDelay.toMillis() << Math.min(failures - 1, 20));
            scheduleReopen(Duration.ofMillis(delay));
        }
        logger.warn("The service watch broke (" + (failure == null ? "ended by the node" : failure.getMessage())
                + "); reopening in " + delay + " ms, serving the cache meanwhile");
        closeQuietly(open);
    }

    /** One change message of one stream: the events of one revision. */
    private void change(Listener from, JsonNode change) {
        long revision = change.path("revision").asLong();
        Map<String, List<ServiceInstance>> changed = new LinkedHashMap<>();
        boolean wentBack;
        synchronized (this) {
            if (from.opening != generation) {
                return;
            }
            wentBack = revision < from.revision;
            if (!wentBack) {
                for (JsonNode event : change.path("events")) {
                    apply(revision, event, changed);
                }
                advance(from, revision);
            } else {
                forgetRevisions();
            }
        }
        if (wentBack) {
            worker.execute(this::relistAndReopen);
            return;
        }
        changed.keySet().forEach(this::deliver);
        if (!changed.isEmpty()) {
            onChange.accept(revision);
        }
    }

    private void apply(long revision, JsonNode event, Map<String, List<ServiceInstance>> changed) {
        String key = event.path("key").asString("");
        int slash = key.indexOf('/');
        String service = event.path("service").asString(slash > 0 ? key.substring(0, slash) : "");
        String id = slash > 0 ? key.substring(slash + 1) : event.path("instance").path("id").asString("");
        CachedService cached = services.get(service);
        if (cached == null || revision <= cached.applied) {
            return; // not cached (evicted, say), or already in its list
        }
        JsonNode instance = event.path("instance");
        boolean changedOne = "put".equals(event.path("type").asString("")) && MusterInstances.isUp(instance)
                ? cached.put(id, MusterInstances.of(instance))
                : cached.remove(id);
        if (changedOne) {
            changed.put(service, cached.view);
        }
    }

    /** Under the monitor: {@code from} has delivered everything up to {@code revision} for its services. */
    private void advance(Listener from, long revision) {
        from.revision = revision;
        streamRevision = Math.max(streamRevision, revision);
        seenRevision = Math.max(seenRevision, revision);
        for (Map.Entry<String, CachedService> entry : services.entrySet()) { // entrySet: no LRU touch
            if (from.services.contains(entry.getKey())) {
                entry.getValue().applied = Math.max(entry.getValue().applied, revision);
            }
        }
    }

    private void progress(Listener from, long revision) {
        boolean wentBack;
        synchronized (this) {
            if (from.opening != generation) {
                return;
            }
            wentBack = revision < from.revision;
            if (wentBack) {
                forgetRevisions();
            } else {
                advance(from, revision);
            }
        }
        if (wentBack) {
            logger.info("The service watch's revision went back to " + revision + " (a restore?): listing again");
            worker.execute(this::relistAndReopen);
        }
    }

    private void compacted(Listener from, String data) {
        synchronized (this) {
            if (from.opening != generation) {
                return;
            }
            generation++;
            state = StreamState.DISCONNECTED;
            watched = Set.of();
        }
        logger.info("The service watch fell behind the retained history (" + data + "): listing again");
        worker.execute(this::relistAndReopen);
    }

    /** Tells {@code service}'s subscribers its current list (the current one, so a late delivery is never stale). */
    private void deliver(String service) {
        List<Consumer<List<ServiceInstance>>> listeners = subscribers.get(service);
        if (listeners == null || listeners.isEmpty()) {
            return;
        }
        List<ServiceInstance> view;
        synchronized (this) {
            CachedService cached = services.get(service);
            if (cached == null) {
                return;
            }
            view = cached.view;
        }
        listeners.forEach(listener -> listener.accept(view));
    }

    private static void closeQuietly(List<AutoCloseable> closeables) {
        closeables.forEach(MusterServiceCache::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            logger.debug("Closing a service watch failed", e);
        }
    }

    /**
     * The events of one stream, for its services; events of a stream that was replaced are ignored.
     * {@code revision} (guarded by the cache) is the last it delivered, to notice one that goes back.
     */
    private final class Listener implements ServiceCatalog.WatchListener {

        private final long opening;
        private final Set<String> services;
        private long revision;

        Listener(long opening, Set<String> services, long revision) {
            this.opening = opening;
            this.services = services;
            this.revision = revision;
        }

        @Override
        public void event(String name, String data) {
            try {
                switch (name) {
                    case "change" -> change(this, json.readTree(data));
                    case "progress" -> progress(this, json.readTree(data).path("revision").asLong());
                    case "compacted" -> compacted(this, data);
                    case "revoked" -> logger.error("Muster revoked the service watch's rights: " + data);
                    case "closed" -> logger.info("The node serving the service watch is stopping: " + data);
                    default -> logger.debug("Ignored a service watch message '" + name + "'");
                }
            } catch (RuntimeException e) {
                logger.warn("A service watch message '" + name + "' could not be read: " + data, e);
            }
        }

        @Override
        public void closed(Throwable failure) {
            broken(opening, failure);
        }
    }

    /**
     * One service's UP instances, by id; the revision the list reflects (its listing's, or the last its
     * stream delivered); and its background listing's state (guarded by the cache).
     */
    private static final class CachedService {

        private final LinkedHashMap<String, ServiceInstance> byId = new LinkedHashMap<>();
        private long applied;
        private List<ServiceInstance> view = List.of();
        private boolean relisting;
        private long relistedAtNanos = System.nanoTime(); // just listed: no background listing for a while

        /** Replaces everything with a listing, unless the list reflects a later revision; whether the list changed. */
        boolean replace(List<ServiceInstance> instances, long revision) {
            if (revision < applied) {
                return false; // an older listing than what the stream already applied
            }
            applied = revision;
            Map<String, ServiceInstance> before = new LinkedHashMap<>(byId);
            byId.clear();
            instances.forEach(instance -> byId.put(instance.getInstanceId(), instance));
            return refresh(!before.equals(byId));
        }

        boolean put(String id, ServiceInstance instance) {
            ServiceInstance previous = byId.put(id, instance);
            return refresh(!instance.equals(previous));
        }

        boolean remove(String id) {
            return refresh(byId.remove(id) != null);
        }

        private boolean refresh(boolean changed) {
            if (changed) {
                view = List.copyOf(new ArrayList<>(byId.values()));
            }
            return changed;
        }
    }
}
