package io.muster.watch;

import io.muster.core.Token;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * One open watch stream: a filter, a cursor into the {@link WatchHub}'s history and an SSE emitter.
 * It holds no events of its own. A wake-up schedules one drain on the sender executor; drains of one
 * watcher never overlap, so its messages go out in revision order.
 *
 * <p>Messages: {@code change} (id = revision; every matching event of that revision), {@code progress}
 * (id = the revision the stream has reached; sent at start and every progress interval), and the
 * final {@code compacted}, {@code revoked} or {@code closed}, after which the stream ends. Each
 * heartbeat also writes an SSE comment (unless that drain sends a change anyway): Tomcat does not watch
 * the socket of an asynchronous request, so only a failed write reveals a client that went away.
 *
 * <p>It remembers the token that opened it. Once that token is revoked or no longer allows the filter
 * ({@link #revoke}, from apply), the drain delivers nothing at or after the revocation's revision: it
 * compares each batch's revision with it, so the cut-off holds in revision order however far behind
 * the sender thread is.
 */
final class Watcher {

    private static final int BATCHES_PER_ROUND = 64;

    private final WatchHub hub;
    private final WatchFilter filter;
    /** The token that opened the stream; {@code null} on a node with security off. */
    private final Token token;
    private final SseEmitter emitter;
    private final Executor senders;
    private final WatchMessages messages;
    /** Gives the stream's slot back; runs once, when the stream closes. */
    private final Runnable onClose;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean progressDue = true;
    private volatile boolean heartbeatDue;
    /** Set once (the first one stays) when the token lost its rights. */
    private volatile Revocation revocation;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The next revision to deliver; only the (single) running drain moves it. */
    private long cursor;

    Watcher(WatchHub hub, WatchFilter filter, Token token, long fromRevision, SseEmitter emitter, Executor senders,
            WatchMessages messages, Runnable onClose) {
        this.hub = hub;
        this.filter = filter;
        this.token = token;
        this.cursor = fromRevision;
        this.emitter = emitter;
        this.senders = senders;
        this.messages = messages;
        this.onClose = onClose;
    }

    boolean wants(List<ChangeEvent> events) {
        return filter.matchesAny(events);
    }

    WatchFilter filter() {
        return filter;
    }

    Token token() {
        return token;
    }

    /**
     * Ends the stream at {@code revocation}: nothing at or after its revision goes out, and the last
     * message says why. Never blocks (apply calls it); a second revocation does not move the first.
     */
    void revoke(Revocation revocation) {
        synchronized (this) {
            if (this.revocation != null) {
                return;
            }
            this.revocation = revocation;
        }
        wake();
    }

    /** Asks for a progress message at the next drain, and schedules one. */
    void progress() {
        progressDue = true;
        wake();
    }

    /**
     * Asks for a heartbeat at the next drain, unless that drain sends a message anyway. Every stream gets
     * one, busy or not: the second write after a client closed is the one that fails, so a stream that
     * skipped heartbeats while it was busy would hold its slot longer.
     */
    void heartbeat() {
        heartbeatDue = true;
        wake();
    }

    void wake() {
        if (closed.get() || !scheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            senders.execute(this::drain);
        } catch (RejectedExecutionException e) {
            scheduled.set(false);
            close();
        }
    }

    private void drain() {
        boolean open;
        try {
            open = deliver();
        } catch (IOException | IllegalStateException e) {
            close(); // the client went away, or the stream was already completed
            return;
        } finally {
            scheduled.set(false);
        }
        if (open && (revocation != null || hub.hasAfter(cursor))) {
            wake(); // something arrived after the last read and before the flag dropped
        }
    }

    /** Sends what is due; returns whether the stream is still open. */
    private boolean deliver() throws IOException {
        boolean sent = false;
        WatchHub.Read read;
        do {
            read = hub.read(cursor, BATCHES_PER_ROUND);
            if (read.compacted()) {
                finish(messages.compacted(cursor, read.compactedThrough(), hub.revision()));
                return false;
            }
            for (WatchHub.Batch batch : read.batches()) {
                Revocation ending = revocation;
                if (ending != null && ending.forbids(batch.revision())) {
                    finish(messages.revoked(ending));
                    return false;
                }
                sent |= send(batch);
            }
            cursor = read.throughRevision() + 1;
        } while (read.batches().size() == BATCHES_PER_ROUND);
        Revocation ending = revocation;
        if (ending != null) {
            finish(messages.revoked(ending)); // everything before its revision that was here went out
            return false;
        }
        if (progressDue) {
            progressDue = false;
            emitter.send(messages.progress(cursor - 1));
        } else if (heartbeatDue && !sent) {
            emitter.send(messages.heartbeat());
        }
        heartbeatDue = false;
        return true;
    }

    /** Sends the events of {@code batch} that the filter matches; returns whether there were any. */
    private boolean send(WatchHub.Batch batch) throws IOException {
        List<ChangeEvent> matching = new ArrayList<>(batch.events().size());
        for (ChangeEvent event : batch.events()) {
            if (filter.matches(event)) {
                matching.add(event);
            }
        }
        if (matching.isEmpty()) {
            return false;
        }
        emitter.send(matching.size() == batch.events().size() ? messages.change(batch)
                : messages.change(batch.revision(), matching));
        return true;
    }

    /** Sends a last message and ends the stream. */
    void finish(SseEmitter.SseEventBuilder last) {
        try {
            emitter.send(last);
        } catch (IOException | IllegalStateException e) {
            // the client is gone already; ending the stream is all that is left
        }
        close();
    }

    /**
     * Ends the stream and gives its slot back at once, whoever noticed first: a failed write here, or
     * the emitter's completion, error or timeout callback.
     */
    void close() {
        if (closed.compareAndSet(false, true)) {
            hub.unregister(this);
            onClose.run();
            try {
                emitter.complete();
            } catch (IllegalStateException e) {
                // completed already
            }
        }
    }
}
