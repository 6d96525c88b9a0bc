/**
 * The Ratis adapter: the only package that imports {@code org.apache.ratis}.
 *
 * <p>{@link io.muster.raft.RaftNode} starts and stops the Raft server and the node's shared client;
 * {@link io.muster.raft.MusterStateMachine} decodes log entries, applies them to the core and
 * snapshots the result; {@link io.muster.raft.Gateway} turns commands into replicated writes and
 * consistent reads for the web layer. No business rule lives here.
 *
 * <p>Threading: Ratis applies entries on one updater thread per group; reads run on request threads
 * and are serialised against apply by the state machine's read/write lock.
 */
package io.muster.raft;
