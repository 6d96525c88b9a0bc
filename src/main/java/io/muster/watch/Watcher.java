package io.muster.watch;

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
 * final {@code compacted} or {@code closed}, after which the stream ends.
 */
final class Watcher {

    private static final int BATCHES_PER_ROUND = 64;

    private final WatchHub hub;
    private final WatchFilter filter;
    private final SseEmitter emitter;
    private final Executor senders;
    private final WatchMessages messages;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean progressDue = true;
    private volatile boolean closed;
    /** The next revision to deliver; only the (single) running drain moves it. */
    private long cursor;

    Watcher(WatchHub hub, WatchFilter filter, long fromRevision, SseEmitter emitter, Executor senders,
            WatchMessages messages) {
        this.hub = hub;
        this.filter = filter;
        this.cursor = fromRevision;
        this.emitter = emitter;
        this.senders = senders;
        this.messages = messages;
    }

    boolean wants(List<ChangeEvent> events) {
        return filter.matchesAny(events);
    }

    /** Asks for a progress message at the next drain, and schedules one. */
    void progress() {
        progressDue = true;
        wake();
    }

    void wake() {
        if (closed || !scheduled.compareAndSet(false, true)) {
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
        try {
            WatchHub.Read read;
            do {
                read = hub.read(cursor, BATCHES_PER_ROUND);
                if (read.compacted()) {
                    finish(messages.compacted(cursor, read.compactedThrough(), hub.revision()));
                    return;
                }
                for (WatchHub.Batch batch : read.batches()) {
                    send(batch);
                }
                cursor = read.throughRevision() + 1;
            } while (read.batches().size() == BATCHES_PER_ROUND);
            if (progressDue) {
                progressDue = false;
                emitter.send(messages.progress(cursor - 1));
            }
        } catch (IOException | IllegalStateException e) {
            close(); // the client went away, or the stream was already completed
            return;
        } finally {
            scheduled.set(false);
        }
        if (hub.hasAfter(cursor)) {
            wake(); // something arrived after the last read and before the flag dropped
        }
    }

    private void send(WatchHub.Batch batch) throws IOException {
        List<ChangeEvent> matching = new ArrayList<>(batch.events().size());
        for (ChangeEvent event : batch.events()) {
            if (filter.matches(event)) {
                matching.add(event);
            }
        }
        if (matching.isEmpty()) {
            return;
        }
        emitter.send(matching.size() == batch.events().size() ? messages.change(batch)
                : messages.change(batch.revision(), matching));
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

    void close() {
        if (!closed) {
            closed = true;
            hub.unregister(this);
            try {
                emitter.complete();
            } catch (IllegalStateException e) {
                // completed already
            }
        }
    }
}
