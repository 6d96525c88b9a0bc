package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * An application's token confined to its own service and configuration, on a real cluster: a reader
 * token that names its service registers, renews, drains and deregisters its own instances (the scope
 * grants that), reads every service (as discovery needs) and its own documents, and is refused
 * everything else, writing its documents included, each refusal proposing nothing.
 */
class ServiceScopesIT {

    @TempDir
    static Path root;
    private static TestCluster cluster;
    private static String secret;

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(3, root, Map.of());
        Http.Response created = Http.post(cluster.node(1).url("/v1/auth/tokens"), """
                {"name":"payments-app","roles":["reader"],"prefixes":["config/payments/"],"services":["payments"]}""");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().path("services").get(0).asString()).isEqualTo("payments");
        secret = created.json().path("secret").asString();
        cluster.awaitApplied(created.revision());
        Http.Response other = Http.put(cluster.node(1).url("/v1/services/orders/instances/o-1"),
                "{\"address\":\"10.0.0.9\",\"port\":8080}", "Content-Type", "application/json");
        assertThat(other.status()).as(other.toString()).isEqualTo(201);
        Http.Response lease = Http.post(cluster.node(1).url("/v1/leases"), "{\"ttlSeconds\":60}");
        assertThat(lease.status()).as(lease.toString()).isEqualTo(201);
        // An instance of its own service bound to someone else's lease, which may hold keys and locks too.
        Http.Response bound = Http.put(cluster.node(1).url("/v1/services/payments/instances/p-shared"),
                "{\"address\":\"10.0.0.8\",\"port\":8080,\"lease\":" + lease.json().path("id").asLong() + "}",
                "Content-Type", "application/json");
        assertThat(bound.status()).as(bound.toString()).isEqualTo(201);
        cluster.awaitApplied(bound.revision());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Http.Response as(String method, String path, String body) {
        return Http.send(Http.request(cluster.node(2).url(path), "Authorization", Http.bearer(secret), "Content-Type",
                "application/json").method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void anApplicationManagesItsOwnInstancesAndReadsEveryService() {
        Http.Response registered = as("PUT", "/v1/services/payments/instances/p-1",
                "{\"address\":\"10.0.0.7\",\"port\":8443,\"ttlSeconds\":30}");
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        assertThat(as("POST", "/v1/services/payments/instances/p-1/heartbeat", null).status()).isEqualTo(200);
        assertThat(as("PATCH", "/v1/services/payments/instances/p-1", "{\"status\":\"OUT_OF_SERVICE\"}").status())
                .isEqualTo(200);
        JsonNode orders = as("GET", "/v1/services/orders?consistency=stale", null).json();
        assertThat(orders.path("instances").get(0).path("id").asString()).isEqualTo("o-1");
        assertThat(as("GET", "/v1/services", null).status()).isEqualTo(200);
        assertThat(as("GET", "/v1/kv/config/payments/default", null).status()).as("its own documents").isEqualTo(404);
        assertThat(as("DELETE", "/v1/services/payments/instances/p-1", null).status()).isEqualTo(200);
    }

    @Test
    void everythingElseIsRefusedAndProposesNothing() {
        long before = cluster.settledCommitIndex();
        expectForbidden(as("PUT", "/v1/services/orders/instances/x", "{\"address\":\"10.0.0.1\",\"port\":1}"), "outside");
        expectForbidden(as("DELETE", "/v1/services/orders/instances/o-1", null), "outside");
        expectForbidden(as("PATCH", "/v1/services/orders/instances/o-1", "{\"status\":\"DOWN\"}"), "outside");
        expectForbidden(as("POST", "/v1/services/orders/instances/o-1/heartbeat", null), "outside");
        expectForbidden(as("POST", "/v1/leases", "{\"ttlSeconds\":30}"), "needs writer");
        expectForbidden(as("PUT", "/v1/services/payments/instances/p-2", "{\"address\":\"10.0.0.1\",\"port\":1,\"lease\":1}"),
                "may not use leases");
        expectForbidden(as("PUT", "/v1/kv/other", "x"), "needs writer");
        expectForbidden(as("PUT", "/v1/kv/config/payments/default", "a: 1"), "needs writer");
        expectForbidden(as("POST", "/v1/services/payments/instances/p-shared/heartbeat", null), "may not use leases");
        expectForbidden(as("POST", "/v1/locks/jobs", "{\"lease\":1,\"owner\":\"me\"}"), "needs writer");
        assertThat(cluster.node(2).commandsAppliedAfter(before)).as("commands after the refusals").isEmpty();
    }

    private static void expectForbidden(Http.Response response, String why) {
        assertThat(response.status()).as(response.toString()).isEqualTo(403);
        assertThat(response.json().path("detail").asString()).as(response.toString()).contains(why);
    }
}
