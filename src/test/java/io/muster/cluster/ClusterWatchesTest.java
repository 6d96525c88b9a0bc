package io.muster.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Proves when the cluster watch's tick sends: at once on a change of role, leader, term or quorum
 * status, otherwise about once a second (a tick early rather than a tick late), and never twice a
 * second for an unchanged status.
 */
class ClusterWatchesTest {

    private static final Duration EVERY = ClusterWatches.EVERY;
    private static final Duration TICK = ClusterWatches.TICK;
    private static final ClusterWatches.Signature UP = new ClusterWatches.Signature("FOLLOWER", "n1", 3, "UP");

    @Test
    void aChangeOfRoleLeaderTermOrQuorumIsSentAtOnce() {
        long justNow = Duration.ofMillis(1).toNanos();
        for (ClusterWatches.Signature changed : new ClusterWatches.Signature[] {
                new ClusterWatches.Signature("CANDIDATE", "n1", 3, "UP"),
                new ClusterWatches.Signature("FOLLOWER", null, 3, "UP"),
                new ClusterWatches.Signature("FOLLOWER", "n1", 4, "UP"),
                new ClusterWatches.Signature("FOLLOWER", "n1", 3, "DOWN")}) {
            assertThat(ClusterWatches.due(UP, changed, justNow, EVERY, TICK)).as(changed.toString()).isTrue();
        }
        assertThat(ClusterWatches.due(null, UP, justNow, EVERY, TICK)).as("the first tick").isTrue();
    }

    @Test
    void anUnchangedStatusIsSentOnceASecond() {
        assertThat(ClusterWatches.due(UP, UP, TICK.toNanos(), EVERY, TICK)).isFalse();
        assertThat(ClusterWatches.due(UP, UP, Duration.ofMillis(750).toNanos(), EVERY, TICK)).isFalse();
        assertThat(ClusterWatches.due(UP, UP, Duration.ofMillis(900).toNanos(), EVERY, TICK))
                .as("the fourth tick, a few milliseconds short of a second").isTrue();
        assertThat(ClusterWatches.due(UP, UP, EVERY.toNanos(), EVERY, TICK)).isTrue();
    }
}
