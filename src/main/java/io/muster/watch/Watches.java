package io.muster.watch;

import io.muster.support.DaemonThreads;
import io.muster.MusterProperties;
import io.muster.core.Token;
import io.muster.security.Caller;
import io.muster.security.SecurityProperties;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Opens watch streams on the {@link WatchHub}: checks the starting revision against the retained
 * history and the watcher limits, owns the threads that write to the streams, and sends every stream
 * a progress message each {@code muster.watch.progress-interval} and a heartbeat each
 * {@code muster.watch.heartbeat-interval} (each {@code muster.watch.environment-heartbeat-interval} for an
 * {@link Heartbeat#ENVIRONMENT} stream). Tomcat does not watch the socket of an asynchronous request, so
 * a client that closed its stream is noticed only when a write to it fails (the second write after the
 * close: the first only draws the client's reset): the heartbeat bounds how long a closed stream
 * holds its slot to two of its intervals. Streams remember the token that opened them, for
 * {@code max-watches-per-token} and for the {@link WatchHub} to end them when that token is revoked.
 * Thread-safe.
 */
@Component
public class Watches implements DisposableBean {

    private final WatchHub hub;
    private final WatchMessages messages;
    private final int maxWatchers;
    private final int maxWatchesPerToken;
    /** What a refused stream is told: by then, a closed stream of its token has freed its slot. */
    private final String retryAfterSeconds;
    private final String environmentRetryAfterSeconds;
    /** Open streams by the token that opened them. */
    private final ConcurrentMap<String, AtomicInteger> perToken = new ConcurrentHashMap<>();
    private final ExecutorService senders;
    private final ScheduledExecutorService progress;

    public Watches(WatchHub hub, JsonMapper json, MusterProperties properties, SecurityProperties security) {
        this.hub = hub;
        this.maxWatchesPerToken = security.maxWatchesPerToken();
        this.messages = new WatchMessages(json);
        MusterProperties.Watch settings = properties.watch();
        this.maxWatchers = settings.maxWatchers();
        String node = properties.nodeId();
        this.senders = Executors.newFixedThreadPool(settings.senderThreads(),
                DaemonThreads.numbered("muster-watch-sender-" + node));
        this.progress = Executors.newSingleThreadScheduledExecutor(
                DaemonThreads.named("muster-watch-progress-" + node));
        long period = settings.progressInterval().toMillis();
        progress.scheduleWithFixedDelay(() -> hub.streams().forEach(WatchStream::progress), period, period,
                TimeUnit.MILLISECONDS);
        long heartbeat = settings.heartbeatInterval().toMillis();
        progress.scheduleWithFixedDelay(() -> heartbeats(false), heartbeat, heartbeat, TimeUnit.MILLISECONDS);
        long environmentHeartbeat = settings.environmentHeartbeatInterval().toMillis();
        progress.scheduleWithFixedDelay(() -> heartbeats(true), environmentHeartbeat, environmentHeartbeat,
                TimeUnit.MILLISECONDS);
        this.retryAfterSeconds = Long.toString(Math.max(1, (2 * heartbeat + 999) / 1000));
        this.environmentRetryAfterSeconds = Long.toString(Math.max(1, (2 * environmentHeartbeat + 999) / 1000));
    }

    /** How often a stream is kept alive with a heartbeat comment. */
    public enum Heartbeat {
        /** Each {@code muster.watch.heartbeat-interval}: a {@code /v1/watch} stream. */
        WATCH,
        /**
         * Each {@code muster.watch.environment-heartbeat-interval}: an environment watch, one an application
         * instance and idle nearly always, whose client (the starter's) tolerates 15 s of silence. Every write
         * costs the node CPU per stream; a longer interval only delays noticing a client that went away.
         */
        ENVIRONMENT
    }

    /** Asks for a heartbeat from the {@link Heartbeat#ENVIRONMENT} streams ({@code environment}), or the others. */
    private void heartbeats(boolean environment) {
        for (WatchStream stream : hub.streams()) {
            if (stream.environmentHeartbeats() == environment) {
                stream.heartbeat();
            }
        }
    }

    /**
     * Opens a stream of the changes {@code filter} matches, from {@code fromRevision} on ({@code null}:
     * from the next revision this node applies).
     *
     * @throws ProblemException {@code watch-compacted} (410) when revisions the stream needs are no
     *                          longer retained; {@code too-many-watches} (503) at the watcher limit
     */
    public SseEmitter open(WatchFilter filter, Long fromRevision) {
        long compactedThrough = hub.compactedThrough();
        long from = fromRevision != null ? fromRevision : hub.revision() + 1;
        if (from <= compactedThrough) {
            throw new ProblemException(ProblemType.WATCH_COMPACTED, "revisions up to " + compactedThrough
                    + " are no longer retained and the watch asked for " + from
                    + ": list again, then watch from the list's revision + 1")
                    .with("compactedThrough", compactedThrough).with("revision", hub.revision());
        }
        return admit(opening -> new Watcher(opening, filter, from), Heartbeat.WATCH).emitter();
    }

    /**
     * Opens a stream of any kind that {@code make} builds, counted against the node's and the caller's
     * limits like every watch stream, kept alive with progress and heartbeats as {@code heartbeat} says,
     * ended with {@code closed} when the node stops and with {@code revoked} when the caller's token loses its rights.
     *
     * @throws ProblemException {@code too-many-watches} (503) at the watcher limit; {@code rate-limited}
     *                          (429) when the caller's token holds its most streams
     */
    public <S extends WatchStream> S admit(java.util.function.Function<WatchStream.Opening, S> make,
            Heartbeat heartbeat) {
        String retryAfterSeconds = heartbeat == Heartbeat.ENVIRONMENT ? environmentRetryAfterSeconds
                : this.retryAfterSeconds;
        if (hub.watcherCount() >= maxWatchers) {
            throw new ProblemException(ProblemType.TOO_MANY_WATCHES, "this node serves at most " + maxWatchers
                    + " watches (muster.watch.max-watchers); try another node or later")
                    .withHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        }
        Caller caller = Caller.current();
        Token token = caller == null ? null : caller.token();
        Runnable release = holdSlot(caller, retryAfterSeconds);
        SseEmitter emitter = new SseEmitter(0L);
        S stream;
        try {
            stream = make.apply(new WatchStream.Opening(hub, token, emitter, senders, messages, release, heartbeat));
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
        emitter.onCompletion(stream::close);
        emitter.onError(error -> stream.close());
        emitter.onTimeout(stream::close);
        hub.register(stream);
        stream.wake();
        return stream;
    }

    /**
     * Counts a stream against its caller's token; returns what gives the slot back (once, however
     * often it runs).
     *
     * @throws ProblemException {@code rate-limited} (429, with {@code Retry-After}) when the token holds
     *                          its most streams already
     */
    private Runnable holdSlot(Caller caller, String retryAfterSeconds) {
        String principal = caller == null ? "" : caller.principal();
        AtomicInteger open = perToken.computeIfAbsent(principal, ignored -> new AtomicInteger());
        if (open.incrementAndGet() > maxWatchesPerToken) {
            open.decrementAndGet();
            throw new ProblemException(ProblemType.RATE_LIMITED, "token '" + principal + "' holds "
                    + maxWatchesPerToken + " open watches on this node (muster.security.max-watches-per-token)")
                    .withHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                open.decrementAndGet();
            }
        };
    }

    /**
     * Where a stream starts: after {@code Last-Event-ID} when a reconnecting client sends one, else at
     * {@code fromRevision} ({@code null}: the next revision).
     *
     * @throws ProblemException {@code invalid-request} naming the header or parameter that is malformed
     */
    public static Long startOf(Long fromRevision, String lastEventId) {
        if (lastEventId != null && !lastEventId.isBlank()) {
            try {
                long last = Long.parseLong(lastEventId.strip());
                if (last >= 0) {
                    return last + 1;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new ProblemException(ProblemType.INVALID_REQUEST, "Last-Event-ID must be a revision, not '"
                    + lastEventId + "'").with("field", "Last-Event-ID");
        }
        if (fromRevision != null && fromRevision < 1) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "fromRevision must be at least 1")
                    .with("field", "fromRevision");
        }
        return fromRevision;
    }

    /** Ends every open stream with a final {@code closed} message carrying {@code detail}. */
    void endAll(String detail) {
        hub.streams().forEach(stream -> stream.finish(messages.closed(detail)));
    }

    /**
     * Ends, with a final {@code closed} message carrying {@code detail}, every open stream that
     * {@link WatchStream#endsWhenLeaderless ends when this node hears from no leader}.
     */
    void endLeaderless(String detail) {
        for (WatchStream stream : hub.streams()) {
            if (stream.endsWhenLeaderless()) {
                stream.finish(messages.closed(detail));
            }
        }
    }

    /** Ends every stream with a {@code closed} message, then stops the threads. */
    @Override
    public void destroy() {
        progress.shutdownNow();
        endAll("the node is shutting down: reconnect with Last-Event-ID to another node");
        senders.shutdownNow();
    }
}
