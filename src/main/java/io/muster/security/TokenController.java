package io.muster.security;

import io.muster.web.MusterHeaders;
import io.muster.core.Command;
import io.muster.core.RejectedException;
import io.muster.core.Rejected;
import io.muster.core.Remembered;
import io.muster.core.Role;
import io.muster.core.Token;
import io.muster.core.TokenResult;
import io.muster.core.TokenRules;
import io.muster.replication.Consistency;
import io.muster.replication.Gateway;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import io.muster.web.Problems;
import io.muster.web.Rejections;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/auth/tokens}: API tokens, kept in the replicated state as hashes. Admin only. */
@RestController
@Tag(name = "auth", description = "API tokens: who may read, write and administer")
@RequiresRole(Role.ADMIN)
class TokenController {


    private final Gateway gateway;

    TokenController(Gateway gateway) {
        this.gateway = gateway;
    }

    @PostMapping("/v1/auth/tokens")
    @Operation(summary = "Create a token",
            description = """
                    Creates token {name} with one of the roles reader, writer (also reads) or admin (everything), \
                    optionally confined to key prefixes and to services (reader and writer only): a token confined \
                    to services may register, renew, change and deregister instances of those services ('*': any) \
                    and read and watch the registry, which is what an application needs to register itself; tokens \
                    with services need cluster version 3 (409 feature-not-enabled while a member runs an older \
                    build). The answer carries the secret: it \
                    is shown this once and never stored, only its SHA-256 is. So a retry with the Idempotency-Key \
                    of a request that created the token cannot get the first answer again: it gets 409 \
                    token-already-created with the token's name, roles, prefixes and revision, but no secret.""")
    @ApiResponse(responseCode = "201", description = "Created; the response holds the secret")
    @ApiResponse(responseCode = "409", description = """
            token-exists: a token of that name exists. \
            token-already-created: the request that used this Idempotency-Key created this token; 'token' holds \
            its metadata, never its secret (revoke and create anew if that first answer was lost)""")
    @Problems({ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.FEATURE_NOT_ENABLED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<CreatedToken> create(@RequestBody CreateRequest request) {
        String name = checkedName(request.name());
        Role role = role(request.roles());
        List<String> prefixes = request.prefixes() == null ? List.of() : request.prefixes();
        String problem = TokenRules.prefixesProblem(role, prefixes);
        if (problem != null) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, problem).with("field", "prefixes");
        }
        List<String> services = request.services() == null ? List.of() : request.services();
        problem = TokenRules.servicesProblem(role, services);
        if (problem != null) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, problem).with("field", "services");
        }
        Caller caller = Caller.required();
        if (caller.idempotent()) {
            answerRetry(caller, name, role, prefixes, services);
        }
        String secret = Secrets.generate();
        TokenResult created;
        try {
            created = gateway.write(new Command.CreateToken(name, Secrets.hash(secret), role, prefixes, false, services));
        } catch (RejectedException e) {
            if (e.rejected().reason() == Rejected.Reason.IDEMPOTENCY_KEY_REUSED) {
                answerRetry(caller, name, role, prefixes, services); // a concurrent retry's proposal was applied first
            }
            throw e;
        }
        TokenView view = TokenView.of(created.token());
        return ResponseEntity.created(URI.create("/v1/auth/tokens/" + name))
                .header(MusterHeaders.REVISION, Long.toString(created.revision()))
                .body(new CreatedToken(view.name(), view.roles(), view.prefixes(), view.services(), view.createRevision(),
                        view.createdAt(), secret));
    }

    @GetMapping("/v1/auth/tokens")
    @Operation(summary = "List tokens", description = "Every token's name, role and prefixes (never a secret or hash).")
    @Problems(ProblemType.READ_UNAVAILABLE)
    TokenList list() {
        return gateway.read(Consistency.LINEARIZABLE, 0,
                store -> new TokenList(store.tokens().stream().map(TokenView::of).toList())).value();
    }

    @DeleteMapping("/v1/auth/tokens/{name}")
    @Operation(summary = "Revoke a token",
            description = """
                    Revokes the token. Every write it authored that is ordered after the revoke is refused on \
                    every node; requests carrying it are refused once a node has applied the revoke.""")
    @ApiResponse(responseCode = "204", description = "Revoked")
    @Problems({ProblemType.TOKEN_NOT_FOUND, ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<Void> revoke(@PathVariable String name) {
        TokenResult revoked = gateway.write(new Command.RevokeToken(checkedName(name)));
        return ResponseEntity.noContent().header(MusterHeaders.REVISION, Long.toString(revoked.revision())).build();
    }

    /**
     * Answers a request whose Idempotency-Key already covers a command, without proposing anything. Each
     * attempt makes a new secret, so the core cannot tell a retry from a different request; and the first
     * answer cannot be replayed, since its secret exists nowhere any more. So: a retry of the creation that
     * made the token (same name, role and prefixes) is told the token exists, with its metadata but no
     * secret; a refused first attempt is answered as it was (it held no secret); anything else under the
     * key is 422, as for every write. Returns when the key covers nothing yet.
     */
    private void answerRetry(Caller caller, String name, Role role, List<String> prefixes, List<String> services) {
        Remembered first = gateway.read(Consistency.LINEARIZABLE, 0,
                store -> store.remembered(caller.principal(), caller.idempotencyKey())).value();
        if (first == null) {
            return;
        }
        if (first.result() instanceof Rejected refused) {
            throw Rejections.problem(refused);
        }
        if (first.result() instanceof TokenResult created && created.token() != null && created.name().equals(name)
                && created.token().role() == role && created.token().prefixes().equals(prefixes)
                && created.token().services().equals(services)) {
            throw new ProblemException(ProblemType.TOKEN_ALREADY_CREATED, "token '" + name + "' was created at revision "
                    + created.revision() + " by the request that first used this Idempotency-Key. Its secret was in "
                    + "that answer only and is stored nowhere, so it cannot be sent again: if that answer was lost, "
                    + "revoke the token and create it anew.")
                    .with("token", TokenView.of(created.token())).with("revision", created.revision());
        }
        throw new ProblemException(ProblemType.IDEMPOTENCY_KEY_REUSED, "Idempotency-Key '" + caller.idempotencyKey()
                + "' was used for a different request within its window").with("field", "Idempotency-Key");
    }

    private static String checkedName(String name) {
        String problem = TokenRules.nameProblem(name);
        if (problem != null) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, problem).with("field", "name");
        }
        return name;
    }

    /** Roles nest, so a set of them is its strongest member. */
    private static Role role(List<String> roles) {
        if (roles == null || roles.isEmpty()) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "roles must name at least one of reader, writer, admin")
                    .with("field", "roles");
        }
        Role strongest = Role.READER;
        for (String label : roles) {
            Role role = Role.ofLabel(label);
            if (role == null) {
                throw new ProblemException(ProblemType.INVALID_REQUEST, "'" + label + "' is not one of reader, writer, admin")
                        .with("field", "roles");
            }
            strongest = role.includes(strongest) ? role : strongest;
        }
        return strongest;
    }

    /** The request to create a token. */
    record CreateRequest(String name, List<String> roles, List<String> prefixes,
            @io.swagger.v3.oas.annotations.media.Schema(description = "Services whose instances it may write ('*': any)")
            List<String> services) {
    }

    /** A token as the API shows it: the roles it holds (its own and the ones it includes), never its hash. */
    record TokenView(String name, List<String> roles, List<String> prefixes, List<String> services, long createRevision,
            Instant createdAt) {

        static TokenView of(Token token) {
            List<String> roles = new ArrayList<>();
            for (Role role : Role.values()) {
                if (token.role().includes(role)) {
                    roles.add(0, role.label());
                }
            }
            return new TokenView(token.name(), roles, token.prefixes(), token.services(), token.createRevision(),
                    Instant.ofEpochMilli(token.createdAtMillis()));
        }
    }

    /** A token just created, with its secret: the only time the secret is shown. */
    record CreatedToken(String name, List<String> roles, List<String> prefixes, List<String> services, long createRevision,
            Instant createdAt, String secret) {

        @Override
        public String toString() {
            return "CreatedToken[" + name + "]";
        }
    }

    record TokenList(List<TokenView> tokens) {
    }
}
