package io.muster.cluster;

import io.muster.core.Access;
import io.muster.core.Role;
import io.muster.core.Token;
import io.muster.watch.WatchStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One {@code /v1/cluster/watch} stream: it sends the newest {@code status} message {@link ClusterWatches}
 * handed it (id: the applied index it reflects), then the progress, heartbeat, {@code closed} and
 * {@code revoked} every stream gets. It holds one message at most: a client slower than the messages
 * gets the newest, never a backlog.
 */
final class ClusterStream extends WatchStream {

    private final ClusterWatches watches;
    /** The message to send next; {@code null} when the last one went out. */
    private final AtomicReference<ClusterWatches.Message> next;
    /** The applied index of the last message sent (the drain's alone): what progress reports. */
    private long reached;

    ClusterStream(Opening opening, ClusterWatches watches, ClusterWatches.Message first) {
        super(opening);
        this.watches = watches;
        this.next = new AtomicReference<>(first);
    }

    /** Replaces whatever is not sent yet with {@code message}, and schedules a drain; never blocks. */
    void offer(ClusterWatches.Message message) {
        next.set(message);
        wake();
    }

    /** Cluster status holds no key data: any reader may follow it, one confined to key prefixes too. */
    @Override
    protected String denial(Token now) {
        return Access.require(now, Role.READER);
    }

    @Override
    protected boolean pending() {
        return next.get() != null;
    }

    @Override
    protected boolean deliver() throws IOException {
        boolean sent = false;
        ClusterWatches.Message message = revoked() ? null : next.getAndSet(null);
        if (message != null) {
            sendJson("status", message.appliedIndex(), message.json());
            reached = Math.max(reached, message.appliedIndex());
            sent = true;
        }
        return sendDue(sent, reached);
    }

    /** A node cut off from its leader still knows its own status, and this stream is how it says so. */
    @Override
    protected boolean endsWhenLeaderless() {
        return false;
    }

    @Override
    protected void onClosed() {
        watches.leave(this);
    }
}
