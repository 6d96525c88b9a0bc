package io.muster.web;

import io.muster.security.SecurityProperties;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document's frame: the build's version, the bearer token (so that Swagger UI and generated
 * clients send it), the problem schema every error answer refers to ({@link ProblemResponses} adds
 * those answers, {@link CommonParameters} the descriptions of parameters shared by many endpoints) and one server, "/", relative to where the document was fetched from: springdoc would
 * otherwise build a URL from the request's Host header and echo whatever a caller (or a poisoned cache)
 * put there.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiDocument {

    static final String SCHEME = "token";
    static final String PROBLEM = "Problem";
    /** The version a build without build-info (an IDE's, say) describes: none in particular. */
    static final String UNKNOWN_VERSION = "unknown";

    @Bean
    OpenAPI musterOpenApi(ObjectProvider<BuildProperties> build) {
        return new OpenAPI()
                .info(new Info().title("Muster").version(version(build.getIfAvailable()))
                        .description("Strongly consistent configuration, membership and "
                        + "service discovery. Every endpoint needs 'Authorization: Bearer <token>'; the role each needs "
                        + "is in docs/security.md. Request bodies are strict JSON: an unknown or repeated "
                        + "field, a string or a fraction for an integer, a string or number for a boolean, is a 400 "
                        + "invalid-request naming the field. Every error is application/problem+json."))
                .components(new Components().addSecuritySchemes(SCHEME, new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer")
                        .description("An API token's secret (POST /v1/auth/tokens, or the bootstrap admin token)"))
                        .addSchemas(PROBLEM, problemSchema()))
                .addSecurityItem(new SecurityRequirement().addList(SCHEME))
                .servers(List.of(new Server().url("/").description("The node that served this document")));
    }

    @Bean
    ProblemResponses problemResponses(SecurityProperties security) {
        return new ProblemResponses(security.enabled());
    }

    @Bean
    CommonParameters commonParameters() {
        return new CommonParameters();
    }

    /** The version build-info recorded (spring-boot-maven-plugin's build-info goal), else {@value #UNKNOWN_VERSION}. */
    static String version(BuildProperties build) {
        return build == null || build.getVersion() == null ? UNKNOWN_VERSION : build.getVersion();
    }

    /** RFC 9457's members, and Muster's own that some problems add ({@code field}, {@code key}, ...). */
    private static Schema<?> problemSchema() {
        Schema<?> problem = new ObjectSchema()
                .description("An RFC 9457 problem (application/problem+json). Clients branch on type; some problems "
                        + "add members of their own, such as field (the input that was wrong), key, revision or "
                        + "currentModRevision; docs/api.md lists them.")
                .addProperty("type", new StringSchema().format("uri").example(ProblemType.BASE + "key-not-found")
                        .description("The problem's stable type; never renamed or reused"))
                .addProperty("title", new StringSchema().description("A short summary of the type"))
                .addProperty("status", new IntegerSchema().format("int32").description("The HTTP status code"))
                .addProperty("detail", new StringSchema().description("What was wrong with this request"))
                .addProperty("instance", new StringSchema().format("uri").description("The request's path"))
                .addProperty("field", new StringSchema().description("The parameter, header or body field that was wrong"));
        problem.setRequired(List.of("type", "title", "status"));
        problem.setAdditionalProperties(true);
        return problem;
    }
}
