package io.muster.watch;

import io.muster.core.Token;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One open watch stream of the change history: a filter and a cursor into the {@link WatchHub}'s
 * history. It holds no events of its own; its drains ({@link WatchStream}) go out in revision order.
 *
 * <p>Messages: {@code change} (id = revision; every matching event of that revision), {@code progress}
 * (id = the revision the stream has reached; sent at start and every progress interval), and the
 * final {@code compacted}, {@code revoked} or {@code closed}, after which the stream ends. Each
 * heartbeat also writes an SSE comment (unless that drain sends a change anyway): Tomcat does not watch
 * the socket of an asynchronous request, so only a failed write reveals a client that went away.
 *
 * <p>Once the token that opened it is revoked or no longer allows the filter ({@code revoke}, from
 * apply), the drain delivers nothing at or after the revocation's revision: it compares each batch's
 * revision with it, so the cut-off holds in revision order however far behind the sender thread is.
 */
final class Watcher extends WatchStream {

    private static final int BATCHES_PER_ROUND = 64;

    private final WatchFilter filter;
    /** The next revision to deliver; only the (single) running drain moves it. */
    private long cursor;

    Watcher(Opening opening, WatchFilter filter, long fromRevision) {
        super(opening);
        this.filter = filter;
        this.cursor = fromRevision;
    }

    boolean wants(List<ChangeEvent> events) {
        return filter.matchesAny(events);
    }

    WatchFilter filter() {
        return filter;
    }

    @Override
    protected String denial(Token now) {
        return filter.denial(now);
    }

    @Override
    protected boolean pending() {
        return hub().hasAfter(cursor);
    }

    @Override
    protected boolean deliver() throws IOException {
        boolean sent = false;
        WatchHub.Read read;
        do {
            read = hub().read(cursor, BATCHES_PER_ROUND);
            if (read.compacted()) {
                finish(messages().compacted(cursor, read.compactedThrough(), hub().revision()));
                return false;
            }
            for (WatchHub.Batch batch : read.batches()) {
                Revocation ending = revocation();
                if (ending != null && ending.forbids(batch.revision())) {
                    finish(messages().revoked(ending));
                    return false;
                }
                sent |= send(batch);
            }
            cursor = read.throughRevision() + 1;
        } while (read.batches().size() == BATCHES_PER_ROUND);
        // everything before a revocation's revision that was here went out
        return sendDue(sent, cursor - 1);
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
        send(matching.size() == batch.events().size() ? messages().change(batch)
                : messages().change(batch.revision(), matching));
        return true;
    }
}
