package io.muster.spring.client;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ends streams that went quiet: a node that hangs, or a network that drops packets, leaves a
 * connection open that carries nothing, where Muster sends a heartbeat at least every few seconds.
 * One daemon thread looks at every open stream once a second.
 */
final class StreamIdleWatch implements AutoCloseable {

    private final Set<EventStream> streams = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "muster-client-stream-watch");
        thread.setDaemon(true);
        return thread;
    });

    StreamIdleWatch() {
        timer.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
    }

    void add(EventStream stream) {
        streams.add(stream);
    }

    private void check() {
        long now = System.nanoTime();
        streams.removeIf(EventStream::isClosed);
        for (EventStream stream : streams) {
            if (stream.idle(now)) {
                stream.fail(new IOException(stream.node() + " sent nothing, not even a heartbeat, for too long"));
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        streams.forEach(EventStream::close);
    }
}
