package io.muster.raft;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops this node's process when it meets a log entry it cannot apply: one written by a newer Muster
 * (an unknown command, or a cluster version above this build's). Going on is impossible (every later
 * entry depends on this one) and failing the apply is worse: Ratis retries a failed apply forever, at
 * full CPU, while the node still looks alive. So the node says what to do and exits at once, without
 * running shutdown hooks that would wait on this very thread; a supervisor that restarts it with the
 * same build sees the same message, until the node is upgraded.
 */
final class Unappliable {

    private static final Logger log = LoggerFactory.getLogger(Unappliable.class);
    /** EX_SOFTWARE of sysexits.h. */
    static final int EXIT_STATUS = 70;

    private Unappliable() {
    }

    static void halt(long index, String why) {
        log.error("cannot apply log entry {}: {}. This build is older than the cluster: upgrade this node to the "
                + "cluster's build (a cluster version never goes down, so an older build cannot rejoin). Stopping "
                + "the process with status {}.", index, why, EXIT_STATUS);
        Runtime.getRuntime().halt(EXIT_STATUS);
    }
}
