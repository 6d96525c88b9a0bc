package io.muster.security;

import io.muster.core.Role;
import io.muster.core.TokenRules;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Security settings under {@code muster.security}. On by default.
 *
 * @param enabled            check tokens; {@code false} lets every request through as anonymous (for
 *                           local experiments only; logged loudly on every start)
 * @param bootstrapToken     the secret of the {@code admin} token the leader keeps in the state (e.g.
 *                           from a Kubernetes Secret); empty: the first leader of a cluster without
 *                           tokens generates one into {@code <data-dir>/admin.token}
 * @param publicPrometheus   whether {@code /actuator/prometheus} answers without a token
 * @param requestsPerSecond  requests one token may make to one node per second; beyond, 429
 * @param requestBurst       how many requests above the rate a token may send at once
 * @param maxWatchesPerToken open watch streams (and election observers) one token may hold on one node
 * @param maxWaitsPerToken   requests one token may have waiting on one node (for a lock, an election,
 *                           a {@code minRevision} or a long poll); beyond, 429 with Retry-After
 * @param declaredTokens     tokens the leader keeps in the state as declared here, as it keeps the
 *                           bootstrap token (e.g. client tokens whose secrets come from Kubernetes
 *                           Secrets): created, or replaced when their secret, role or prefixes change
 */
@ConfigurationProperties("muster.security")
@Validated
public record SecurityProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("") @NotNull String bootstrapToken,
        @DefaultValue("true") boolean publicPrometheus,
        @DefaultValue("5000") @Min(1) @Max(1_000_000) int requestsPerSecond,
        @DefaultValue("10000") @Min(1) @Max(10_000_000) int requestBurst,
        @DefaultValue("1000") @Min(1) @Max(1_000_000) int maxWatchesPerToken,
        @DefaultValue("64") @Min(1) @Max(100_000) int maxWaitsPerToken,
        @DefaultValue @Valid List<DeclaredToken> declaredTokens) {

    /** The shortest configured bootstrap token accepted: guessable secrets are refused at start-up. */
    static final int MIN_BOOTSTRAP_TOKEN_LENGTH = 24;

    @AssertTrue(message = "muster.security.bootstrap-token must be at least 24 characters of printable ASCII "
            + "without spaces (generate one with: openssl rand -base64 32)")
    public boolean isBootstrapTokenUsable() {
        return bootstrapToken.isEmpty() || (bootstrapToken.length() >= MIN_BOOTSTRAP_TOKEN_LENGTH
                && bootstrapToken.chars().allMatch(c -> c > 0x20 && c < 0x7f));
    }

    @AssertTrue(message = "muster.security.declared-tokens must have distinct names, and none named 'admin' "
            + "(the bootstrap token's)")
    public boolean isDeclaredTokensDistinct() {
        Set<String> names = new HashSet<>();
        return declaredTokens.stream().allMatch(token -> token.name() == null
                || (!token.name().equals("admin") && names.add(token.name())));
    }

    /**
     * A token the cluster keeps as declared: its secret comes from the node's configuration (an
     * environment variable from a Kubernetes Secret, say) and only its hash reaches the log.
     *
     * @param name     the token's name, as for {@code POST /v1/auth/tokens}
     * @param role     reader, writer or admin
     * @param prefixes the key prefixes a reader or writer is confined to (empty: none)
     * @param services the services whose instances it may write ({@code *}: any; needs cluster version 3)
     * @param secret   the secret (24+ printable ASCII characters)
     */
    public record DeclaredToken(@NotNull String name, @DefaultValue("reader") @NotNull String role,
            @DefaultValue List<String> prefixes, @DefaultValue List<String> services, @NotNull String secret) {

        @AssertTrue(message = "a declared token's name must be a token name: 1-64 of [A-Za-z0-9._-]")
        public boolean isNameUsable() {
            return name == null || TokenRules.nameProblem(name) == null;
        }

        @AssertTrue(message = "a declared token's role must be reader, writer or admin, with prefixes and services "
                + "only for a reader or writer (each a usable key prefix, each service a service name or *)")
        public boolean isRoleUsable() {
            Role parsed = role == null ? null : Role.ofLabel(role);
            return parsed != null && TokenRules.prefixesProblem(parsed, prefixes) == null
                    && TokenRules.servicesProblem(parsed, services) == null;
        }

        @AssertTrue(message = "a declared token's secret must be at least 24 characters of printable ASCII without "
                + "spaces (generate one with: openssl rand -base64 32)")
        public boolean isSecretUsable() {
            return secret == null || (secret.length() >= MIN_BOOTSTRAP_TOKEN_LENGTH
                    && secret.chars().allMatch(c -> c > 0x20 && c < 0x7f));
        }

        /** Never prints the secret. */
        @Override
        public String toString() {
            return "DeclaredToken[" + name + ", " + role + (prefixes.isEmpty() ? "" : ", prefixes=" + prefixes)
                    + (services.isEmpty() ? "" : ", services=" + services) + "]";
        }
    }

    /** Never prints the bootstrap token. */
    @Override
    public String toString() {
        return "SecurityProperties[enabled=" + enabled + ", bootstrapToken=" + (bootstrapToken.isEmpty() ? "none" : "(set)")
                + ", publicPrometheus=" + publicPrometheus + ", requestsPerSecond=" + requestsPerSecond
                + ", requestBurst=" + requestBurst + ", maxWatchesPerToken=" + maxWatchesPerToken
                + ", maxWaitsPerToken=" + maxWaitsPerToken + ", declaredTokens=" + declaredTokens + "]";
    }
}
