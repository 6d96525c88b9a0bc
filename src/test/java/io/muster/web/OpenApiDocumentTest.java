package io.muster.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.info.BuildProperties;

/**
 * The OpenAPI document's version is the build's (build-info), and a build without build-info (an IDE's)
 * still describes itself, as version "unknown"; its error answers name the problem types.
 */
class OpenApiDocumentTest {

    @Test
    void theVersionIsTheBuildsOrUnknownWithoutBuildInfo() {
        Properties built = new Properties();
        built.setProperty("version", "1.2.3");

        assertThat(OpenApiDocument.version(new BuildProperties(built))).isEqualTo("1.2.3");
        assertThat(OpenApiDocument.version(new BuildProperties(new Properties()))).isEqualTo("unknown");
        assertThat(OpenApiDocument.version(null)).isEqualTo("unknown");
    }

    @Test
    void anErrorAnswerNamesItsProblemTypes() {
        assertThat(ProblemResponses.describe(List.of(ProblemType.LOCK_NOT_HELD, ProblemType.NO_LEADER)))
                .isEqualTo("lock-not-held: Nobody holds the lock; no-leader: No leader elected");
    }
}
