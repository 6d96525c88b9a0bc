package io.muster.raft;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes Ratis' notifications about the group on to the node's {@link MusterStateMachine.GroupListener}
 * and the metrics. They run on Ratis' threads, the apply thread among them. An exception thrown there
 * puts Ratis' state machine updater into a state it never leaves (it spins at full CPU and the server
 * never finishes closing), so nothing a listener does may escape. Thread-safe.
 */
final class GroupNotifications {

    private static final Logger log = LoggerFactory.getLogger(GroupNotifications.class);

    private final RaftMetrics metrics;
    private volatile MusterStateMachine.GroupListener listener = new MusterStateMachine.GroupListener() {
    };

    GroupNotifications(RaftMetrics metrics) {
        this.metrics = metrics;
    }

    void listen(MusterStateMachine.GroupListener groupListener) {
        this.listener = groupListener;
    }

    void configurationChanged() {
        quietly("configuration change", listener::configurationChanged);
    }

    void leaderChanged() {
        quietly("leader change", metrics::leaderChanged);
    }

    /** This node's division shut down: removed from the group unless the whole server stops. */
    void serverShutdown(boolean allServer) {
        if (!allServer) {
            quietly("removal", listener::removed);
        }
    }

    private static void quietly(String what, Runnable notification) {
        try {
            notification.run();
        } catch (RuntimeException e) {
            log.error("a listener failed on a {} notification; ignored", what, e);
        }
    }
}
