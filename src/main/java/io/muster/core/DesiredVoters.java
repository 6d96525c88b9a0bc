package io.muster.core;

import java.util.List;

/**
 * The voters an operator wants, as the newest deployment said (e.g. a Helm release's revision): the
 * leader changes the Raft configuration toward them one member at a time. Replicated, so that every
 * leader steers toward the same set, and a node still running an older deployment's settings cannot
 * steer it back: only a higher generation replaces it.
 *
 * @param generation increases with every deployment; 0 means none was ever stated
 * @param peers      {@code id=host:port} of each wanted voter
 */
public record DesiredVoters(long generation, List<String> peers) {

    public static final DesiredVoters NONE = new DesiredVoters(0, List.of());
    public static final int MAX_PEERS = 15;

    public DesiredVoters {
        peers = List.copyOf(peers);
    }
}
