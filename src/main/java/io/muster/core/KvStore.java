package io.muster.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The replicated state: keys, leases, service instances, locks, tokens, the desired voters and the
 * results remembered for idempotency keys, each kept by its own table, with the revision (the last
 * applied log index) and the applied time (the largest leader time seen, so it never moves back).
 *
 * <p>{@link #apply} is a pure function of this state, the log index and the stamped command: it checks
 * the command's rules and author, dispatches it to the table it is about, and returns what it did as
 * one {@link Applied} value. Not thread-safe: one writer, readers serialised against it by the owner.
 */
public final class KvStore {

    /** The most results remembered for idempotency keys; beyond, the soonest to expire is forgotten. */
    public static final int MAX_REMEMBERED = 100_000;

    private final Now now = new Now();
    private final Effects effects = new Effects();
    private final KeyTable keys = new KeyTable(now, effects);
    private final LeaseTable leases = new LeaseTable(now, effects);
    private final InstanceTable instances = new InstanceTable(now, effects);
    private final LockTable locks = new LockTable(now, effects);
    private final TokenTable tokens = new TokenTable(now, effects);
    private final RememberedTable remembered = new RememberedTable(now);
    private final ReleaseTable releases = new ReleaseTable(now, effects);
    private DesiredVoters desiredVoters = DesiredVoters.NONE;
    private int clusterVersion = ClusterVersion.BASELINE;

    public KvStore() {
    }

    static KvStore restoring(long revision, long timeMillis) {
        KvStore store = new KvStore();
        store.now.revision = revision;
        store.now.timeMillis = timeMillis;
        return store;
    }

    void restore(Lease lease) {
        leases.restore(lease);
        keys.leaseGranted(lease.id());
        instances.leaseGranted(lease.id());
    }

    void restore(Instance instance) {
        instances.restore(instance);
    }

    void restore(Lock lock) {
        locks.restore(lock, leases);
    }

    void restore(Token token) {
        tokens.restore(token);
    }

    void restore(Remembered result) {
        remembered.restore(result);
    }

    void restore(DesiredVoters desired) {
        if (desiredVoters.generation() != 0 || desired.generation() < 0) {
            throw new UndecodableException("snapshot holds desired voters twice or with a negative generation");
        }
        desiredVoters = desired;
    }

    void restore(int level) {
        if (clusterVersion != ClusterVersion.BASELINE || level < ClusterVersion.BASELINE) {
            throw new UndecodableException("snapshot cluster version " + level + " is duplicated or below the baseline");
        }
        clusterVersion = level;
    }

    void restore(Entry entry) {
        keys.restore(entry);
    }

    void restore(Release release) {
        releases.restore(release);
    }

    /**
     * Applies the command of log entry {@code index}.
     *
     * @return the command's result with everything it changed and its audit record
     * @throws IllegalStateException when {@code index} does not advance the revision: the log was
     *                               applied out of order, and this replica must stop
     */
    public Applied apply(long index, Stamp stamp, Command command) {
        advance(index);
        now.timeMillis = Math.max(now.timeMillis, stamp.timeMillis());
        effects.clear();
        remembered.forgetExpired();
        Result result = decide(stamp, command);
        boolean replayed = result.revision() != index;
        return effects.applied(index, result, AuditTrail.of(command, result, now.timeMillis, replayed));
    }

    private Result decide(Stamp stamp, Command command) {
        String problem = stamp.problem();
        if (problem == null) {
            problem = CommandRules.problem(command);
        }
        if (problem != null) {
            return now.rejected(Rejected.Reason.INVALID_COMMAND, "", problem);
        }
        if (command instanceof Command.Authored authored) {
            Rejected denied = authorize(authored);
            if (denied != null) {
                return denied;
            }
            return authored.idempotent() ? idempotent(authored, stamp) : dispatch(authored, stamp);
        }
        return dispatch(command, stamp, Command.Authored.ANONYMOUS, null);
    }

    private Result dispatch(Command.Authored authored, Stamp stamp) {
        return dispatch(authored.command(), stamp, authored.principal(), tokens.get(authored.principal()));
    }

    /**
     * @param principal who sent it ({@link Command.Authored#ANONYMOUS} for a node without security and
     *                  for Muster's own commands)
     * @param token     the principal's token, or {@code null} when there is none to check
     */
    private Result dispatch(Command command, Stamp stamp, String principal, Token token) {
        return switch (command) {
            case Command.Put put -> keys.put(put, stamp, leases);
            case Command.Delete delete -> keys.delete(delete);
            case Command.Txn txn -> keys.txn(txn, stamp, leases);
            case Command.GrantLease grant -> new LeaseGranted(now.revision, grant(grant.ttlMillis()));
            case Command.RevokeLease revoke ->
                    leases.exists(revoke.id()) ? end(List.of(revoke.id()), false) : now.leaseNotFound("", revoke.id());
            case Command.ExpireLeases expire -> end(expire.ids(), true);
            case Command.RegisterInstance register -> instances.register(register, leases, this);
            case Command.DeregisterInstance deregister -> instances.deregister(deregister);
            case Command.SetInstanceStatus status -> instances.setStatus(status);
            case Command.AcquireLock acquire -> locks.acquire(acquire, leases);
            case Command.ReleaseLock release -> locks.release(release);
            case Command.CancelLockWait cancel -> locks.cancel(cancel);
            case Command.CreateToken create -> tokens.create(create);
            case Command.RevokeToken revoke -> tokens.revoke(revoke);
            case Command.SetDesiredVoters desired -> desire(desired);
            case Command.RaiseClusterVersion raise -> raise(raise.level());
            case Command.DeletePrefix deletePrefix -> keys.deletePrefix(deletePrefix.prefix(),
                    clusterVersion >= 4 && token != null && !token.role().includes(Role.ADMIN));
            case Command.CreateRelease create -> releases.create(create, principal, keys);
            case Command.UpdateRelease update -> releases.update(update, principal, token, keys);
            case Command.RebaseRelease rebase -> releases.rebase(rebase, token, keys);
            case Command.GrayRelease gray -> releases.gray(gray, principal, token, keys);
            case Command.PublishRelease publish -> releases.publish(publish, principal, token, keys, stamp);
            case Command.AbandonRelease abandon -> releases.abandon(abandon, token);
            case Command.RollbackRelease rollback -> releases.rollback(rollback, principal, token, keys, stamp);
            case Command.RestoreDocument restore -> releases.restore(restore, principal, keys, stamp);
            // CommandRules refuses an authored command that wraps another before it gets here.
            case Command.Authored authored -> throw new IllegalStateException("no apply for nested " + authored);
        };
    }

    private ClusterVersionRaised raise(int level) {
        boolean higher = level > clusterVersion;
        if (higher) {
            clusterVersion = level;
        }
        return new ClusterVersionRaised(now.revision, clusterVersion, higher);
    }

    private DesiredVotersSet desire(Command.SetDesiredVoters desired) {
        boolean newer = desired.generation() > desiredVoters.generation();
        if (newer) {
            desiredVoters = new DesiredVoters(desired.generation(), desired.peers());
        }
        return new DesiredVotersSet(now.revision, desiredVoters, newer);
    }

    /**
     * Checks an authored command against the tokens as they are at this point of the log: its author
     * must still exist and be allowed the command. Anonymous commands come from nodes that do not
     * check tokens and pass.
     */
    private Rejected authorize(Command.Authored authored) {
        if (authored.principal().equals(Command.Authored.ANONYMOUS)) {
            return null;
        }
        Token token = tokens.get(authored.principal());
        String denial = token == null ? "token '" + authored.principal() + "' does not exist (revoked or never created)"
                : Access.denial(token, authored.command(), clusterVersion);
        return denial == null ? null : now.rejected(Rejected.Reason.PERMISSION_DENIED, "", denial);
    }

    /**
     * Applies an idempotent command once per principal and key within its window: a repeat gets the
     * first result (at its revision) and changes nothing; the key used for a different command is refused.
     */
    private Result idempotent(Command.Authored authored, Stamp stamp) {
        String slot = Remembered.slot(authored.principal(), authored.idempotencyKey());
        byte[] fingerprint = fingerprint(authored.command());
        Remembered seen = remembered.get(slot);
        if (seen != null) {
            return Arrays.equals(seen.fingerprint(), fingerprint) ? seen.result()
                    : now.rejected(Rejected.Reason.IDEMPOTENCY_KEY_REUSED, "", "Idempotency-Key '"
                            + authored.idempotencyKey() + "' was used for a different request within its window");
        }
        Result result = dispatch(authored, stamp);
        remembered.add(new Remembered(slot, fingerprint, now.timeMillis + authored.idempotencyWindowMillis(), result));
        return result;
    }

    private static byte[] fingerprint(Command command) {
        return Sha256.of(CommandCodec.encodeCommand(command));
    }

    /** Grants a lease at this revision; keys and instances may be bound to it from now on. */
    Lease grant(long ttlMillis) {
        Lease lease = leases.grant(ttlMillis);
        keys.leaseGranted(lease.id());
        instances.leaseGranted(lease.id());
        return lease;
    }

    /**
     * Ends the leases among {@code ids} that exist, deleting their keys, removing their instances and
     * dropping them from locks' holders and queues; the others are skipped.
     */
    private LeasesEnded end(List<Long> ids, boolean expired) {
        TreeSet<Long> ended = new TreeSet<>();
        TreeSet<String> deleted = new TreeSet<>();
        NavigableMap<String, Instance> removed = new TreeMap<>();
        for (long id : ids) {
            if (leases.end(id)) {
                ended.add(id);
                keys.leaseEnded(id, deleted);
                instances.leaseEnded(id, removed);
            }
        }
        ended.forEach(effects::ended);
        deleted.forEach(key -> effects.keyDeleted(key, expired));
        removed.values().forEach(instance -> effects.instanceRemoved(instance.service(), instance.id(), expired));
        List<String> changedLocks = locks.leasesEnded(ended);
        return new LeasesEnded(now.revision, new ArrayList<>(ended), new ArrayList<>(deleted), expired,
                new ArrayList<>(removed.keySet()), changedLocks);
    }

    /**
     * Forgets the desired voters: a state restored from a backup belongs to a new deployment, whose own
     * generations must not lose against the old deployment's.
     */
    public void forgetDesiredVoters() {
        desiredVoters = DesiredVoters.NONE;
    }

    /** Moves the revision to {@code index} for a log entry that carries no command (e.g. a Raft configuration). */
    public void advance(long index) {
        if (index <= now.revision) {
            throw new IllegalStateException("log index " + index + " does not advance revision " + now.revision);
        }
        now.revision = index;
    }

    /**
     * Everything a snapshot holds, copied in one pass. The records are immutable, so the copy shares
     * them and costs one reference each: a million entries take milliseconds, and the image can then
     * be written out while this store goes on applying.
     */
    public Image image() {
        return new Image(now.revision, now.timeMillis, List.copyOf(leases.all()), List.copyOf(keys.entries()),
                List.copyOf(instances.all()), List.copyOf(locks.all()), List.copyOf(tokens.all()), desiredVoters,
                List.copyOf(remembered.all()), clusterVersion, List.copyOf(releases.all()));
    }

    /** The state of a store at one revision, as {@link SnapshotCodec} writes it; every list in key order. */
    public record Image(long revision, long timeMillis, List<Lease> leases, List<Entry> entries,
            List<Instance> instances, List<Lock> locks, List<Token> tokens, DesiredVoters desiredVoters,
            List<Remembered> remembered, int clusterVersion, List<Release> releases) {
    }

    // ------------------------------------------------------------------------------------------ reads

    public long revision() {
        return now.revision;
    }

    public long timeMillis() {
        return now.timeMillis;
    }

    public Entry get(String key) {
        return keys.get(key);
    }

    /** Up to {@code limit} entries whose keys start with {@code prefix} and sort after {@code after}. */
    public Page range(String prefix, String after, int limit) {
        return keys.range(prefix, after, limit);
    }

    public int size() {
        return keys.size();
    }

    /** Every entry in key order; a live view, to be read only under the owner's read lock. */
    public Collection<Entry> entries() {
        return keys.entries();
    }

    public Lease lease(long id) {
        return leases.get(id);
    }

    /** Every lease by id; a live view, to be read only under the owner's read lock. */
    public Collection<Lease> leases() {
        return leases.all();
    }

    /** The keys bound to lease {@code id}, in key order (empty when there is no such lease). */
    public List<String> keysOf(long id) {
        return keys.boundTo(id);
    }

    /** The leases with ids above {@code after}, by id; a live view, to be read only under the owner's read lock. */
    public Collection<Lease> leasesAfter(long after) {
        return leases.after(after);
    }

    /** How many keys are bound to lease {@code id} (0 when there is no such lease). */
    public int keyCountOf(long id) {
        return keys.countBoundTo(id);
    }

    /** How many service instances are bound to lease {@code id} (0 when there is no such lease). */
    public int instanceCountOf(long id) {
        return instances.countBoundTo(id);
    }

    public Instance instance(String service, String id) {
        return instances.get(service, id);
    }

    /** The instances of {@code service}, by id. */
    public Collection<Instance> instancesOf(String service) {
        return instances.of(service);
    }

    /** Every instance by {@link Instance#key}; a live view, to be read only under the owner's read lock. */
    public Collection<Instance> instances() {
        return instances.all();
    }

    /** Lock {@code name}, or {@code null} when nobody holds or waits for it. */
    public Lock lock(String name) {
        return locks.get(name);
    }

    /** Every lock with a holder or waiters, by name; a live view, to be read only under the owner's read lock. */
    public Collection<Lock> locks() {
        return locks.all();
    }

    /** The locks whose names start with {@code prefix}, by name; a live view, as {@link #locks()}. */
    public Collection<Lock> locks(String prefix) {
        return locks.under(prefix);
    }

    /** The token of that name, or {@code null}. */
    public Token token(String name) {
        return tokens.get(name);
    }

    /** The token whose secret has SHA-256 {@code secretHash}, or {@code null}. */
    public Token tokenByHash(byte[] secretHash) {
        return tokens.byHash(secretHash);
    }

    /** Every token by name; a live view, to be read only under the owner's read lock. */
    public Collection<Token> tokens() {
        return tokens.all();
    }

    /** Release {@code id}, or {@code null} (never created, or pruned). */
    public Release release(long id) {
        return releases.get(id);
    }

    /** Every release by id; a live view, to be read only under the owner's read lock. */
    public Collection<Release> releases() {
        return releases.all();
    }

    /** The gray release that holds document {@code key}, or {@code null}. */
    public Release grayRelease(String key) {
        return releases.grayOf(key);
    }

    /**
     * The published release whose publish wrote {@code key} at {@code modRevision}, or {@code null}: looked
     * up in the releases of the key's group, never by scanning them all.
     */
    public Release publisherOf(String key, long modRevision) {
        return releases.publisherOf(key, modRevision);
    }

    /** The cluster's feature level ({@link ClusterVersion}): what every member understood when it was raised. */
    public int clusterVersion() {
        return clusterVersion;
    }

    /** The voters the newest deployment wants ({@link DesiredVoters#NONE} when none was ever stated). */
    public DesiredVoters desiredVoters() {
        return desiredVoters;
    }

    /** What {@code principal}'s command under Idempotency-Key {@code key} produced, while remembered; else {@code null}. */
    public Remembered remembered(String principal, String key) {
        return remembered.get(Remembered.slot(principal, key));
    }

    /** Every result remembered for an idempotency key; a live view, to be read only under the owner's read lock. */
    public Collection<Remembered> remembered() {
        return remembered.all();
    }
}
