package io.muster.compat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the tests do to Muster themselves, over its REST API with a bearer token: store and delete
 * documents, make tokens, read an environment, and wait for a node to apply a revision.
 *
 * <p>Thread-safe: immutable.
 */
final class MusterClient {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String url;
    private final String token;

    MusterClient(String url, String token) {
        this.url = url;
        this.token = token;
    }

    /** Stores a document and returns the revision of the write. */
    long put(String key, String contentType, String content) {
        Response response = send(HttpRequest.newBuilder(URI.create(url + "/v1/kv/" + key))
                .header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofString(content)));
        response.expect(200, 201);
        return Long.parseLong(response.headers.firstValue("X-Muster-Revision").orElseThrow());
    }

    /** A JSON PUT to a path (a registration, say); returns the answer. */
    Response put(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json))).expect(200, 201);
    }

    /** A JSON POST to a path (a release step, say); returns the answer, whatever its status. */
    Response post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** A request without a body. */
    Response send(String method, String path) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    long delete(String key) {
        Response response = send(HttpRequest.newBuilder(URI.create(url + "/v1/kv/" + key)).DELETE());
        response.expect(200);
        return Long.parseLong(response.headers.firstValue("X-Muster-Revision").orElseThrow());
    }

    /** Makes a token and returns its secret. */
    String createToken(String name, String role, List<String> prefixes) {
        return createToken(name, role, prefixes, List.of());
    }

    /** Makes a token confined to prefixes and services, and returns its secret. */
    String createToken(String name, String role, List<String> prefixes, List<String> services) {
        String body = "{\"name\":\"" + name + "\",\"roles\":[\"" + role + "\"],\"prefixes\":["
                + prefixes.stream().map(prefix -> "\"" + prefix + "\"").collect(Collectors.joining(",")) + "],\"services\":["
                + services.stream().map(service -> "\"" + service + "\"").collect(Collectors.joining(",")) + "]}";
        Response response = send(HttpRequest.newBuilder(URI.create(url + "/v1/auth/tokens"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        response.expect(201);
        return response.json().path("secret").asString();
    }

    /** GET of a path, with this client's token. */
    Response get(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    /** The environment's version, as the Config Server endpoint gives it. */
    String version(String name, String profiles) {
        Response response = get("/config/" + name + "/" + profiles);
        response.expect(200);
        return response.json().path("version").asString();
    }

    /** Waits until this node has applied {@code revision} (it answers 504 after 5 s when it has not). */
    void awaitApplied(long revision) {
        get("/v1/kv/compat-probe?consistency=stale&minRevision=" + revision).expect(200, 404);
    }

    /** The revision this node has applied. */
    long appliedRevision() {
        Response response = get("/v1/kv/compat-probe?consistency=stale");
        return Long.parseLong(response.headers.firstValue("X-Muster-Revision").orElseThrow());
    }

    /** The leader's node id as this node sees it ({@code GET /v1/cluster}; "" when it knows none). */
    String leader() {
        return get("/v1/cluster").expect(200).json().path("leaderId").asString("");
    }

    /** Moves leadership to the voter {@code id}; Muster answers once it leads. */
    void transferLeadership(String id) {
        post("/v1/cluster/leader", "{\"id\":\"" + id + "\"}").expect(200);
    }

    /** Revokes lease {@code id}: every key and instance bound to it goes with it. */
    void revokeLease(long id) {
        send("DELETE", "/v1/leases/" + id).expect(200);
    }

    /** A service's instances with {@code status} (UP, a comma list, or any), read linearizably. */
    JsonNode instances(String service, String status) {
        return get("/v1/services/" + service + "?status=" + status).expect(200).json().path("instances");
    }

    /** The instance {@code id} of {@code service} whatever its status, or {@code null} when it is not registered. */
    JsonNode instance(String service, String id) {
        for (JsonNode instance : instances(service, "any")) {
            if (id.equals(instance.path("id").asString())) {
                return instance;
            }
        }
        return null;
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(20))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Response(int status, java.net.http.HttpHeaders headers, String body) {

        JsonNode json() {
            return JSON.readTree(body);
        }

        Response expect(int... statuses) {
            for (int status : statuses) {
                if (this.status == status) {
                    return this;
                }
            }
            throw new AssertionError("expected " + java.util.Arrays.toString(statuses) + ", got " + status + ": " + body);
        }
    }
}
