package io.muster.spring.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import tools.jackson.databind.json.JsonMapper;

/**
 * One Server-Sent-Events stream from a Muster node, read without a thread of its own: the JDK HTTP
 * client hands each line to this parser, which gives the listener each complete event. Comments
 * (heartbeats) only mark the stream alive.
 *
 * <p>Thread-safe: lines arrive in order on the client's threads; {@link #close} may come from anywhere,
 * and the listener hears {@link Listener#closed} exactly once.
 */
public final class EventStream implements AutoCloseable {

    /** What a stream's owner hears. */
    public interface Listener {

        /** One event: its name ({@code message} when none), its id ({@code null} when none) and its data. */
        void event(EventStream stream, String name, String id, String data);

        /**
         * The stream ended: {@code failure} is {@code null} when the node ended it (or {@link #close} did),
         * else what broke it.
         */
        void closed(EventStream stream, Throwable failure);
    }

    /** The most an event's data may hold: Muster's are small; more means the other end is not Muster. */
    static final int MAX_EVENT_CHARS = 1 << 20;

    /** How an open went: accepted, or refused with an answer. */
    record Opened(boolean accepted, Response refusal) {
    }

    private final URI node;
    private final Listener listener;
    private final long idleNanos;
    private final JsonMapper json;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Flow.Subscription subscription;
    private volatile CompletableFuture<HttpResponse<byte[]>> exchange;
    private volatile long lastActivity = System.nanoTime();
    private String name;
    private String id;
    private StringBuilder data;

    EventStream(URI node, Listener listener, Duration idleTimeout, JsonMapper json) {
        this.node = node;
        this.listener = listener;
        this.idleNanos = idleTimeout.toNanos();
        this.json = json;
    }

    /** The node this stream reads from. */
    public URI node() {
        return node;
    }

    Opened open(HttpClient http, HttpRequest request, Duration timeout) throws IOException, InterruptedException {
        CompletableFuture<Void> accepted = new CompletableFuture<>();
        exchange = http.sendAsync(request, info -> {
            if (info.statusCode() == 200) {
                accepted.complete(null);
                return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.fromLineSubscriber(new Lines()),
                        ignored -> (byte[]) null);
            }
            return HttpResponse.BodySubscribers.ofByteArray();
        });
        try {
            CompletableFuture.anyOf(accepted, exchange).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new IOException("no answer within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause);
        }
        if (accepted.isDone()) {
            exchange.whenComplete((response, failure) -> end(failure));
            return new Opened(true, null);
        }
        HttpResponse<byte[]> refused = exchange.join();
        return new Opened(false, new Response(refused.statusCode(), refused.headers(), refused.body(), node, json));
    }

    /** Whether nothing, not even a heartbeat, arrived for longer than the idle timeout. */
    boolean idle(long now) {
        return !closed.get() && now - lastActivity > idleNanos;
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Ends the stream as broken (an idle one, say). */
    void fail(Throwable failure) {
        if (!closed.get()) {
            end(failure); // first: cancelling makes the exchange fail with a cause of its own
            cancel();
        }
    }

    @Override
    public void close() {
        end(null);
        cancel();
    }

    private void cancel() {
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
        CompletableFuture<HttpResponse<byte[]>> running = exchange;
        if (running != null) {
            running.cancel(true);
        }
    }

    private void end(Throwable failure) {
        if (failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        if (closed.compareAndSet(false, true)) {
            listener.closed(this, failure);
        }
    }

    private void line(String line) {
        lastActivity = System.nanoTime();
        if (line.isEmpty()) {
            if (data != null) {
                String eventName = name == null ? "message" : name;
                String eventData = data.toString();
                String eventId = id;
                name = null;
                data = null;
                if (!closed.get()) {
                    listener.event(this, eventName, eventId, eventData);
                }
            }
            name = null;
            return;
        }
        if (line.charAt(0) == ':') {
            return; // a comment: a heartbeat
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> name = value;
            case "id" -> id = value;
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
                if (data.length() > MAX_EVENT_CHARS) {
                    data = null;
                    fail(new java.io.IOException(node + " sent an event of more than " + MAX_EVENT_CHARS + " characters"));
                }
            }
            default -> {
                // retry and unknown fields are ignored, as the specification says
            }
        }
    }

    /** The body's lines, as the HTTP client delivers them. */
    private final class Lines implements Flow.Subscriber<String> {

        @Override
        public void onSubscribe(Flow.Subscription given) {
            subscription = given;
            if (closed.get()) {
                given.cancel();
            } else {
                given.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(String item) {
            line(item);
        }

        @Override
        public void onError(Throwable throwable) {
            end(throwable);
        }

        @Override
        public void onComplete() {
            end(null);
        }
    }
}
