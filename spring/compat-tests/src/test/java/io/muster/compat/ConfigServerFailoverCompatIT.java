package io.muster.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * On a three-node cluster every node serves the same environment with the same version, and a stock
 * client given every node's URL starts when the node it tries first has been killed (SPRING.md A-5).
 */
class ConfigServerFailoverCompatIT {

    private static MusterNodes muster;
    private static String reader;

    @BeforeAll
    static void seed() throws Exception {
        muster = MusterNodes.start(3);
        MusterClient admin = muster.admin(1);
        admin.put("config/compat-client/default", "application/yaml", "compat:\n  greeting: hello\n");
        admin.put("config/application/default", "text/x-java-properties", "compat.shared=s\n");
        reader = admin.createToken("compat-reader", "reader", List.of("config/"));
        long revision = admin.appliedRevision();
        for (int node = 1; node <= 3; node++) {
            muster.admin(node).awaitApplied(revision);
        }
    }

    @AfterAll
    static void stop() {
        if (muster != null) {
            muster.close();
        }
    }

    @Test
    void everyNodeAnswersTheSameAndAClientSurvivesTheLossOfItsFirstNode() throws Exception {
        String version = muster.admin(1).version("compat-client", "default");
        assertThat(muster.admin(2).version("compat-client", "default")).isEqualTo(version);
        assertThat(muster.admin(3).version("compat-client", "default")).isEqualTo(version);

        muster.kill(1);
        String uris = muster.configUri(1) + "," + muster.configUri(2) + "," + muster.configUri(3);
        try (ConfigurableApplicationContext app = StockApps.start("spring.config.import=configserver:",
                "spring.cloud.config.uri=" + uris, "spring.cloud.config.token=" + reader,
                "spring.cloud.config.fail-fast=true")) {
            assertThat(app.getEnvironment().getProperty("compat.greeting")).isEqualTo("hello");
            assertThat(app.getEnvironment().getProperty("config.client.version")).isEqualTo(version);
        }
    }
}
