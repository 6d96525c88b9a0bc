package io.muster.spring.client;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.json.JsonMapper;

/**
 * Muster's REST API as an application reaches it: a bearer token, JSON bodies, and fail-over across
 * the configured nodes. A request goes to the node that answered last; when that node cannot be
 * reached, or answers 502, 503 or 504 (a node cut off from the majority, say), the request goes to
 * the next one, round the list once. Streams ({@link #stream}) are opened the same way.
 *
 * <p>It remembers the highest revision any answer carried, so that what an application reads after
 * a fail-over is never older than what it read before ({@code minRevision}).
 *
 * <p>Thread-safe. One per application context (the configuration data loader makes it and hands it to
 * the context, so both use the same one).
 */
public final class MusterHttpClient implements AutoCloseable {

    public static final String REVISION_HEADER = "X-Muster-Revision";

    private final List<URI> urls;
    private final String token;
    private final Duration readTimeout;
    private final HttpClient http;
    /** The HTTP client's threads, daemons of this client's own (Java 17 has no HttpClient.shutdownNow). */
    private final java.util.concurrent.ExecutorService executor;
    private final JsonMapper json = JsonMapper.builder().build();
    private final AtomicInteger preferred = new AtomicInteger();
    private final AtomicLong lastRevision = new AtomicLong();
    /** Made with the first stream: a client that only sends requests (the loader's, say) starts no thread for it. */
    private StreamIdleWatch idleWatch;
    private boolean closed;

    public MusterHttpClient(List<URI> urls, String token, Duration connectTimeout, Duration readTimeout) {
        if (urls == null || urls.isEmpty()) {
            throw new IllegalArgumentException("muster.client.url names no Muster node");
        }
        this.urls = urls.stream().map(MusterHttpClient::withoutTrailingSlash).toList();
        this.token = token == null || token.isBlank() ? null : token.trim();
        this.readTimeout = readTimeout;
        this.executor = java.util.concurrent.Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "muster-client-http");
            thread.setDaemon(true);
            return thread;
        });
        this.http = HttpClient.newBuilder().executor(executor).version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public static MusterHttpClient of(MusterClientProperties properties) {
        return new MusterHttpClient(properties.getUrl(), properties.getToken(), properties.getConnectTimeout(),
                properties.getReadTimeout());
    }

    private static URI withoutTrailingSlash(URI url) {
        String text = url.toString();
        return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : url;
    }

    /** The nodes, in the order they are tried. */
    public List<URI> urls() {
        return urls;
    }

    /** The node that answered last (the first before any did). */
    public URI current() {
        return urls.get(Math.floorMod(preferred.get(), urls.size()));
    }

    /** The highest revision an answer carried so far (0 before any). */
    public long lastRevision() {
        return lastRevision.get();
    }

    /** Notes a revision read elsewhere (a stream's event, say). */
    public void sawRevision(long revision) {
        lastRevision.accumulateAndGet(revision, Math::max);
    }

    public JsonMapper json() {
        return json;
    }

    /** A GET of {@code pathAndQuery} (from {@code /v1/...}). */
    public Response get(String pathAndQuery, Map<String, String> headers) {
        return send("GET", pathAndQuery, null, headers);
    }

    /**
     * Sends a request to the first node that answers it. {@code body}, when not {@code null}, is written
     * as JSON.
     *
     * @throws MusterUnavailableException when no node could be reached or every one answered 502-504
     */
    public Response send(String method, String pathAndQuery, Object body, Map<String, String> headers) {
        byte[] content = body == null ? null : json.writeValueAsBytes(body);
        int start = preferred.get();
        List<String> failures = new ArrayList<>(urls.size());
        Response unavailable = null;
        for (int attempt = 0; attempt < urls.size(); attempt++) {
            int index = Math.floorMod(start + attempt, urls.size());
            URI node = urls.get(index);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node + pathAndQuery)).timeout(readTimeout)
                    .method(method, content == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(content));
            if (content != null) {
                request.header("Content-Type", "application/json");
            }
            decorate(request, headers);
            try {
                HttpResponse<byte[]> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                Response response = new Response(answer.statusCode(), answer.headers(), answer.body(), node, json);
                if (response.status() >= 502 && response.status() <= 504) {
                    unavailable = response;
                    failures.add(node + " answered " + response.status() + " " + response.problemDetail());
                    continue;
                }
                preferred.set(index);
                response.revision().ifPresent(this::sawRevision);
                return response;
            } catch (IOException e) {
                failures.add(node + ": " + describe(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MusterUnavailableException(node, "interrupted while waiting for " + node, null, e);
            }
        }
        throw new MusterUnavailableException(current(), "no Muster node answered " + method + " " + pathAndQuery + ": "
                + String.join("; ", failures), unavailable, null);
    }

    /**
     * Opens a Server-Sent-Events stream on the first node that accepts it (answers 200). The listener
     * hears its events on the HTTP client's threads, then exactly one {@link EventStream.Listener#closed}.
     * A stream that carries nothing, not even a heartbeat, for {@code idleTimeout} is closed as broken.
     *
     * @throws MusterUnavailableException when no node accepted the stream; {@link Response} of the last
     *                                    refusal is in it (a 4xx is not retried on another node)
     */
    public EventStream stream(String pathAndQuery, Map<String, String> headers, Duration idleTimeout,
            EventStream.Listener listener) {
        int start = preferred.get();
        List<String> failures = new ArrayList<>(urls.size());
        Response refused = null;
        for (int attempt = 0; attempt < urls.size(); attempt++) {
            int index = Math.floorMod(start + attempt, urls.size());
            URI node = urls.get(index);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node + pathAndQuery))
                    .header("Accept", "text/event-stream").GET();
            decorate(request, headers);
            EventStream stream = new EventStream(node, listener, idleTimeout, json);
            try {
                EventStream.Opened opened = stream.open(http, request.build(), readTimeout);
                if (opened.accepted()) {
                    preferred.set(index);
                    idleWatch().add(stream);
                    return stream;
                }
                refused = opened.refusal();
                failures.add(node + " answered " + refused.status() + " " + refused.problemDetail());
                if (refused.status() < 500 && refused.status() != 429) {
                    break; // the request itself is wrong (or not allowed): another node says the same
                }
            } catch (IOException e) {
                failures.add(node + ": " + describe(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MusterUnavailableException(node, "interrupted while opening a stream on " + node, null, e);
            }
            preferred.compareAndSet(index, index + 1);
        }
        throw new MusterUnavailableException(current(), "no Muster node opened the stream " + pathAndQuery + ": "
                + String.join("; ", failures), refused, null);
    }

    /** Moves the preference past {@code node} (its stream broke, say), so the next request tries another first. */
    public void avoid(URI node) {
        int index = urls.indexOf(node);
        if (index >= 0) {
            preferred.compareAndSet(index, index + 1);
        }
    }

    private void decorate(HttpRequest.Builder request, Map<String, String> headers) {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (headers != null) {
            headers.forEach(request::header);
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : " " + message);
    }

    /** {@code value} encoded for a query string. */
    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private synchronized StreamIdleWatch idleWatch() {
        if (idleWatch == null) {
            if (closed) {
                throw new IllegalStateException("this Muster client is closed");
            }
            idleWatch = new StreamIdleWatch();
        }
        return idleWatch;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (idleWatch != null) {
                idleWatch.close();
            }
        }
        executor.shutdownNow();
    }
}
