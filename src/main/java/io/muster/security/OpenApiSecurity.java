package io.muster.security;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Describes the bearer token in the OpenAPI document, so that Swagger UI and generated clients send it. */
@Configuration(proxyBeanMethods = false)
class OpenApiSecurity {

    static final String SCHEME = "token";

    @Bean
    OpenAPI musterOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Muster").description("Strongly consistent configuration, membership and "
                        + "service discovery. Every endpoint needs 'Authorization: Bearer <token>'; the role each needs "
                        + "is in the README's Security section."))
                .components(new Components().addSecuritySchemes(SCHEME, new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer")
                        .description("An API token's secret (POST /v1/auth/tokens, or the bootstrap admin token)")))
                .addSecurityItem(new SecurityRequirement().addList(SCHEME));
    }
}
