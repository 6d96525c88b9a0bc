package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI description a real node serves: it lists every endpoint, declares the bearer token, gives
 * every operation its RFC 9457 error answers (application/problem+json with the problem schema) and
 * carries the build's version.
 */
class OpenApiIT {

    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String PROBLEM_SCHEMA = "#/components/schemas/Problem";

    @TempDir
    static Path root;
    static TestCluster cluster;
    static TestNode node;

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(1, root, Map.of());
        node = cluster.node(1);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void theOpenApiDocumentDescribesEveryEndpoint() {
        JsonNode paths = Http.get(node.url("/v3/api-docs")).json().path("paths");

        assertThat(paths.has("/v1/kv/{key}")).as(paths.toString()).isTrue();
        assertThat(paths.path("/v1/kv/{key}").has("put")).isTrue();
        assertThat(paths.path("/v1/kv/{key}").has("delete")).isTrue();
        assertThat(paths.has("/v1/kv")).isTrue();
        assertThat(paths.has("/v1/txn")).isTrue();
        for (String path : List.of("/v1/cluster", "/v1/cluster/digest", "/v1/cluster/leader", "/v1/cluster/members",
                "/v1/cluster/members/{id}", "/v1/cluster/snapshot", "/v1/history/{key}", "/v1/rollback/{key}",
                "/v1/search", "/v1/query", "/v1/leases", "/v1/leases/{id}", "/v1/leases/{id}/keepalive", "/v1/watch",
                "/v1/services", "/v1/services/{service}", "/v1/services/{service}/instances/{id}",
                "/v1/services/{service}/instances/{id}/heartbeat", "/v1/locks/{name}", "/v1/elections/{name}/campaign",
                "/v1/elections/{name}/resign", "/v1/elections/{name}/leader", "/v1/elections/{name}/observe",
                "/v1/config/{names}/environment", "/v1/config/{names}/environment/watch", "/v1/cluster/watch",
                "/v1/coordination", "/v1/coordination/watch")) {
            assertThat(paths.has(path)).as(path).isTrue();
        }
        assertThat(paths.path("/v1/cluster/members/{id}").has("delete")).isTrue();
        assertThat(paths.path("/v1/leases").has("get")).as("the lease list beside the grant").isTrue();
        assertThat(paths.has("/console")).as("the console's redirect is no API operation").isFalse();
        assertThat(paths.path("/v1/query").path("post").path("description").asString()).contains("entry_history");
        JsonNode schemas = Http.get(node.url("/v3/api-docs")).json().path("components").path("schemas");
        assertThat(schemas.path("MusterPropertySource").path("properties").has("profile")).as(schemas.toString()).isTrue();
        assertThat(schemas.path("MusterEnvironment").path("properties").has("releases")).isTrue();
        assertThat(schemas.path("ClusterStatusMessage").path("properties").has("quorum")).isTrue();
    }

    @Test
    void theApiDescriptionDeclaresTheBearerToken() {
        JsonNode api = Http.get(node.url("/v3/api-docs"), "Authorization", "").json();
        assertThat(api.path("components").path("securitySchemes").path("token").path("scheme").asString())
                .isEqualTo("bearer");
        assertThat(api.path("security").get(0).has("token")).isTrue();
    }

    @Test
    void everyOperationDocumentsItsErrorsAsProblems() {
        JsonNode api = Http.get(node.url("/v3/api-docs")).json();
        JsonNode problem = api.path("components").path("schemas").path("Problem");
        assertThat(problem.path("properties").propertyNames()).as(problem.toString())
                .contains("type", "title", "status", "detail", "instance");

        List<String> withoutProblem = new ArrayList<>();
        List<String> untypedErrors = new ArrayList<>();
        int operations = 0;
        for (Map.Entry<String, JsonNode> path : api.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
                operations++;
                String name = operation.getKey().toUpperCase() + " " + path.getKey();
                boolean documented = false;
                for (Map.Entry<String, JsonNode> response : operation.getValue().path("responses").properties()) {
                    int status = Integer.parseInt(response.getKey());
                    if (status < 400) {
                        continue;
                    }
                    boolean problemJson = PROBLEM_SCHEMA.equals(response.getValue().path("content").path(PROBLEM_JSON)
                            .path("schema").path("$ref").asString(null));
                    if (!problemJson) {
                        untypedErrors.add(name + " " + status + ": " + response.getValue());
                    }
                    documented |= problemJson && status < 500;
                }
                if (!documented) {
                    withoutProblem.add(name);
                }
            }
        }
        assertThat(operations).as("operations described").isGreaterThanOrEqualTo(38);
        assertThat(withoutProblem).as("operations without a 4xx application/problem+json answer").isEmpty();
        assertThat(untypedErrors).as("error answers that are not the problem schema").isEmpty();
    }

    @Test
    void theDescriptionCarriesTheBuildVersion() {
        String built = Http.get(node.url("/actuator/info")).json().path("build").path("version").asString();
        JsonNode api = Http.get(node.url("/v3/api-docs")).json();

        assertThat(built).as("build-info's version").matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(api.path("info").path("version").asString()).isEqualTo(built);
    }
}
