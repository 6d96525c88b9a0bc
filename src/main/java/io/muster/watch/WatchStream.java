package io.muster.watch;

import io.muster.core.Token;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * One open Server-Sent-Event stream on this node, of any kind: a {@link Watcher} of the change history,
 * or a stream of another feature that {@link Watches#admit admitted} (the environment watch). What they
 * share lives here: a wake-up schedules one drain on the sender threads and drains of one stream never
 * overlap; every stream gets {@code progress} at its start and every progress interval, a heartbeat
 * comment every heartbeat interval (unless that drain sent something anyway), a final {@code closed}
 * when the node stops and a final {@code revoked} when the token that opened it loses its rights; and
 * closing it, however noticed, gives its slot back once.
 *
 * <p>Thread-safe: the flags are atomic or volatile; {@link #deliver} runs on one sender thread at a time.
 */
public abstract class WatchStream {

    /** Where the stream writes, who opened it and how it gives its slot back. */
    private final Opening opening;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean progressDue = true;
    private volatile boolean heartbeatDue;
    /** Set once (the first one stays) when the token lost its rights. */
    private volatile Revocation revocation;

    /** What {@link Watches} gives a stream it admitted; opaque outside this package. */
    public static final class Opening {
        private final WatchHub hub;
        /** The token that opened the stream; {@code null} on a node with security off. */
        private final Token token;
        private final SseEmitter emitter;
        private final Executor senders;
        private final WatchMessages messages;
        /** Gives the stream's slot back; runs once, when the stream closes. */
        private final Runnable onClose;
        private final Watches.Heartbeat heartbeat;

        Opening(WatchHub hub, Token token, SseEmitter emitter, Executor senders, WatchMessages messages,
                Runnable onClose, Watches.Heartbeat heartbeat) {
            this.hub = hub;
            this.token = token;
            this.emitter = emitter;
            this.senders = senders;
            this.messages = messages;
            this.onClose = onClose;
            this.heartbeat = heartbeat;
        }
    }

    protected WatchStream(Opening opening) {
        this.opening = opening;
    }

    /** The emitter a controller returns. */
    public final SseEmitter emitter() {
        return opening.emitter;
    }

    final Token token() {
        return opening.token;
    }

    final WatchHub hub() {
        return opening.hub;
    }

    final WatchMessages messages() {
        return opening.messages;
    }

    /**
     * Returns why {@code now}, the token that opened the stream as it now is, may not read what the
     * stream follows, or {@code null} when it may: the checks made when the stream opened, asked again.
     */
    protected abstract String denial(Token now);

    /**
     * Sends what is due; returns whether the stream is still open. Ends with {@link #sendDue}, which
     * sends the final {@code revoked}, a progress or a heartbeat.
     */
    protected abstract boolean deliver() throws IOException;

    /** Whether something arrived that the drain now ending may have missed (checked after each drain). */
    protected abstract boolean pending();

    /**
     * Whether the stream gets its heartbeats each {@code muster.watch.environment-heartbeat-interval} rather
     * than each {@code muster.watch.heartbeat-interval} (see {@link Watches.Heartbeat}).
     */
    final boolean environmentHeartbeats() {
        return opening.heartbeat == Watches.Heartbeat.ENVIRONMENT;
    }

    /** Called once when the stream closes, after its slot was given back. */
    protected void onClosed() {
    }

    /**
     * Whether the stream ends (with {@code closed}) while this node hears from no leader
     * ({@link LeaderlessWaits}): yes for a stream of changes, which no change can reach then, so that its
     * client resumes on another node. A stream of this node's own status says no: the lost leader is its
     * news.
     */
    protected boolean endsWhenLeaderless() {
        return true;
    }

    /**
     * Ends the stream at {@code revocation}: the last message says why. Never blocks (apply calls it); a
     * second revocation does not move the first.
     */
    final void revoke(Revocation revocation) {
        synchronized (this) {
            if (this.revocation != null) {
                return;
            }
            this.revocation = revocation;
        }
        wake();
    }

    final Revocation revocation() {
        return revocation;
    }

    /** Whether the token that opened the stream lost its rights: the next {@link #sendDue} ends it. */
    protected final boolean revoked() {
        return revocation != null;
    }

    /**
     * Checks the token against the applied state now and, when it may no longer read what the stream
     * follows, revokes the stream; returns whether it is revoked. For a stream that reads the state
     * itself: a revoke applied just before its read has not always reached it yet.
     */
    protected final boolean revokedNow() {
        Revocation now = opening.hub.revocationNow(opening.token, this::denial);
        if (now != null) {
            revoke(now);
        }
        return revocation != null;
    }

    /** Asks for a progress message at the next drain, and schedules one. */
    final void progress() {
        progressDue = true;
        wake();
    }

    /**
     * Asks for a heartbeat at the next drain, unless that drain sends a message anyway. Every stream gets
     * one, busy or not: the second write after a client closed is the one that fails, so a stream that
     * skipped heartbeats while it was busy would hold its slot longer.
     */
    final void heartbeat() {
        heartbeatDue = true;
        wake();
    }

    /** Schedules a drain on the sender threads, unless one is scheduled already (so wake-ups coalesce). */
    protected final void wake() {
        if (closed.get() || !scheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            opening.senders.execute(this::drain);
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
        if (open && (revocation != null || pending())) {
            wake(); // something arrived after the last read and before the flag dropped
        }
    }

    /**
     * The end of every drain: the final {@code revoked} when the token lost its rights, else the progress
     * message ({@code revision} the stream has reached) when one is due, else a heartbeat when one is due
     * and nothing was {@code sent}. Returns whether the stream is still open.
     */
    protected final boolean sendDue(boolean sent, long revision) throws IOException {
        Revocation ending = revocation;
        if (ending != null) {
            finish(opening.messages.revoked(ending));
            return false;
        }
        if (progressDue) {
            progressDue = false;
            opening.emitter.send(opening.messages.progress(revision));
        } else if (heartbeatDue && !sent) {
            opening.emitter.send(opening.messages.heartbeat());
        }
        heartbeatDue = false;
        return true;
    }

    /** Sends one message: its event name, its id and its data as JSON. */
    protected final void send(String event, long id, Object data) throws IOException {
        opening.emitter.send(opening.messages.event(event, id, data));
    }

    /** Sends one message whose data is JSON made already (once for many streams). */
    protected final void sendJson(String event, long id, String json) throws IOException {
        opening.emitter.send(opening.messages.eventJson(event, id, json));
    }

    final void send(SseEmitter.SseEventBuilder message) throws IOException {
        opening.emitter.send(message);
    }

    /** Sends a last message and ends the stream. */
    final void finish(SseEmitter.SseEventBuilder last) {
        try {
            opening.emitter.send(last);
        } catch (IOException | IllegalStateException e) {
            // the client is gone already; ending the stream is all that is left
        }
        close();
    }

    /**
     * Ends the stream and gives its slot back at once, whoever noticed first: a failed write, or the
     * emitter's completion, error or timeout callback.
     */
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            opening.hub.unregister(this);
            opening.onClose.run();
            onClosed();
            try {
                opening.emitter.complete();
            } catch (IllegalStateException e) {
                // completed already
            }
        }
    }
}
