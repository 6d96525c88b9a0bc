package io.muster.release;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration releases, under {@code muster.releases}.
 *
 * @param retainPerApp    how many releases of one application's documents are kept; the oldest go
 *                        first, but never a draft or gray one, nor the last two published. Stamped
 *                        into each command that adds a release, so every replica prunes alike
 * @param maxBytesPerApp  the same bound in bytes (documents and what their publishes replaced)
 * @param maskKeys        property names whose values a diff shows as {@code ******} to callers that
 *                        are not administrators
 */
@ConfigurationProperties("muster.releases")
@Validated
public record ReleaseProperties(
        @DefaultValue("100") @Min(2) @Max(100_000) int retainPerApp,
        @DefaultValue("16MB") @NotNull DataSize maxBytesPerApp,
        @DefaultValue("(?i).*(password|secret|token|credential|private[-.]?key).*") @NotNull Pattern maskKeys) {

    @jakarta.validation.constraints.AssertTrue(message = "muster.releases.max-bytes-per-app must be at least 1MB")
    boolean isMaxBytesPerAppUsable() {
        return maxBytesPerApp != null && maxBytesPerApp.toBytes() >= 1 << 20;
    }
}
