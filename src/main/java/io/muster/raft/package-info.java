/**
 * The Ratis adapter: the only package that imports {@code org.apache.ratis}.
 *
 * <p>{@link io.muster.raft.RaftNode} starts and stops the Raft server and is this node's
 * {@code Replica} (the group it starts with is {@link io.muster.raft.GroupFormation}'s, its clients
 * {@link io.muster.raft.RaftClients}', what it reports of itself {@link io.muster.raft.LocalStatus}');
 * {@link io.muster.raft.MusterStateMachine} decodes log entries, applies them to the core and hands the
 * effects on, with {@link io.muster.raft.Snapshots} deciding when a snapshot is taken and
 * {@link io.muster.raft.SnapshotWriter} writing it; {@link io.muster.raft.RatisConsensus} is the
 * gateway's {@code Consensus} (proposals, the ReadIndex barrier, questions to the leader);
 * {@link io.muster.raft.ConfigurationChanges} makes the membership changes it is asked for.
 *
 * <p>No business rule lives here: what the leader admits is {@code io.muster.cluster.AdmissionPolicy}'s
 * (behind {@link io.muster.raft.Admission}), which membership change is allowed and when is
 * {@code io.muster.cluster.Membership}'s and {@code DesiredMembership}'s. This package may import
 * {@code io.muster.core}, {@code io.muster.replication}, {@code io.muster.support} and the properties,
 * never a feature package. Features never import it: they use {@code io.muster.replication}.
 *
 * <p>Threading: Ratis applies entries on one updater thread per group; reads run on request threads
 * and are serialised against apply by the state machine's read/write lock.
 */
package io.muster.raft;
