package io.muster.core;

/**
 * The feature levels of the replicated state machine: what every member must understand before a
 * command of a level may be proposed, or a snapshot format written. A cluster runs at the level in its
 * state ({@link KvStore#clusterVersion}), which only rises, by a logged {@link Command.RaiseClusterVersion}
 * that the cluster proposes once every member says it supports the new level. During a rolling upgrade
 * old and new builds therefore apply the same log: a new build proposes nothing an old one cannot
 * decode until the last old one has gone.
 *
 * <p>Levels are append only, like the codec's tags: a build supports every level up to its own.
 * <ul>
 * <li>1: everything before levels existed (entry format 1, snapshot formats up to 5). Every build
 *     understands it, including those that cannot answer which level they support.</li>
 * <li>2: {@link Command.RaiseClusterVersion}, {@link Command.DeletePrefix}, snapshot format 6 (which
 *     carries the cluster version).</li>
 * <li>3: tokens confined to services: {@link Command.CreateToken} with services (its own command tag),
 *     a token result that carries them, snapshot format 7 (tokens with their services).</li>
 * <li>4: configuration releases ({@link Release}): the release commands and result, their rejection
 *     reasons, snapshot format 8 (which carries the releases).</li>
 * </ul>
 */
public final class ClusterVersion {

    /** The level every build understands; a cluster's level before anything raised it. */
    public static final int BASELINE = 1;

    /** The highest level this build supports. */
    public static final int SUPPORTED = 4;

    private ClusterVersion() {
    }

    /** The level every member must support before {@code command} may be proposed. */
    public static int required(Command command) {
        return switch (command) {
            case Command.RaiseClusterVersion _, Command.DeletePrefix _ -> 2;
            case Command.CreateToken create -> create.services().isEmpty() ? BASELINE : 3;
            case Command.CreateRelease _, Command.UpdateRelease _, Command.RebaseRelease _, Command.GrayRelease _,
                    Command.PublishRelease _, Command.AbandonRelease _, Command.RollbackRelease _,
                    Command.RestoreDocument _ -> 4;
            case Command.Authored authored -> required(authored.command());
            case Command.Put _, Command.Delete _, Command.Txn _, Command.GrantLease _, Command.RevokeLease _,
                    Command.ExpireLeases _, Command.RegisterInstance _, Command.DeregisterInstance _,
                    Command.SetInstanceStatus _, Command.AcquireLock _, Command.ReleaseLock _,
                    Command.CancelLockWait _, Command.RevokeToken _,
                    Command.SetDesiredVoters _ -> BASELINE;
        };
    }
}
