package io.muster.replication;

/** How fresh a read must be. */
public enum Consistency {
    /** Reflects every write acknowledged before the read began (Raft ReadIndex, servable on any node). */
    LINEARIZABLE,
    /** This node's applied state now, without asking the leader; says which revision it reflects. */
    STALE
}
