/**
 * The cluster as operators see it: {@code /v1/cluster} and the {@code raft} health component. Reads
 * the Raft node's status through {@link io.muster.raft.RaftNode}; never imports Ratis.
 */
package io.muster.cluster;
