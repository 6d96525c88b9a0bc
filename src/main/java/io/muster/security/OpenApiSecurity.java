package io.muster.security;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Describes the bearer token in the OpenAPI document, so that Swagger UI and generated clients send it.
 * The document names one server, "/", relative to where it was fetched from: springdoc would otherwise
 * build a URL from the request's Host header and echo whatever a caller (or a poisoned cache) put there.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiSecurity {

    static final String SCHEME = "token";

    @Bean
    OpenAPI musterOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Muster").description("Strongly consistent configuration, membership and "
                        + "service discovery. Every endpoint needs 'Authorization: Bearer <token>'; the role each needs "
                        + "is in docs/security.md. Request bodies are strict JSON: an unknown or repeated "
                        + "field, a string or a fraction for an integer, a string or number for a boolean, is a 400 "
                        + "invalid-request naming the field. Every error is application/problem+json."))
                .components(new Components().addSecuritySchemes(SCHEME, new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer")
                        .description("An API token's secret (POST /v1/auth/tokens, or the bootstrap admin token)")))
                .addSecurityItem(new SecurityRequirement().addList(SCHEME))
                .servers(List.of(new Server().url("/").description("The node that served this document")));
    }
}
