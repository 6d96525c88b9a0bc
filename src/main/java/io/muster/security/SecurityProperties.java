package io.muster.security;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
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
        @DefaultValue("64") @Min(1) @Max(100_000) int maxWaitsPerToken) {

    /** The shortest configured bootstrap token accepted: guessable secrets are refused at start-up. */
    static final int MIN_BOOTSTRAP_TOKEN_LENGTH = 24;

    @AssertTrue(message = "muster.security.bootstrap-token must be at least 24 characters of printable ASCII "
            + "without spaces (generate one with: openssl rand -base64 32)")
    public boolean isBootstrapTokenUsable() {
        return bootstrapToken.isEmpty() || (bootstrapToken.length() >= MIN_BOOTSTRAP_TOKEN_LENGTH
                && bootstrapToken.chars().allMatch(c -> c > 0x20 && c < 0x7f));
    }

    /** Never prints the bootstrap token. */
    @Override
    public String toString() {
        return "SecurityProperties[enabled=" + enabled + ", bootstrapToken=" + (bootstrapToken.isEmpty() ? "none" : "(set)")
                + ", publicPrometheus=" + publicPrometheus + ", requestsPerSecond=" + requestsPerSecond
                + ", requestBurst=" + requestBurst + ", maxWatchesPerToken=" + maxWatchesPerToken
                + ", maxWaitsPerToken=" + maxWaitsPerToken + "]";
    }
}
