package io.muster.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The replicated key/value state: entries in key order, the leases they may be bound to, the
 * revision (the last applied log index) and the applied time (the largest leader time seen, so it
 * never moves back).
 *
 * <p>{@link #apply} is a pure function of this state, the log index and the stamped command. Not
 * thread-safe: one writer, readers serialised against it by the owner.
 */
public final class KvStore {

    private final NavigableMap<String, Entry> entries = new TreeMap<>();
    private final NavigableMap<Long, Lease> leases = new TreeMap<>();
    /** The keys bound to each lease; derived from the entries, so never part of a snapshot. */
    private final Map<Long, NavigableSet<String>> boundKeys = new TreeMap<>();
    /** Service instances by {@link Instance#key}. */
    private final NavigableMap<String, Instance> instances = new TreeMap<>();
    /** The instances bound to each lease, by {@link Instance#key}; derived, like {@link #boundKeys}. */
    private final Map<Long, NavigableSet<String>> boundInstances = new TreeMap<>();
    /** Locks (and elections) that have a holder or waiters, by name. */
    private final NavigableMap<String, Lock> locks = new TreeMap<>();
    /** API tokens by name. */
    private final NavigableMap<String, Token> tokens = new TreeMap<>();
    /** Token names by the hex SHA-256 of their secret; derived from {@link #tokens}, never in a snapshot. */
    private final Map<String, String> tokensByHash = new TreeMap<>();
    private DesiredVoters desiredVoters = DesiredVoters.NONE;
    /** Results of idempotent commands by {@link Remembered#slot}, while their windows last. */
    private final NavigableMap<String, Remembered> remembered = new TreeMap<>();
    /** The same results by expiry, then slot, for forgetting them in time order; derived, never in a snapshot. */
    private final NavigableSet<Remembered> expiries = new TreeSet<>(
            java.util.Comparator.comparingLong(Remembered::expiresAtMillis)
                    .thenComparing(Remembered::slot, java.util.Comparator.naturalOrder()));
    private long revision;
    private long timeMillis;

    public KvStore() {
    }

    static KvStore restoring(long revision, long timeMillis) {
        KvStore store = new KvStore();
        store.revision = revision;
        store.timeMillis = timeMillis;
        return store;
    }

    void restore(Lease lease) {
        if (lease.id() > revision || leases.put(lease.id(), lease) != null) {
            throw new UndecodableException("snapshot lease " + lease.id() + " is duplicated or newer than the snapshot");
        }
        boundKeys.put(lease.id(), new TreeSet<>());
        boundInstances.put(lease.id(), new TreeSet<>());
    }

    void restore(Instance instance) {
        NavigableSet<String> bound = boundInstances.get(instance.lease());
        if (instance.modRevision() > revision || bound == null || instances.put(instance.key(), instance) != null) {
            throw new UndecodableException("snapshot instance '" + instance.key()
                    + "' is duplicated, newer than the snapshot, or bound to a missing lease");
        }
        bound.add(instance.key());
    }

    void restore(Lock lock) {
        boolean bound = (lock.holder() == null || leases.containsKey(lock.holder().lease()))
                && lock.waiters().stream().allMatch(waiter -> leases.containsKey(waiter.lease()));
        if (!bound || locks.put(lock.name(), lock) != null) {
            throw new UndecodableException("snapshot lock '" + lock.name() + "' is duplicated or bound to a missing lease");
        }
    }

    void restore(Token token) {
        if (token.createRevision() > revision || tokens.containsKey(token.name())
                || tokensByHash.containsKey(hex(token.secretHash()))) {
            throw new UndecodableException("snapshot token '" + token.name()
                    + "' is duplicated, shares a secret with another, or is newer than the snapshot");
        }
        putToken(token);
    }

    void restore(Remembered result) {
        if (remembered.containsKey(result.slot()) || result.result().revision() > revision) {
            throw new UndecodableException("snapshot remembers an idempotency key twice or from after the snapshot");
        }
        remember(result);
    }

    void restore(DesiredVoters desired) {
        if (desiredVoters.generation() != 0 || desired.generation() < 0) {
            throw new UndecodableException("snapshot holds desired voters twice or with a negative generation");
        }
        desiredVoters = desired;
    }

    void restore(Entry entry) {
        if (entry.modRevision() > revision || entries.put(entry.key(), entry) != null) {
            throw new UndecodableException("snapshot entry '" + entry.key() + "' is duplicated or newer than the snapshot");
        }
        if (entry.lease() != 0) {
            NavigableSet<String> keys = boundKeys.get(entry.lease());
            if (keys == null) {
                throw new UndecodableException("snapshot entry '" + entry.key() + "' is bound to missing lease "
                        + entry.lease());
            }
            keys.add(entry.key());
        }
    }

    /**
     * Applies the command of log entry {@code index}.
     *
     * @throws IllegalStateException when {@code index} does not advance the revision: the log was
     *                               applied out of order, and this replica must stop
     */
    public Result apply(long index, Stamp stamp, Command command) {
        advance(index);
        timeMillis = Math.max(timeMillis, stamp.timeMillis());
        forgetExpired();
        String problem = stamp.problem();
        if (problem == null) {
            problem = CommandRules.problem(command);
        }
        if (problem != null) {
            return new Rejected(revision, Rejected.Reason.INVALID_COMMAND, "", 0, problem);
        }
        if (command instanceof Command.Authored authored) {
            Rejected denied = authorize(authored);
            if (denied != null) {
                return denied;
            }
            return authored.idempotent() ? idempotent(authored, stamp) : dispatch(authored.command(), stamp);
        }
        return dispatch(command, stamp);
    }

    private Result dispatch(Command command, Stamp stamp) {
        if (command instanceof Command.Put put) {
            return put(put, stamp);
        }
        if (command instanceof Command.Delete delete) {
            return delete(delete);
        }
        if (command instanceof Command.Txn txn) {
            return txn(txn, stamp);
        }
        if (command instanceof Command.GrantLease grant) {
            return grant(grant);
        }
        if (command instanceof Command.RevokeLease revoke) {
            return revoke(revoke);
        }
        if (command instanceof Command.ExpireLeases expire) {
            return end(expire.ids(), true);
        }
        if (command instanceof Command.RegisterInstance register) {
            return register(register);
        }
        if (command instanceof Command.DeregisterInstance deregister) {
            return deregister(deregister);
        }
        if (command instanceof Command.SetInstanceStatus status) {
            return setStatus(status);
        }
        if (command instanceof Command.AcquireLock acquire) {
            return acquire(acquire);
        }
        if (command instanceof Command.ReleaseLock release) {
            return release(release);
        }
        if (command instanceof Command.CancelLockWait cancel) {
            return cancel(cancel);
        }
        if (command instanceof Command.CreateToken create) {
            return createToken(create);
        }
        if (command instanceof Command.RevokeToken revoke) {
            return revokeToken(revoke);
        }
        if (command instanceof Command.SetDesiredVoters desired) {
            boolean newer = desired.generation() > desiredVoters.generation();
            if (newer) {
                desiredVoters = new DesiredVoters(desired.generation(), desired.peers());
            }
            return new DesiredVotersSet(revision, desiredVoters, newer);
        }
        throw new IllegalStateException("no apply for " + command);
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
                : Access.denial(token, authored.command());
        return denial == null ? null : new Rejected(revision, Rejected.Reason.PERMISSION_DENIED, "", 0, denial);
    }

    /**
     * Forgets the desired voters: a state restored from a backup belongs to a new deployment, whose own
     * generations must not lose against the old deployment's.
     */
    public void forgetDesiredVoters() {
        desiredVoters = DesiredVoters.NONE;
    }

    /**
     * Everything a snapshot holds, copied in one pass. The records are immutable, so the copy shares
     * them and costs one reference each: a million entries take milliseconds, and the image can then
     * be written out while this store goes on applying.
     */
    public Image image() {
        return new Image(revision, timeMillis, List.copyOf(leases.values()), List.copyOf(entries.values()),
                List.copyOf(instances.values()), List.copyOf(locks.values()), List.copyOf(tokens.values()),
                desiredVoters, List.copyOf(remembered.values()));
    }

    /** The state of a store at one revision, as {@link SnapshotCodec} writes it; every list in key order. */
    public record Image(long revision, long timeMillis, List<Lease> leases, List<Entry> entries,
            List<Instance> instances, List<Lock> locks, List<Token> tokens, DesiredVoters desiredVoters,
            List<Remembered> remembered) {
    }

    /** The voters the newest deployment wants ({@link DesiredVoters#NONE} when none was ever stated). */
    public DesiredVoters desiredVoters() {
        return desiredVoters;
    }

    /** The most results remembered for idempotency keys; beyond, the soonest to expire is forgotten. */
    public static final int MAX_REMEMBERED = 100_000;

    /**
     * Applies an idempotent command once per principal and key within its window: a repeat gets the
     * first result (at its revision) and changes nothing; the key used for a different command is refused.
     */
    private Result idempotent(Command.Authored authored, Stamp stamp) {
        String slot = Remembered.slot(authored.principal(), authored.idempotencyKey());
        byte[] fingerprint = fingerprint(authored.command());
        Remembered seen = remembered.get(slot);
        if (seen != null) {
            return java.util.Arrays.equals(seen.fingerprint(), fingerprint) ? seen.result()
                    : new Rejected(revision, Rejected.Reason.IDEMPOTENCY_KEY_REUSED, "", 0, "Idempotency-Key '"
                            + authored.idempotencyKey() + "' was used for a different request within its window");
        }
        Result result = dispatch(authored.command(), stamp);
        remember(new Remembered(slot, fingerprint, timeMillis + authored.idempotencyWindowMillis(), result));
        while (remembered.size() > MAX_REMEMBERED) {
            forget(expiries.first());
        }
        return result;
    }

    /** What {@code principal}'s command under Idempotency-Key {@code key} produced, while remembered; else {@code null}. */
    public Remembered remembered(String principal, String key) {
        return remembered.get(Remembered.slot(principal, key));
    }

    /** Every result remembered for an idempotency key; a live view, to be read only under the owner's read lock. */
    public Collection<Remembered> remembered() {
        return remembered.values();
    }

    private void remember(Remembered result) {
        remembered.put(result.slot(), result);
        expiries.add(result);
    }

    private void forget(Remembered result) {
        expiries.remove(result);
        remembered.remove(result.slot());
    }

    /** Forgets the results whose window ended by the applied time. */
    private void forgetExpired() {
        while (!expiries.isEmpty() && expiries.first().expiresAtMillis() <= timeMillis) {
            forget(expiries.first());
        }
    }

    private static byte[] fingerprint(Command command) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(CommandCodec.encodeCommand(command));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** The token of that name, or {@code null}. */
    public Token token(String name) {
        return tokens.get(name);
    }

    /** The token whose secret has SHA-256 {@code secretHash}, or {@code null}. */
    public Token tokenByHash(byte[] secretHash) {
        String name = tokensByHash.get(hex(secretHash));
        return name == null ? null : tokens.get(name);
    }

    /** Every token by name; a live view, to be read only under the owner's read lock. */
    public Collection<Token> tokens() {
        return tokens.values();
    }

    private Result createToken(Command.CreateToken create) {
        Token existing = tokens.get(create.name());
        String holder = tokensByHash.get(hex(create.secretHash()));
        if (existing != null && !create.replace()) {
            return new Rejected(revision, Rejected.Reason.TOKEN_EXISTS, "", 0,
                    "a token named '" + create.name() + "' already exists");
        }
        if (holder != null && !holder.equals(create.name())) {
            return new Rejected(revision, Rejected.Reason.TOKEN_EXISTS, "", 0,
                    "another token already has this secret");
        }
        if (existing != null) {
            tokensByHash.remove(hex(existing.secretHash()));
        }
        Token token = new Token(create.name(), create.secretHash().clone(), create.role(), create.prefixes(), revision,
                timeMillis);
        putToken(token);
        return new TokenResult(revision, token.name(), token);
    }

    private Result revokeToken(Command.RevokeToken revoke) {
        Token removed = tokens.remove(revoke.name());
        if (removed == null) {
            return new Rejected(revision, Rejected.Reason.TOKEN_NOT_FOUND, "", 0,
                    "no token named '" + revoke.name() + "'");
        }
        tokensByHash.remove(hex(removed.secretHash()));
        return new TokenResult(revision, revoke.name(), null);
    }

    private void putToken(Token token) {
        tokens.put(token.name(), token);
        tokensByHash.put(hex(token.secretHash()), token.name());
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    /** Moves the revision to {@code index} for a log entry that carries no command (e.g. a Raft configuration). */
    public void advance(long index) {
        if (index <= revision) {
            throw new IllegalStateException("log index " + index + " does not advance revision " + revision);
        }
        revision = index;
    }

    public Entry get(String key) {
        return entries.get(key);
    }

    /** Up to {@code limit} entries whose keys start with {@code prefix} and sort after {@code after}. */
    public Page range(String prefix, String after, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        String from = after != null && after.compareTo(prefix) >= 0 ? after : prefix;
        boolean inclusive = after == null || after.compareTo(prefix) < 0;
        List<Entry> items = new ArrayList<>(Math.min(limit, 64));
        for (Map.Entry<String, Entry> candidate : entries.tailMap(from, inclusive).entrySet()) {
            if (!candidate.getKey().startsWith(prefix)) {
                break;
            }
            if (items.size() == limit) {
                return new Page(items, items.get(items.size() - 1).key());
            }
            items.add(candidate.getValue());
        }
        return new Page(items, null);
    }

    public Lease lease(long id) {
        return leases.get(id);
    }

    /** Every lease by id; a live view, to be read only under the owner's read lock. */
    public Collection<Lease> leases() {
        return leases.values();
    }

    /** The keys bound to lease {@code id}, in key order (empty when there is no such lease). */
    public List<String> keysOf(long id) {
        NavigableSet<String> keys = boundKeys.get(id);
        return keys == null ? List.of() : List.copyOf(keys);
    }

    public Instance instance(String service, String id) {
        return instances.get(Instance.key(service, id));
    }

    /** The instances of {@code service}, by id. */
    public Collection<Instance> instancesOf(String service) {
        return instances.subMap(service + "/", true, service + "0", false).values();
    }

    /** Every instance by {@link Instance#key}; a live view, to be read only under the owner's read lock. */
    public Collection<Instance> instances() {
        return instances.values();
    }

    /** Lock {@code name}, or {@code null} when nobody holds or waits for it. */
    public Lock lock(String name) {
        return locks.get(name);
    }

    /** Every lock with a holder or waiters, by name; a live view, to be read only under the owner's read lock. */
    public Collection<Lock> locks() {
        return locks.values();
    }

    public long revision() {
        return revision;
    }

    public long timeMillis() {
        return timeMillis;
    }

    public int size() {
        return entries.size();
    }

    /** Every entry in key order; a live view, to be read only under the owner's read lock. */
    public Collection<Entry> entries() {
        return entries.values();
    }

    private Result put(Command.Put put, Stamp stamp) {
        Entry existing = entries.get(put.key());
        Rejected rejected = checkExpectation(put.key(), existing, put.expectedModRevision());
        if (rejected == null) {
            rejected = checkLease(put.key(), put.lease());
        }
        return rejected != null ? rejected : write(put.key(), put.value(), put.contentType(), put.lease(), stamp);
    }

    private Rejected checkLease(String key, long lease) {
        if (lease == 0 || leases.containsKey(lease)) {
            return null;
        }
        return new Rejected(revision, Rejected.Reason.LEASE_NOT_FOUND, key, 0,
                "lease " + lease + " does not exist (never granted, revoked or expired)");
    }

    private Result delete(Command.Delete delete) {
        Entry existing = entries.get(delete.key());
        Rejected rejected = checkExpectation(delete.key(), existing, delete.expectedModRevision());
        return rejected != null ? rejected : remove(delete.key());
    }

    private Rejected checkExpectation(String key, Entry existing, long expectedModRevision) {
        long current = existing == null ? 0 : existing.modRevision();
        if (expectedModRevision == Command.ANY || expectedModRevision == current) {
            return null;
        }
        return new Rejected(revision, Rejected.Reason.PRECONDITION_FAILED, key, current,
                "expected modRevision " + expectedModRevision + " but '" + key + "' has " + current
                        + (current == 0 ? " (absent)" : ""));
    }

    private Result txn(Command.Txn txn, Stamp stamp) {
        boolean succeeded = txn.compares().stream().allMatch(compare -> compare.holds(entries.get(compare.key())));
        List<Op> branch = succeeded ? txn.then() : txn.otherwise();
        for (Op op : branch) {
            Rejected rejected = op instanceof Op.Put put ? checkLease(put.key(), put.lease()) : null;
            if (rejected != null) {
                return rejected;
            }
        }
        List<OpResult> results = new ArrayList<>(branch.size());
        for (Op op : branch) {
            results.add(run(op, stamp));
        }
        return new TxnResult(revision, succeeded, results);
    }

    private OpResult run(Op op, Stamp stamp) {
        if (op instanceof Op.Put put) {
            return write(put.key(), put.value(), put.contentType(), put.lease(), stamp);
        }
        if (op instanceof Op.Delete delete) {
            return remove(delete.key());
        }
        if (op instanceof Op.Get get) {
            return new GetResult(get.key(), entries.get(get.key()));
        }
        throw new IllegalStateException("no apply for " + op);
    }

    private PutResult write(String key, byte[] value, String contentType, long lease, Stamp stamp) {
        Entry existing = entries.get(key);
        long version = existing == null ? 1 : existing.version() + 1;
        long createRevision = existing == null ? revision : existing.createRevision();
        Version current = new Version(value, contentType, revision, version, timeMillis);
        entries.put(key, new Entry(key, createRevision, current, retained(existing, stamp.historyVersions() - 1), lease));
        if (existing != null && existing.lease() != lease) {
            unbind(existing);
        }
        if (lease != 0) {
            boundKeys.get(lease).add(key);
        }
        return new PutResult(revision, key, createRevision, revision, version, existing == null);
    }

    private DeleteResult remove(String key) {
        Entry removed = entries.remove(key);
        if (removed != null) {
            unbind(removed);
        }
        return new DeleteResult(revision, key, removed != null, removed == null ? 0 : removed.modRevision());
    }

    private void unbind(Entry entry) {
        if (entry.lease() != 0) {
            boundKeys.get(entry.lease()).remove(entry.key());
        }
    }

    private LeaseGranted grant(Command.GrantLease grant) {
        Lease lease = new Lease(revision, grant.ttlMillis(), timeMillis);
        leases.put(lease.id(), lease);
        boundKeys.put(lease.id(), new TreeSet<>());
        boundInstances.put(lease.id(), new TreeSet<>());
        return new LeaseGranted(revision, lease);
    }

    private Result register(Command.RegisterInstance register) {
        String key = Instance.key(register.service(), register.id());
        Instance existing = instances.get(key);
        long lease = register.lease();
        boolean granting = lease == 0 && existing == null;
        if (granting) {
            lease = grant(new Command.GrantLease(register.ttlMillis())).lease().id();
        } else if (lease == 0) {
            lease = existing.lease();
        } else if (!leases.containsKey(lease)) {
            return checkLease(key, lease);
        }
        Instance instance = new Instance(register.service(), register.id(), register.address(), register.port(),
                register.zone(), register.tags(), register.metadata(), register.status(), lease,
                existing == null ? revision : existing.createRevision(), revision, timeMillis);
        bindInstance(existing, instance);
        return new InstanceWritten(revision, instance, existing == null, granting);
    }

    private Result deregister(Command.DeregisterInstance deregister) {
        Instance removed = instances.remove(Instance.key(deregister.service(), deregister.id()));
        if (removed != null) {
            boundInstances.get(removed.lease()).remove(removed.key());
        }
        return new InstanceRemoved(revision, deregister.service(), deregister.id(), removed != null);
    }

    private Result setStatus(Command.SetInstanceStatus change) {
        Instance existing = instances.get(Instance.key(change.service(), change.id()));
        if (existing == null) {
            return new Rejected(revision, Rejected.Reason.INSTANCE_NOT_FOUND, Instance.key(change.service(), change.id()),
                    0, "no instance '" + change.id() + "' of service '" + change.service() + "' is registered");
        }
        Instance instance = new Instance(existing.service(), existing.id(), existing.address(), existing.port(),
                existing.zone(), existing.tags(), existing.metadata(), change.status(), existing.lease(),
                existing.createRevision(), revision, timeMillis);
        bindInstance(existing, instance);
        return new InstanceWritten(revision, instance, false, false);
    }

    private Result acquire(Command.AcquireLock acquire) {
        if (!leases.containsKey(acquire.lease())) {
            return checkLease(acquire.name(), acquire.lease());
        }
        Lock lock = locks.getOrDefault(acquire.name(), new Lock(acquire.name(), null, List.of()));
        int position = lock.position(acquire.lease(), acquire.owner());
        if (position >= 0) {
            return new LockResult(revision, lock, position, false);
        }
        Lock.Holder client = new Lock.Holder(acquire.lease(), acquire.owner(), revision);
        if (lock.holder() == null) {
            lock = new Lock(lock.name(), client, lock.waiters());
        } else if (lock.waiters().size() >= Lock.MAX_WAITERS) {
            return new Rejected(revision, Rejected.Reason.INVALID_COMMAND, acquire.name(), 0,
                    "lock '" + acquire.name() + "' already has " + Lock.MAX_WAITERS + " waiters");
        } else {
            List<Lock.Holder> waiters = new ArrayList<>(lock.waiters());
            waiters.add(client);
            lock = new Lock(lock.name(), lock.holder(), waiters);
        }
        locks.put(lock.name(), lock);
        return new LockResult(revision, lock, lock.position(acquire.lease(), acquire.owner()), false);
    }

    private Result release(Command.ReleaseLock release) {
        Lock lock = locks.get(release.name());
        if (lock == null || lock.holder() == null || lock.holder().token() != release.token()) {
            return new LockResult(revision, lock == null ? new Lock(release.name(), null, List.of()) : lock, -1, false);
        }
        Lock after = promote(new Lock(lock.name(), null, lock.waiters()));
        return new LockResult(revision, after, -1, true);
    }

    private Result cancel(Command.CancelLockWait cancel) {
        Lock lock = locks.get(cancel.name());
        if (lock == null) {
            return new LockResult(revision, new Lock(cancel.name(), null, List.of()), -1, false);
        }
        List<Lock.Holder> waiters = new ArrayList<>(lock.waiters());
        waiters.removeIf(waiter -> waiter.same(cancel.lease(), cancel.owner()));
        Lock after = new Lock(lock.name(), lock.holder(), waiters);
        locks.put(after.name(), after);
        return new LockResult(revision, after, after.position(cancel.lease(), cancel.owner()), false);
    }

    /** Gives a lock without a holder to its first waiter, at this revision; forgets a lock nobody wants. */
    private Lock promote(Lock lock) {
        Lock after = lock;
        if (lock.holder() == null && !lock.waiters().isEmpty()) {
            Lock.Holder next = lock.waiters().get(0);
            after = new Lock(lock.name(), new Lock.Holder(next.lease(), next.owner(), revision),
                    lock.waiters().subList(1, lock.waiters().size()));
        }
        if (after.holder() == null && after.waiters().isEmpty()) {
            locks.remove(after.name());
        } else {
            locks.put(after.name(), after);
        }
        return after;
    }

    /** Drops holders and waiters bound to {@code ended} leases; returns the names of the locks that changed. */
    private List<String> releaseLocksOf(Set<Long> ended) {
        List<String> changed = new ArrayList<>();
        for (Lock lock : new ArrayList<>(locks.values())) {
            boolean holderGone = lock.holder() != null && ended.contains(lock.holder().lease());
            List<Lock.Holder> waiters = new ArrayList<>(lock.waiters());
            boolean waitersGone = waiters.removeIf(waiter -> ended.contains(waiter.lease()));
            if (holderGone || waitersGone) {
                promote(new Lock(lock.name(), holderGone ? null : lock.holder(), waiters));
                changed.add(lock.name());
            }
        }
        return changed;
    }

    private void bindInstance(Instance existing, Instance instance) {
        instances.put(instance.key(), instance);
        if (existing != null) {
            boundInstances.get(existing.lease()).remove(existing.key());
        }
        boundInstances.get(instance.lease()).add(instance.key());
    }

    private Result revoke(Command.RevokeLease revoke) {
        if (!leases.containsKey(revoke.id())) {
            return new Rejected(revision, Rejected.Reason.LEASE_NOT_FOUND, "", 0,
                    "lease " + revoke.id() + " does not exist (never granted, revoked or expired)");
        }
        return end(List.of(revoke.id()), false);
    }

    /** Ends the leases among {@code ids} that exist, deleting their keys; the others are skipped. */
    private LeasesEnded end(List<Long> ids, boolean expired) {
        TreeSet<Long> ended = new TreeSet<>();
        TreeSet<String> deleted = new TreeSet<>();
        TreeSet<String> removed = new TreeSet<>();
        for (long id : ids) {
            if (leases.remove(id) == null) {
                continue;
            }
            ended.add(id);
            for (String key : boundKeys.remove(id)) {
                entries.remove(key);
                deleted.add(key);
            }
            for (String key : boundInstances.remove(id)) {
                instances.remove(key);
                removed.add(key);
            }
        }
        List<String> changedLocks = ended.isEmpty() || locks.isEmpty() ? List.of() : releaseLocksOf(ended);
        return new LeasesEnded(revision, new ArrayList<>(ended), new ArrayList<>(deleted), expired,
                new ArrayList<>(removed), changedLocks);
    }

    /** The versions to keep behind a new current one: the old current first, then its history. */
    private static List<Version> retained(Entry existing, int keep) {
        if (existing == null || keep == 0) {
            return List.of();
        }
        List<Version> history = new ArrayList<>(Math.min(keep, existing.history().size() + 1));
        history.add(existing.current());
        for (Version older : existing.history()) {
            if (history.size() == keep) {
                break;
            }
            history.add(older);
        }
        return history;
    }
}
