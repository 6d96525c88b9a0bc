package io.muster.core;

/**
 * What stating desired voters did.
 *
 * @param desired  the desired voters in force now
 * @param replaced whether the command's generation was newer and replaced them
 */
public record DesiredVotersSet(long revision, DesiredVoters desired, boolean replaced) implements Result {
}
