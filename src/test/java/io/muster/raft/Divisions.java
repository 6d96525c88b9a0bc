package io.muster.raft;

import java.io.IOException;

/** Reaches into a node's Raft server for tests that must break it the way Ratis sometimes does itself. */
public final class Divisions {

    private Divisions() {
    }

    /**
     * Closes {@code node}'s Raft division underneath it, as Ratis 3.3.0 does on the late-append race
     * after a snapshot install: the node keeps running, and stays a member of its group.
     */
    public static void closeUnderneath(RaftNode node) throws IOException {
        node.division().close();
    }
}
