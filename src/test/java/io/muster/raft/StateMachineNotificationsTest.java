package io.muster.raft;

import io.muster.replication.NodeStatus;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.muster.cluster.AdmissionPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.junit.jupiter.api.Test;

/**
 * Proves that a failing listener cannot throw into Ratis' threads: an exception there leaves Ratis'
 * state machine updater spinning in its exception state and the server unable to close (seen when a
 * configuration entry was applied while the node was stopping).
 */
class StateMachineNotificationsTest {

    @Test
    void aListenerThatThrowsDoesNotReachRatis() {
        RaftMetrics metrics = new RaftMetrics(new SimpleMeterRegistry(), () -> new NodeStatus("muster", "g", "n1", false,
                false, "UNKNOWN", null, 0, 0, 0, -1, -1, -1, null, false, List.of()), Path.of("target/none"));
        MusterStateMachine stateMachine = new MusterStateMachine(
                new AdmissionPolicy(Clock.systemUTC(), 10, 1024, 128, 65_536, 5_000), metrics, 10_000);
        stateMachine.listen(new MusterStateMachine.GroupListener() {
            @Override
            public void configurationChanged() {
                throw new java.util.concurrent.RejectedExecutionException("the executor is shut down");
            }

            @Override
            public void removed() {
                throw new IllegalStateException("broken listener");
            }
        });
        assertThatCode(() -> stateMachine.notifyConfigurationChanged(1, 5, RaftConfigurationProto.getDefaultInstance()))
                .doesNotThrowAnyException();
        assertThatCode(() -> stateMachine.notifyServerShutdown(RoleInfoProto.getDefaultInstance(), false))
                .doesNotThrowAnyException();
    }
}
