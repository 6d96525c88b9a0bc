package io.muster.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small real HTTP client for the tests, over loopback. Requests carry the test clusters' admin
 * token ({@link TestNode#ADMIN_TOKEN}) unless they set {@code Authorization} themselves (an empty
 * value sends none). The admin token is in force once a node has applied the leader's bootstrap
 * entry, so a request with it that meets 401 (a node just started or restarted) is sent again
 * until that happens, within a deadline; a 401 to any other credentials is returned at once.
 */
final class Http {

    static final String AUTHORIZATION = "Authorization";
    private static final Duration TOKEN_DEADLINE = Duration.ofSeconds(20);

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Http() {
    }

    static Response get(String url, String... headers) {
        return send(request(url, headers).GET());
    }

    static Response put(String url, String body, String... headers) {
        return send(request(url, headers).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    static Response put(String url, byte[] body, String... headers) {
        return send(request(url, headers).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    static Response post(String url, String json) {
        return send(request(url, "Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    static Response delete(String url, String... headers) {
        return send(request(url, headers).DELETE());
    }

    static Response send(HttpRequest.Builder request) {
        HttpResponse<byte[]> response = exchange(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Response(response.statusCode(), response.headers(), response.body());
    }

    /**
     * Sends {@code request}; a 401 to the admin token is sent again (closing its body) until the token is
     * in force or the deadline passes, as the class comment says.
     */
    static <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        boolean adminToken = request.headers().firstValue(AUTHORIZATION).orElse("").equals(bearer(TestNode.ADMIN_TOKEN));
        long deadline = System.nanoTime() + TOKEN_DEADLINE.toNanos();
        try {
            while (true) {
                HttpResponse<T> response = CLIENT.send(request, handler);
                if (response.statusCode() != 401 || !adminToken || System.nanoTime() > deadline) {
                    return response;
                }
                if (response.body() instanceof AutoCloseable body) {
                    body.close();
                }
                Thread.sleep(50);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String bearer(String secret) {
        return "Bearer " + secret;
    }

    static HttpRequest.Builder request(String url, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        boolean credentials = false;
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i].equalsIgnoreCase(AUTHORIZATION)) {
                credentials = true;
                if (headers[i + 1].isEmpty()) {
                    continue;
                }
            }
            builder.header(headers[i], headers[i + 1]);
        }
        if (!credentials) {
            builder.header(AUTHORIZATION, bearer(TestNode.ADMIN_TOKEN));
        }
        return builder;
    }

    record Response(int status, java.net.http.HttpHeaders headers, byte[] body) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            return JSON.readTree(body);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        long revision() {
            return Long.parseLong(header("X-Muster-Revision"));
        }

        @Override
        public String toString() {
            return status + " " + text();
        }
    }
}
