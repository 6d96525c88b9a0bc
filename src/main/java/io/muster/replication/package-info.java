/**
 * The replication boundary: what every feature uses to write, read and follow the replicated state,
 * without knowing that Ratis is underneath.
 *
 * <p>{@link io.muster.replication.Gateway} makes typed, authored writes ({@code Command.Returns<R>} in,
 * {@code R} out, or a {@code RejectedException}) and reads at a {@link io.muster.replication.Consistency};
 * {@link io.muster.replication.Replica} is this node as a member (its status, headline, leading term,
 * whether it hears a leader); {@link io.muster.replication.ReplicatedState} is the state it applied
 * (local reads, applied index, digests, cluster version); {@link io.muster.replication.AppliedChanges}
 * is how a follower of the state hears apply, and {@link io.muster.replication.Subscribers} is the one
 * place they are wired; {@link io.muster.replication.MemberVersions} holds what the members last said
 * of the cluster versions they support. The Ratis adapter ({@code io.muster.raft}) implements
 * {@link io.muster.replication.Consensus}, {@code Replica} and {@code ReplicatedState}.
 *
 * <p>This package depends on the core and the helpers only; features depend on it and never on
 * {@code io.muster.raft} ({@code TidyTest} checks both). Only {@code io.muster.cluster}, which changes
 * the Raft configuration itself, reaches into the adapter.
 */
package io.muster.replication;
