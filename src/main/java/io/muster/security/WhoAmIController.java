package io.muster.security;

import io.muster.core.Role;
import io.muster.core.Token;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/auth/whoami}: what the presented token may do, so that a client (the console) offers only
 * the actions the server would allow. Never the secret. The server still checks every request itself.
 */
@RestController
@Tag(name = "auth")
class WhoAmIController {

    @RequiresRole(value = Role.READER, keyScoped = true, serviceScoped = true)
    @GetMapping("/v1/auth/whoami")
    @Operation(summary = "The caller's token",
            description = """
                    The name, roles, key prefixes and services of the token this request carries (any token may \
                    ask). With muster.security.enabled=false there is no token: the caller may do everything, \
                    and 'name' is null.""")
    WhoAmI whoAmI() {
        Token token = Caller.required().token();
        if (token == null) {
            return new WhoAmI(null, roles(Role.ADMIN), List.of(), List.of(), null, null);
        }
        TokenController.TokenView view = TokenController.TokenView.of(token);
        return new WhoAmI(view.name(), view.roles(), view.prefixes(), view.services(), view.createRevision(),
                view.createdAt());
    }

    private static List<String> roles(Role role) {
        return java.util.Arrays.stream(Role.values()).filter(role::includes).map(Role::label).toList().reversed();
    }

    record WhoAmI(
            @Schema(description = "The token's name; null when security is disabled") String name,
            @Schema(description = "Its role and every role it includes, highest first", example = "[\"writer\", \"reader\"]")
            List<String> roles,
            @Schema(description = "The key prefixes it is confined to (empty: none)") List<String> prefixes,
            @Schema(description = "The services it may write instances of (empty: none)") List<String> services,
            Long createRevision,
            Instant createdAt) {
    }
}
