package io.muster.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Server-Sent-Event client for tests: reads the stream on its own thread and queues each message;
 * the end of the stream is queued as {@link #END}.
 */
final class SseStream implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One message: its id (null if none), event name and data. */
    record Message(String id, String event, String data) {

        JsonNode json() {
            return JSON.readTree(data);
        }

        long revision() {
            return Long.parseLong(id);
        }
    }

    static final Message END = new Message(null, "end-of-stream", "");

    private final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    private final int status;
    private final InputStream body;
    private final Thread reader;

    private SseStream(HttpResponse<InputStream> response) {
        this.status = response.statusCode();
        this.body = response.body();
        this.reader = new Thread(this::read, "sse-test-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Opens the stream; while the admin token is not yet in force on a node just started, tries again (as {@link Http} does). */
    static SseStream open(String url, String... headers) {
        HttpRequest request = Http.request(url, headers).timeout(java.time.Duration.ofDays(1))
                .header("Accept", "text/event-stream").GET().build();
        return new SseStream(Http.exchange(request, HttpResponse.BodyHandlers.ofInputStream()));
    }

    /** Reads a response already received (its status checked by the caller). */
    static SseStream reading(HttpResponse<InputStream> response) {
        return new SseStream(response);
    }

    int status() {
        return status;
    }

    /** The next message, {@link #END} once the stream ended; fails after {@code timeout}. */
    Message next(Duration timeout) {
        try {
            Message message = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (message == null) {
                throw new AssertionError("no SSE message within " + timeout);
            }
            return message;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next message, {@link #END} once the stream ended, or {@code null} if none came within {@code timeout}. */
    Message poll(Duration timeout) throws InterruptedException {
        return messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next message named {@code event} (skipping others), or {@link #END}. */
    Message next(String event, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Message message = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (message == END || message.event().equals(event)) {
                return message;
            }
        }
    }

    /**
     * The next message named {@code event} within {@code wait} (skipping others), {@link #END} if the
     * stream ends first, or {@code null} when none came: for proving that something is not sent.
     */
    Message within(String event, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            Message message;
            try {
                message = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (AssertionError quiet) {
                return null;
            }
            if (message == END || message.event().equals(event)) {
                return message;
            }
        }
        return null;
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String event = "message";
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        messages.add(new Message(id, event, data.toString()));
                    }
                    id = null;
                    event = "message";
                    data.setLength(0);
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(data.length() > 0 ? "\n" : "").append(line.substring(5).strip());
                }
            }
        } catch (IOException e) {
            // the stream was cut: the same as its end for the reader
        }
        messages.add(END);
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException e) {
            // closing anyway
        }
        reader.interrupt();
    }
}
