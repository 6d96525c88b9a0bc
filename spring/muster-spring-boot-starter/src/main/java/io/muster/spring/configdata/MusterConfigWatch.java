package io.muster.spring.configdata;

import io.muster.spring.actuate.MusterEndpointContributor;
import io.muster.spring.client.EventStream;
import io.muster.spring.client.InstanceIdentity;
import io.muster.spring.client.MusterClientProperties;
import io.muster.spring.client.MusterContacts;
import io.muster.spring.client.MusterHttpClient;
import io.muster.spring.client.MusterUnavailableException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.cloud.endpoint.event.RefreshEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.env.Environment;
import tools.jackson.databind.JsonNode;

/**
 * Push refresh, level-triggered. Once the application is ready it holds one stream,
 * {@code /v1/config/{names}/environment/watch}, that says which version of its configuration this
 * instance would load now, whenever that changes (and at once if it already differs from what was
 * loaded). When the announced version differs from the loaded one ({@code muster.client.version}) it
 * waits a random time up to {@code muster.client.config.watch.refresh-jitter} and publishes a
 * {@link RefreshEvent}; Spring Cloud's refresh then loads again (from a node that has applied at least
 * the announced revision), rebinds {@code @ConfigurationProperties}, rebuilds {@code @RefreshScope}
 * beans and publishes the changed keys. Afterwards it compares again: a refresh that failed, or that
 * was served before the announced revision, is tried again with a growing wait (capped at 30 s, and
 * never abandoned, since the stream announces a version once); one that loaded a revision at least as
 * new as the announced one is done (a later change is announced in turn).
 *
 * <p>A stream that breaks (its node died, went quiet or shut down) is opened again on the next node
 * with back-off, sending the loaded version: a change made meanwhile is announced as soon as it opens,
 * so nothing is missed and nothing polls. Versions are digests and compared for equality only.
 *
 * <p>Thread-safe: stream callbacks and refreshes run on one scheduler thread of its own.
 */
