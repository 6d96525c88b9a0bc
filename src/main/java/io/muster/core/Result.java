package io.muster.core;

/**
 * What applying a command produced. Every result names the revision it was applied at: the log
 * index of the command.
 */
public sealed interface Result permits PutResult, DeleteResult, TxnResult, Rejected, LeaseGranted, LeasesEnded,
        InstanceWritten, InstanceRemoved, LockResult, TokenResult,
        DesiredVotersSet, ClusterVersionRaised, PrefixDeleted, ReleaseResult {

    long revision();
}
