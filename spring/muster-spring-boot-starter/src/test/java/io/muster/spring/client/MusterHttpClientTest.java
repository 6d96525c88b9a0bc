package io.muster.spring.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's fail-over and its SSE reader, against JDK HTTP servers that stand in for Muster nodes
 * (a seam: the acceptance tests use real nodes).
 */
class MusterHttpClientTest {

    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(server -> server.stop(0));
    }

    private URI serve(String path, Handler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(path, exchange -> {
            try {
                handler.handle(exchange);
            } finally {
                exchange.close();
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        servers.add(server);
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("X-Muster-Revision", "42");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static URI closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }

    private static MusterHttpClient client(URI... urls) {
        return new MusterHttpClient(List.of(urls), "secret", Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void aRequestFailsOverPastAnUnreachableNodeAndAUnavailableOneAndSticksToTheOneThatAnswered() throws Exception {
        List<String> tokens = new CopyOnWriteArrayList<>();
        URI unavailable = serve("/", exchange -> answer(exchange, 503,
                "{\"type\":\"https://muster.io/problems/no-leader\",\"detail\":\"no leader\"}"));
        URI answering = serve("/", exchange -> {
            tokens.add(exchange.getRequestHeaders().getFirst("Authorization"));
            answer(exchange, 200, "{\"ok\":true}");
        });
        try (MusterHttpClient client = client(closedPort(), unavailable, answering)) {
            Response response = client.get("/v1/anything", Map.of());
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.node()).isEqualTo(answering);
            assertThat(client.current()).isEqualTo(answering);
            assertThat(client.lastRevision()).isEqualTo(42);
            assertThat(tokens).containsExactly("Bearer secret");
        }
    }

    @Test
    void aRefusalIsAnsweredNotFailedOverAndNoNodeAtAllNamesEachNode() throws Exception {
        URI refusing = serve("/", exchange -> answer(exchange, 401,
                "{\"type\":\"https://muster.io/problems/unauthorized\",\"title\":\"Unauthorized\",\"detail\":\"bad token\"}"));
        try (MusterHttpClient client = client(refusing)) {
            Response response = client.get("/v1/x", Map.of());
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.problemType()).isEqualTo("unauthorized");
            assertThat(response.problemDetail()).isEqualTo("bad token");
        }
        URI first = closedPort();
        URI second = closedPort();
        try (MusterHttpClient client = client(first, second)) {
            MusterUnavailableException failure = catchThrowableOfType(MusterUnavailableException.class,
                    () -> client.get("/v1/x", Map.of()));
            assertThat(failure.getMessage()).contains(first.toString(), second.toString());
            assertThat(failure.status()).isEqualTo(-1);
        }
    }

    @Test
    void aStreamDeliversEventsAcrossChunksIgnoresCommentsAndEndsOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        URI node = serve("/v1/stream", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            write(out, ":\n\nevent: environment\nid: 7\ndata: {\"version\":\"a\",");
            write(out, "\"revision\":7}\n\n");
            write(out, "event: progress\ndata: {\"revision\":8}\n\ndata: line1\ndata: line2\n\n");
            await(release);
        });
        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        try (MusterHttpClient client = client(node)) {
            EventStream stream = client.stream("/v1/stream", Map.of(), Duration.ofSeconds(30), new EventStream.Listener() {
                @Override
                public void event(EventStream from, String name, String id, String data) {
                    events.add(name + "|" + id + "|" + data);
                }

                @Override
                public void closed(EventStream from, Throwable failure) {
                    ended.complete(failure);
                    ended.complete(new AssertionError("closed twice"));
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (events.size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10); // polling interval of a wait that has a deadline
            }
            assertThat(events).containsExactly("environment|7|{\"version\":\"a\",\"revision\":7}",
                    "progress|7|{\"revision\":8}", "message|7|line1\nline2");
            release.countDown();
            assertThat(ended.get(5, TimeUnit.SECONDS)).as("the node ended the stream: no failure").isNull();
            stream.close();
        }
    }

    @Test
    void aQuietStreamIsEndedAsBroken() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        URI node = serve("/v1/stream", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            write(exchange.getResponseBody(), ":\n\n");
            await(release);
        });
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        try (MusterHttpClient client = client(node)) {
            client.stream("/v1/stream", Map.of(), Duration.ofMillis(500), new EventStream.Listener() {
                @Override
                public void event(EventStream from, String name, String id, String data) {
                }

                @Override
                public void closed(EventStream from, Throwable failure) {
                    ended.complete(failure);
                }
            });
            assertThat(ended.get(5, TimeUnit.SECONDS)).isInstanceOf(IOException.class)
                    .hasMessageContaining("sent nothing");
        } finally {
            release.countDown();
        }
    }

    @Test
    void anOversizedEventEndsTheStream() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        URI node = serve("/v1/stream", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            String line = "data: " + "x".repeat(64 * 1024) + "\n";
            for (int i = 0; i < 20; i++) {
                write(out, line);
            }
            await(release);
        });
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        List<String> events = new CopyOnWriteArrayList<>();
        try (MusterHttpClient client = client(node)) {
            client.stream("/v1/stream", Map.of(), Duration.ofSeconds(30), new EventStream.Listener() {
                @Override
                public void event(EventStream from, String name, String id, String data) {
                    events.add(name);
                }

                @Override
                public void closed(EventStream from, Throwable failure) {
                    ended.complete(failure);
                }
            });
            assertThat(ended.get(5, TimeUnit.SECONDS)).isInstanceOf(IOException.class).hasMessageContaining("more than");
            assertThat(events).isEmpty();
        } finally {
            release.countDown();
        }
    }

    @Test
    void aStreamThatIsRefusedSaysWhy() throws Exception {
        URI node = serve("/v1/stream", exchange -> answer(exchange, 403,
                "{\"type\":\"https://muster.io/problems/forbidden\",\"detail\":\"not config/x/\"}"));
        try (MusterHttpClient client = client(node)) {
            MusterUnavailableException failure = catchThrowableOfType(MusterUnavailableException.class,
                    () -> client.stream("/v1/stream", Map.of(), Duration.ofSeconds(5), null));
            assertThat(failure.status()).isEqualTo(403);
            assertThat(failure.getMessage()).contains("not config/x/");
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
