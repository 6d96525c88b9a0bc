/**
 * The cluster as operators see it and the rules that govern it: {@code /v1/cluster} and its status
 * stream ({@link io.muster.cluster.ClusterWatches}: one duty reads the status for every stream), the {@code raft}
 * health component, the membership policy ({@link io.muster.cluster.Membership}: one change at a time,
 * never at the cost of the quorum; {@link io.muster.cluster.DesiredMembership}: steering toward the
 * deployment's voters) and what the leader admits into the log ({@link io.muster.cluster.AdmissionPolicy}).
 * Reads the node's status through {@link io.muster.replication.Replica}; changes the configuration
 * through {@link io.muster.raft.ConfigurationChanges} (the one feature package that reaches into the
 * Ratis adapter, for that alone); never imports Ratis.
 */
package io.muster.cluster;