public class MusterConfigWatch implements SmartApplicationListener, SmartLifecycle, MusterEndpointContributor,
        org.springframework.beans.factory.DisposableBean {

    private static final Log log = LogFactory.getLog(MusterConfigWatch.class);
    private static final int KEPT_REFRESHES = 20;
    /** The longest wait before a refresh that failed, or loaded too old a revision, is tried again. */
    private static final long MAX_RETRY_MILLIS = 30_000;
    /** A stream that lived this long was healthy: the reconnect back-off starts again from its first step. */
    private static final long HEALTHY_MILLIS = 10_000;

    /** One refresh, for the actuator endpoint. */
    public record Refresh(Instant at, String from, String to, Set<String> keys) {
    }

    private final MusterHttpClient client;
    private final Environment environment;
    private final ApplicationContext context;
    private final MusterClientProperties.Watch settings;
    private final MusterContacts contacts;
    private final java.util.concurrent.ScheduledThreadPoolExecutor scheduler = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
            runnable -> {
                Thread thread = new Thread(runnable, "muster-config-watch");
                thread.setDaemon(true);
                return thread;
            });
    private final Deque<Refresh> refreshes = new ArrayDeque<>();
    private final AtomicLong refreshCount = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private volatile boolean running;
    private volatile boolean ready;
    private volatile EventStream stream;
    private volatile String announced;
    private volatile long announcedRevision;
    private long openedAt;
    private int retries;
    private volatile List<String> announcedReleases = List.of();
    private volatile long seenRevision;
    private volatile String lastProblem;
    private volatile ScheduledFuture<?> pendingRefresh;
    private ScheduledFuture<?> pendingOpen;
    private long reconnectDelay;
    /** The keys of the refresh in progress, gathered from {@link EnvironmentChangeEvent}. */
    private volatile Set<String> changedKeys;

    public MusterConfigWatch(MusterHttpClient client, Environment environment, ApplicationContext context,
            MusterClientProperties properties, MusterContacts contacts) {
        this.client = client;
        this.contacts = contacts;
        this.environment = environment;
        this.context = context;
        this.settings = properties.getConfig().getWatch();
        this.reconnectDelay = settings.getReconnectDelay().toMillis();
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    // ---- events ----

    @Override
    public boolean supportsEventType(Class<? extends ApplicationEvent> type) {
        return ApplicationReadyEvent.class.isAssignableFrom(type) || EnvironmentChangeEvent.class.isAssignableFrom(type);
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ApplicationReadyEvent readyEvent && readyEvent.getApplicationContext() == context) {
            ready = true;
            scheduler.execute(this::open);
        } else if (event instanceof EnvironmentChangeEvent change) {
            Set<String> keys = changedKeys;
            if (keys != null) {
                keys.addAll(change.getKeys());
            }
        }
    }

    // ---- the stream ----

    private void open() {
        if (!running || stream != null) {
            return;
        }
        String path = watchPath();
        try {
            stream = client.stream(path, identityHeaders(), settings.getIdleTimeout(), new Listener());
            openedAt = System.nanoTime();
            retries = 0; // a refresh that kept failing is tried again at once when the stream announces its target
            contacts.success();
            lastProblem = null;
            log.debug("Watching " + path + " on " + stream.node());
        } catch (MusterUnavailableException e) {
            contacts.failure(e);
            lastProblem = e.getMessage();
            log.warn("Cannot watch Muster configuration (" + e.getMessage() + "); trying again in " + reconnectDelay
                    + " ms");
            reopenLater();
        }
    }

    private void reopenLater() {
        if (!running) {
            return;
        }
        reconnects.incrementAndGet();
        // Half the step plus a random part: the streams of a node that shut down do not all come back at once.
        long delay = reconnectDelay / 2 + ThreadLocalRandom.current().nextLong(reconnectDelay / 2 + 1);
        reconnectDelay = Math.min(settings.getMaxReconnectDelay().toMillis(), Math.max(1, reconnectDelay * 2));
        pendingOpen = scheduler.schedule(this::open, delay, TimeUnit.MILLISECONDS);
    }

    private final class Listener implements EventStream.Listener {

        @Override
        public void event(EventStream from, String name, String id, String data) {
            scheduler.execute(() -> handle(from, name, data));
        }

        @Override
        public void closed(EventStream from, Throwable failure) {
            scheduler.execute(() -> {
                if (stream != from) {
                    return;
                }
                stream = null;
                if (running) {
                    if (failure != null) {
                        contacts.failure(failure);
                        client.avoid(from.node());
                        lastProblem = from.node() + ": " + failure;
                    }
                    log.info("Muster configuration stream on " + from.node() + " ended"
                            + (failure == null ? "" : " (" + failure + ")") + "; reconnecting");
                    reopenLater();
                }
            });
        }
    }

    private void handle(EventStream from, String name, String data) {
        if (stream != from) {
            return;
        }
        if (System.nanoTime() - openedAt > TimeUnit.MILLISECONDS.toNanos(HEALTHY_MILLIS)) {
            reconnectDelay = settings.getReconnectDelay().toMillis();
        }
        contacts.success();
        JsonNode json = client.json().readTree(data);
        switch (name) {
            case "environment" -> {
                String version = json.path("version").asString("");
                if (version.isEmpty()) {
                    return; // not a version: nothing to compare
                }
                long revision = json.path("revision").asLong();
                client.sawRevision(revision);
                seenRevision = Math.max(seenRevision, revision);
                List<String> releases = new ArrayList<>();
                json.path("releases").forEach(release -> releases.add(release.asString()));
                announcedReleases = List.copyOf(releases);
                announcedRevision = revision;
                announced = version;
                if (!announced.equals(loadedVersion())) {
                    refreshSoon();
                }
            }
            case "progress" -> {
                long revision = json.path("revision").asLong();
                client.sawRevision(revision);
                seenRevision = Math.max(seenRevision, revision);
            }
            case "revoked", "closed", "compacted" -> lastProblem = name + ": " + json.path("detail").asString("");
            default -> {
                // a message kind this client does not know: nothing to do
            }
        }
    }

    // ---- refreshing ----

    private void refreshSoon() {
        if (pendingRefresh != null && !pendingRefresh.isDone()) {
            return; // one refresh is coming: it loads whatever is current then
        }
        long jitter = settings.getRefreshJitter().toMillis();
        long delay = jitter <= 0 ? 0 : ThreadLocalRandom.current().nextLong(jitter + 1);
        pendingRefresh = scheduler.schedule(this::refresh, delay, TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        String target = announced;
        long targetRevision = announcedRevision;
        String before = loadedVersion();
        if (!running || target == null || target.equals(before)) {
            retries = 0;
            return;
        }
        changedKeys = new java.util.concurrent.ConcurrentSkipListSet<>();
        boolean failed = false;
        try {
            context.publishEvent(new RefreshEvent(this, target, "Muster environment " + before + " → " + target));
        } catch (RuntimeException e) {
            failed = true;
            lastProblem = "refresh failed: " + e;
            log.warn("Refreshing to Muster configuration version " + target + " failed", e);
        }
        String after = loadedVersion();
        Set<String> keys = changedKeys;
        changedKeys = null;
        if (after != null && !after.equals(before)) {
            refreshCount.incrementAndGet();
            record(new Refresh(Instant.now(), before, after, Set.copyOf(keys)));
        }
        String latest = announced;
        if (latest == null || latest.equals(after)) {
            retries = 0;
            return;
        }
        if (!failed && announced.equals(target) && loadedRevision() >= targetRevision) {
            // What was loaded is at least as new as what was announced, and differs from it: a later change
            // (which the stream announces in turn), or a caller the stream sees otherwise than the load
            // does. Refreshing again would load the same.
            retries = 0;
            return;
        }
        // The refresh failed, was served before the announced revision, or a newer version came meanwhile: try
        // again, sooner for a newer version, with a growing, capped wait for a failure. Never give up: the
        // stream announces a version once, so a refresh abandoned here would wait for the next change.
        long wait = latest.equals(target) ? Math.min(MAX_RETRY_MILLIS, 200L << Math.min(retries++, 8)) : 0;
        pendingRefresh = scheduler.schedule(this::refresh, wait, TimeUnit.MILLISECONDS);
    }

    private long loadedRevision() {
        return environment.getProperty(MusterConfigDataLoader.REVISION_PROPERTY, Long.class, 0L);
    }

    private synchronized void record(Refresh refresh) {
        refreshes.addFirst(refresh);
        while (refreshes.size() > KEPT_REFRESHES) {
            refreshes.removeLast();
        }
    }

    // ---- what was loaded ----

    /** The version of the configuration loaded now ({@code muster.client.version}). */
    public String loadedVersion() {
        return environment.getProperty(MusterConfigDataLoader.VERSION_PROPERTY);
    }

    private String watchPath() {
        StringBuilder path = new StringBuilder("/v1/config/")
                .append(MusterHttpClient.encode(environment.getProperty(MusterConfigDataLoader.LOADED_NAMES, "application"))
                        .replace("%2C", ","))
                .append("/environment/watch?profiles=")
                .append(MusterHttpClient.encode(environment.getProperty(MusterConfigDataLoader.LOADED_PROFILES, "default")));
        String label = environment.getProperty(MusterConfigDataLoader.LOADED_LABEL);
        if (label != null) {
            path.append("&label=").append(MusterHttpClient.encode(label));
        }
        String version = loadedVersion();
        if (version != null) {
            path.append("&version=").append(MusterHttpClient.encode(version));
        }
        return path.toString();
    }

    private Map<String, String> identityHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        String instance = environment.getProperty(MusterConfigDataLoader.LOADED_INSTANCE);
        String labels = environment.getProperty(MusterConfigDataLoader.LOADED_LABELS);
        if (instance != null) {
            headers.put(InstanceIdentity.INSTANCE_HEADER, instance);
        }
        if (labels != null) {
            headers.put(InstanceIdentity.LABELS_HEADER, labels);
        }
        return headers;
    }

    // ---- for the actuator endpoint and metrics ----

    /** The last refreshes, newest first. */
    public synchronized List<Refresh> refreshes() {
        return List.copyOf(refreshes);
    }

    public long refreshCount() {
        return refreshCount.get();
    }

    public long reconnectCount() {
        return reconnects.get();
    }

    @Override
    public String name() {
        return "config";
    }

    /** What the watch knows, for {@code /actuator/muster} and the health details. */
    @Override
    public Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("version", loadedVersion());
        details.put("revision", environment.getProperty(MusterConfigDataLoader.REVISION_PROPERTY, Long.class));
        String releases = environment.getProperty(MusterConfigDataLoader.RELEASES_PROPERTY, "");
        details.put("releases", releases.isEmpty() ? List.of() : List.of(releases.split(",")));
        EventStream current = stream;
        URI node = current == null ? null : current.node();
        details.put("watch", current == null ? "disconnected" : "connected to " + node);
        details.put("announcedVersion", announced);
        details.put("announcedReleases", announcedReleases);
        if (lastProblem != null) {
            details.put("lastProblem", lastProblem);
        }
        details.put("refreshes", refreshes());
        return details;
    }

    /** The node whose stream this watch reads now; {@code null} while disconnected. */
    public URI node() {
        EventStream current = stream;
        return current == null ? null : current.node();
    }

    /** Whether a refresh is scheduled or running. */
    public boolean refreshPending() {
        ScheduledFuture<?> pending = pendingRefresh;
        return pending != null && !pending.isDone();
    }

    /** The highest revision the stream's messages carried (its progress included). */
    public long seenRevision() {
        return seenRevision;
    }

    // ---- lifecycle ----

    @Override
    public void start() {
        running = true;
        if (ready) {
            scheduler.execute(this::open); // started again after a stop
        }
    }

    /** Closes the stream and drops what was scheduled; {@link #start} opens it again. */
    @Override
    public void stop() {
        running = false;
        java.util.concurrent.Future<?> closed = scheduler.submit(() -> {
            cancel(pendingOpen);
            cancel(pendingRefresh);
            EventStream current = stream;
            stream = null;
            if (current != null) {
                current.close();
            }
        });
        try {
            closed.get(5, TimeUnit.SECONDS); // a refresh in progress finishes first
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("The Muster configuration stream did not close within 5 s", e);
        }
    }

    private static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }

    /** Ends the watch's thread with the context. */
    @Override
    public void destroy() {
        stop();
        scheduler.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
