package io.muster.springconfig;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration for Spring applications, under {@code muster.springconfig}.
 *
 * @param keyPrefix   where configuration documents live: {@code <keyPrefix>{application}/{profile}};
 *                    every key under it is a document, checked when written
 * @param consistency how {@code /config} reads when the request does not say: {@code stale} (this
 *                    node's applied state, answered even by a node cut off from the majority) or
 *                    {@code linearizable}
 * @param labels      the labels that name the current configuration (a request without a label does
 *                    too); any other label is 404, so a client's label list falls back to the next
 */
@ConfigurationProperties("muster.springconfig")
@Validated
public record SpringConfigProperties(
        @DefaultValue("config/") @NotNull String keyPrefix,
        @DefaultValue("stale") @NotNull String consistency,
        @DefaultValue("main") @NotEmpty List<String> labels) {

    @AssertTrue(message = "muster.springconfig.key-prefix must be one or more key segments ending in '/', e.g. config/")
    boolean isKeyPrefixUsable() {
        return keyPrefix != null && keyPrefix.endsWith("/") && keyPrefix.length() > 1
                && io.muster.core.Keys.problem(keyPrefix.substring(0, keyPrefix.length() - 1)) == null;
    }

    @AssertTrue(message = "muster.springconfig.consistency must be 'stale' or 'linearizable'")
    boolean isConsistencyKnown() {
        return "stale".equalsIgnoreCase(consistency) || "linearizable".equalsIgnoreCase(consistency);
    }
}
