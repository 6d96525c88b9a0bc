package io.muster.core;

/**
 * What raising the cluster version did.
 *
 * @param level  the cluster's level now
 * @param raised whether the command's level was higher and replaced it
 */
public record ClusterVersionRaised(long revision, int level, boolean raised) implements Result {
}
