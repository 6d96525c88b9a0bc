package io.muster.core;

/**
 * An instance was registered, updated or had its status set at {@code revision}.
 *
 * @param created      whether it is new
 * @param leaseGranted whether this command granted its lease (its id is then {@code revision})
 */
public record InstanceWritten(long revision, Instance instance, boolean created, boolean leaseGranted)
        implements Result {
}
