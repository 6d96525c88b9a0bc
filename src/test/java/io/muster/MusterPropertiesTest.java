package io.muster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/** Proves the defaults that run one node without configuration, and that bad settings stop start-up naming the property. */
class MusterPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Config.class);

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(MusterProperties.class)
    static class Config {
    }

    @Test
    void defaultsRunASingleNodeWithNoConfiguration() {
        runner.run(context -> {
            MusterProperties properties = context.getBean(MusterProperties.class);
            assertThat(properties.nodeId()).isNotBlank();
            assertThat(properties.clusterName()).isEqualTo("muster");
            assertThat(properties.peers()).isEmpty();
            assertThat(properties.dataDir().normalize()).isEqualTo(Path.of("data"));
            assertThat(properties.raft().port()).isEqualTo(7070);
            assertThat(properties.raft().electionTimeoutMax()).isEqualTo(Duration.ofSeconds(2));
            assertThat(properties.limits().maxValueBytes()).isEqualTo(DataSize.ofMegabytes(1));
            assertThat(properties.limits().maxTxnOps()).isEqualTo(128);
            assertThat(properties.limits().historyVersions()).isEqualTo(10);
        });
    }

    @Test
    void anElectionTimeoutRangeOutOfOrderIsRefusedByName() {
        runner.withPropertyValues("muster.raft.election-timeout-min=3s", "muster.raft.election-timeout-max=2s")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("muster.raft.election-timeout-min"));
    }

    @Test
    void outOfRangeLimitsAreRefusedByName() {
        runner.withPropertyValues("muster.limits.max-txn-ops=0", "muster.limits.max-value-bytes=64MB")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("maxTxnOps").hasMessageContaining("muster.limits.max-value-bytes"));
    }

    @Test
    void aWatchHeartbeatOutsideItsRangeIsRefusedByName() {
        runner.withPropertyValues("muster.watch.heartbeat-interval=10ms")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("muster.watch.heartbeat-interval"));
    }

    @Test
    void anEnvironmentHeartbeatTheStartersClientWouldTakeForSilenceIsRefusedByName() {
        runner.withPropertyValues("muster.watch.environment-heartbeat-interval=8s")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("muster.watch.environment-heartbeat-interval"));
    }

    @Test
    void aBadNodeIdIsRefused() {
        runner.withPropertyValues("muster.node-id=not valid!")
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("nodeId"));
    }
}
