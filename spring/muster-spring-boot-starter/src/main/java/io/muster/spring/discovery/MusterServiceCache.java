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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.cloud.client.ServiceInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The instances of the services this application looked up, kept current by one multiplexed watch.
 *
 * <p>The first lookup of a service lists it ({@code minRevision} = the highest revision seen, so a
 * fail-over never reads older data) and adds it to the watch; the watch is then reopened for the new set
 * from the last revision it delivered + 1, so nothing is missed, and events a listing already reflects
 * (revision at or below that service's listing) are skipped. While the watch is not open, lookups read
 * through to Muster. {@code compacted} (or 410) means list every service again; a revision that goes back
 * (a restore from backup) means the same. A broken watch is reopened with backoff on the next node.
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
        /** Broken: lookups read through until it is reopened. */
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
    private AutoCloseable stream;
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

    /** A service's UP instances: from the cache while the watch covers it, else read through. */
    public List<ServiceInstance> instances(String service) {
        synchronized (this) {
            CachedService cached = services.get(service);
            if (cached != null && state == StreamState.CONNECTED && watched.contains(service)) {
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
            synchronized (this) {
                CachedService cached = services.get(service);
                if (cached != null) {
                    logger.debug("Serving the last known instances of " + service + ": " + e.getMessage());
                    return cached.view;
                }
            }
            throw e;
        }
        return adopt(listing, asked);
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

    /** The revision the watch has delivered up to. */
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
        details.put("revision", streamRevision);
        details.put("services", List.copyOf(services.keySet()));
        details.put("watched", List.copyOf(watched));
        return details;
    }

    @Override
    public void close() {
        AutoCloseable open;
        synchronized (this) {
            state = StreamState.CLOSED;
            generation++;
            open = stream;
            stream = null;
        }
        closeQuietly(open);
        worker.shutdownNow();
    }

    private synchronized long seenRevision() {
        return seenRevision;
    }

    /**
     * Takes a listing into the cache, and has the watch cover its service. A listing older than the
     * {@code asked} minimum revision means Muster's revisions went back.
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
            if (services.isEmpty() && stream == null) {
                streamRevision = listing.revision();
            }
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

    /** After a restore: revisions before now mean nothing; the listings to come set them anew. */
    private void forgetRevisions() {
        seenRevision = 0;
        streamRevision = 0;
        services.values().forEach(cached -> cached.listedAt = 0);
    }

    private void scheduleReopen(Duration delay) {
        if (reopenScheduled || state == StreamState.CLOSED) {
            return;
        }
        reopenScheduled = true;
        worker.schedule(this::reopen, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** On the worker: (re)opens the watch for the cached services from the last delivered revision + 1. */
    private void reopen() {
        Set<String> wanted;
        long from;
        long opening;
        AutoCloseable previous;
        synchronized (this) {
            reopenScheduled = false;
            if (state == StreamState.CLOSED) {
                return;
            }
            wanted = Set.copyOf(services.keySet());
            opening = ++generation;
            previous = stream;
            stream = null;
            watched = Set.of();
            from = streamRevision + 1;
            state = wanted.isEmpty() ? StreamState.IDLE : StreamState.CONNECTING;
        }
        closeQuietly(previous);
        if (wanted.isEmpty()) {
            return;
        }
        try {
            AutoCloseable opened = catalog.watch(wanted, from, new Listener(opening));
            contacts.success();
            synchronized (this) {
                if (opening == generation) {
                    stream = opened;
                    watched = wanted;
                    state = StreamState.CONNECTED;
                    failures = 0;
                    if (!wanted.equals(services.keySet())) {
                        scheduleReopen(Duration.ZERO);
                    }
                    return;
                }
            }
            closeQuietly(opened);
        } catch (ServiceCatalog.CompactedException e) {
            logger.info("The service watch's history is compacted (" + e.getMessage() + "): listing again");
            relistAndReopen();
        } catch (RuntimeException e) {
            contacts.failure(e);
            broken(opening, e);
        }
    }

    /** Lists every cached service again (after compaction, or a revision that went back), then reopens. */
    private void relistAndReopen() {
        List<String> names;
        synchronized (this) {
            names = List.copyOf(services.keySet());
        }
        long lowest = Long.MAX_VALUE;
        for (String name : names) {
            try {
                ServiceCatalog.Listing listing = catalog.list(name, 0);
                contacts.success();
                lowest = Math.min(lowest, listing.revision());
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
                synchronized (this) {
                    broken(generation, e);
                }
                return;
            }
        }
        synchronized (this) {
            if (lowest != Long.MAX_VALUE) {
                streamRevision = lowest;
            }
            scheduleReopen(Duration.ZERO);
        }
    }

    private synchronized void broken(long which, Throwable failure) {
        if (which != generation || state == StreamState.CLOSED) {
            return;
        }
        state = StreamState.DISCONNECTED;
        watched = Set.of();
        stream = null;
        failures++;
        metrics.watchReconnect();
        long delay = Math.min(maxReconnectDelay.toMillis(),
                reconnectDelay.toMillis() << Math.min(failures - 1, 20));
        logger.warn("The service watch broke (" + (failure == null ? "ended by the node" : failure.getMessage())
                + "); reopening in " + delay + " ms, reading through meanwhile");
        scheduleReopen(Duration.ofMillis(delay));
    }

    /** One change message: the events of one revision. */
    private void change(long which, JsonNode change) {
        long revision = change.path("revision").asLong();
        Map<String, List<ServiceInstance>> changed = new LinkedHashMap<>();
        boolean wentBack;
        synchronized (this) {
            if (which != generation) {
                return;
            }
            wentBack = revision < streamRevision;
            if (!wentBack) {
                for (JsonNode event : change.path("events")) {
                    apply(revision, event, changed);
                }
                streamRevision = revision;
                seenRevision = Math.max(seenRevision, revision);
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
        if (cached == null || revision <= cached.listedAt) {
            return; // not cached (evicted, say), or already in its listing
        }
        JsonNode instance = event.path("instance");
        boolean changedOne = "put".equals(event.path("type").asString("")) && MusterInstances.isUp(instance)
                ? cached.put(id, MusterInstances.of(instance))
                : cached.remove(id);
        if (changedOne) {
            changed.put(service, cached.view);
        }
    }

    private void progress(long which, long revision) {
        boolean wentBack;
        synchronized (this) {
            if (which != generation) {
                return;
            }
            wentBack = revision < streamRevision;
            if (wentBack) {
                forgetRevisions();
            } else {
                streamRevision = revision;
                seenRevision = Math.max(seenRevision, revision);
            }
        }
        if (wentBack) {
            logger.info("The service watch's revision went back to " + revision + " (a restore?): listing again");
            worker.execute(this::relistAndReopen);
        }
    }

    private void compacted(long which, String data) {
        synchronized (this) {
            if (which != generation) {
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

    /** The events of one stream; events of a stream that was replaced are ignored. */
    private final class Listener implements ServiceCatalog.WatchListener {

        private final long opening;

        Listener(long opening) {
            this.opening = opening;
        }

        @Override
        public void event(String name, String data) {
            try {
                switch (name) {
                    case "change" -> change(opening, json.readTree(data));
                    case "progress" -> progress(opening, json.readTree(data).path("revision").asLong());
                    case "compacted" -> compacted(opening, data);
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

    /** One service's UP instances, by id, and the revision its last listing was read at. */
    private static final class CachedService {

        private final LinkedHashMap<String, ServiceInstance> byId = new LinkedHashMap<>();
        private long listedAt;
        private List<ServiceInstance> view = List.of();

        /** Replaces everything with a listing; whether the list changed. */
        boolean replace(List<ServiceInstance> instances, long revision) {
            listedAt = revision;
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
