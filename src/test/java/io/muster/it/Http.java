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

/** A small real HTTP client for the tests, over loopback. */
final class Http {

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
        try {
            HttpResponse<byte[]> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpRequest.Builder request(String url, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
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
