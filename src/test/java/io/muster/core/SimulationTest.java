package io.muster.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Seeded simulation: random command streams (with non-contiguous log indexes, backward leader
 * clocks, changing history retention, and leases granted, bound to keys, revoked and expired) go
 * into two replicas, one of which is snapshotted and
 * restored midway, with API tokens created and revoked, commands authored by them (some under
 * Idempotency-Keys, repeated and reused) and desired voters stated. Both must reach equal digests,
 * every result and final entry must agree with a naive reference model, and what each apply reports
 * it changed (the feed the watch, the view and the lease timers follow) must be exactly what changed
 * in the model ({@link FeedCheck}). A failure prints its seed; replay it with {@code -Dseed=<seed>}.
 */
class SimulationTest {

    private static final int RUNS = 30;
    private static final int COMMANDS = 1_500;
    private static final String[] KEYS = {"a", "a/b", "a/c", "b", "b/x", "c", "conf/1", "conf/2"};
    private static final String[] PREFIXES = {"a", "a/", "b/", "conf/", "c", "none/"};

    @Test
    void replicasAgreeWithEachOtherAndWithTheReferenceModel() throws IOException {
        Long fixed = Long.getLong("seed");
        long base = fixed != null ? fixed : new Random().nextLong();
        for (int run = 0; run < (fixed != null ? 1 : RUNS); run++) {
            long seed = base + run;
            try {
                simulate(seed);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("simulation failed with seed " + seed + "; replay with -Dseed=" + seed, e);
            }
        }
    }

    private void simulate(long seed) throws IOException {
        Random random = new Random(seed);
        KvStore replica = new KvStore();
        KvStore restored = new KvStore();
        Reference model = new Reference();
        long index = 0;
        int snapshotAt = random.nextInt(COMMANDS);
        for (int i = 0; i < COMMANDS; i++) {
            index += 1 + random.nextInt(3);
            if (random.nextInt(20) == 0) {
                replica.advance(index);
                restored.advance(index);
                model.revision = index;
                continue;
            }
            Stamp stamp = new Stamp(1_000_000 + i * 10L - random.nextInt(50), 1 + random.nextInt(4));
            Command command = randomCommand(random, model);
            FeedCheck.State before = model.state();
            Result expected = model.apply(index, stamp, command);
            Applied applied = replica.apply(index, stamp, command);
            Applied other = restored.apply(index, stamp, command);
            assertThat(applied.result()).as("seed %d, command %d: %s", seed, i, command).isEqualTo(expected);
            assertThat(other).as("seed %d, restored replica, command %d", seed, i).isEqualTo(applied);
            FeedCheck.check(command, before, model.state(), applied, model.time);
            if (i == snapshotAt) {
                restored = roundTrip(restored);
            }
        }
        assertThat(SnapshotCodec.digest(restored)).as("seed %d: digests", seed).isEqualTo(SnapshotCodec.digest(replica));
        assertThat(replica.revision()).isEqualTo(index);
        for (String key : KEYS) {
            assertThat(replica.get(key)).as("seed %d: entry %s", seed, key).isEqualTo(model.entries.get(key));
        }
        assertThat(replica.leases()).as("seed %d: leases", seed).containsExactlyElementsOf(model.leases.values());
        assertThat(replica.instances()).as("seed %d: instances", seed).containsExactlyElementsOf(model.instances.values());
        assertThat(replica.locks()).as("seed %d: locks", seed).containsExactlyElementsOf(model.locks.values());
        assertThat(replica.tokens()).as("seed %d: tokens", seed).containsExactlyElementsOf(model.tokens.values());
        assertThat(replica.desiredVoters()).as("seed %d: desired voters", seed).isEqualTo(model.desired);
        assertThat(replica.clusterVersion()).as("seed %d: cluster version", seed).isEqualTo(model.clusterVersion);
        for (Lease lease : replica.leases()) {
            assertThat(restored.keysOf(lease.id())).isEqualTo(replica.keysOf(lease.id())).isEqualTo(model.keysOf(lease.id()));
        }
    }

    private static KvStore roundTrip(KvStore store) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.write(store, out);
        return SnapshotCodec.read(new ByteArrayInputStream(out.toByteArray()));
    }

    private static final String[] PRINCIPALS = {"t0", "t1"};
    private static final String[] PEERS = {"n1=h1:9000", "n2=h2:9000", "n3=h3:9000"};

    private static Command randomCommand(Random random, Reference model) {
        int kind = random.nextInt(40);
        if (kind < 2) {
            String name = PRINCIPALS[random.nextInt(PRINCIPALS.length)];
            return kind == 0 ? new Command.CreateToken(name, GoldenCases.hash(1 + random.nextInt(3)),
                    random.nextBoolean() ? Role.WRITER : Role.ADMIN, List.of(), random.nextBoolean())
                    : new Command.RevokeToken(name);
        }
        if (kind == 3) {
            return new Command.RaiseClusterVersion(ClusterVersion.BASELINE + 1 + random.nextInt(ClusterVersion.SUPPORTED - ClusterVersion.BASELINE));
        }
        if (kind == 2) {
            return new Command.SetDesiredVoters(1 + random.nextInt(6),
                    List.of(PEERS).subList(0, 1 + random.nextInt(PEERS.length)));
        }
        if (kind < 9) {
            String principal = PRINCIPALS[random.nextInt(PRINCIPALS.length)];
            Command command = randomClientCommand(random, model);
            return random.nextBoolean() ? new Command.Authored(principal, "r" + random.nextInt(9), command)
                    : new Command.Authored(principal, "r", "k" + random.nextInt(3), 1 + random.nextInt(3_000), command);
        }
        return randomClientCommand(random, model);
    }

    private static Command randomClientCommand(Random random, Reference model) {
        String key = KEYS[random.nextInt(KEYS.length)];
        long expected = expectation(random, model, key);
        if (random.nextInt(5) == 0) {
            return randomInstanceCommand(random, model);
        }
        if (random.nextInt(5) == 0) {
            return randomLockCommand(random, model);
        }
        return switch (random.nextInt(7)) {
            case 0, 1 -> new Command.Put(key, value(random), random.nextBoolean() ? "text/plain" : "application/json",
                    expected, leaseOrNone(random, model));
            case 2 -> random.nextInt(4) == 0 ? new Command.DeletePrefix(PREFIXES[random.nextInt(PREFIXES.length)])
                    : new Command.Delete(key, expected == Command.ABSENT ? Command.ANY : expected);
            case 3 -> randomTxn(random, model);
            case 4 -> new Command.GrantLease(1 + random.nextInt(60_000));
            case 5 -> new Command.RevokeLease(Math.max(1, leaseOrNone(random, model)));
            default -> new Command.ExpireLeases(List.of(Math.max(1, leaseOrNone(random, model)),
                    Math.max(1, leaseOrNone(random, model))));
        };
    }

    private static Command randomLockCommand(Random random, Reference model) {
        String name = random.nextBoolean() ? "locks/a" : "locks/b";
        long lease = Math.max(1, leaseOrNone(random, model));
        String owner = "o" + random.nextInt(3);
        Lock lock = model.locks.get(name);
        return switch (random.nextInt(4)) {
            case 0, 1 -> new Command.AcquireLock(name, lease, owner);
            case 2 -> new Command.ReleaseLock(name, lock != null && lock.holder() != null && random.nextInt(4) > 0
                    ? lock.holder().token() : 1 + random.nextInt(100));
            default -> new Command.CancelLockWait(name, lease, owner);
        };
    }

    private static Command randomInstanceCommand(Random random, Reference model) {
        String service = random.nextBoolean() ? "web" : "db";
        String id = "i" + random.nextInt(4);
        Instance.Status status = Instance.Status.values()[random.nextInt(4)];
        return switch (random.nextInt(4)) {
            case 0, 1 -> new Command.RegisterInstance(service, id, "10.0.0." + random.nextInt(9), 1 + random.nextInt(9000),
                    random.nextBoolean() ? "" : "z" + random.nextInt(3), random.nextBoolean() ? List.of() : List.of("t"),
                    new TreeMap<>(random.nextBoolean() ? Map.of() : Map.of("v", "" + random.nextInt(3))), status,
                    leaseOrNone(random, model), 1 + random.nextInt(60_000));
            case 2 -> new Command.DeregisterInstance(service, id);
            default -> new Command.SetInstanceStatus(service, id, status);
        };
    }

    /** 0 (no lease) half the time, otherwise an existing lease or, now and then, one that is gone. */
    private static long leaseOrNone(Random random, Reference model) {
        if (random.nextBoolean() || model.leases.isEmpty()) {
            return 0;
        }
        if (random.nextInt(8) == 0) {
            return 1 + random.nextInt((int) Math.max(1, model.revision));
        }
        List<Long> ids = new ArrayList<>(model.leases.keySet());
        return ids.get(random.nextInt(ids.size()));
    }

    private static long expectation(Random random, Reference model, String key) {
        Entry current = model.entries.get(key);
        return switch (random.nextInt(4)) {
            case 0 -> Command.ABSENT;
            case 1 -> current == null ? 1 : current.modRevision();
            case 2 -> 1 + random.nextInt(50);
            default -> Command.ANY;
        };
    }

    private static Command.Txn randomTxn(Random random, Reference model) {
        List<Compare> compares = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            String key = KEYS[random.nextInt(KEYS.length)];
            Entry current = model.entries.get(key);
            Compare.Operator operator = Compare.Operator.values()[random.nextInt(4)];
            compares.add(switch (random.nextInt(5)) {
                case 0 -> Compare.number(key, Compare.Target.MOD_REVISION, operator, current == null ? 0 : current.modRevision());
                case 1 -> Compare.number(key, Compare.Target.CREATE_REVISION, operator, random.nextInt(40));
                case 2 -> Compare.number(key, Compare.Target.VERSION, operator, random.nextInt(4));
                case 3 -> Compare.exists(key, random.nextBoolean());
                default -> Compare.value(key, operator, current != null && random.nextBoolean() ? current.value() : value(random));
            });
        }
        return new Command.Txn(compares, randomOps(random, model), randomOps(random, model));
    }

    private static List<Op> randomOps(Random random, Reference model) {
        List<Op> ops = new ArrayList<>();
        List<String> written = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            String key = KEYS[random.nextInt(KEYS.length)];
            int kind = random.nextInt(3);
            if (kind < 2 && written.contains(key)) {
                kind = 2;
            }
            if (kind < 2) {
                written.add(key);
            }
            ops.add(switch (kind) {
                case 0 -> new Op.Put(key, value(random), "text/plain", leaseOrNone(random, model));
                case 1 -> new Op.Delete(key);
                default -> new Op.Get(key);
            });
        }
        return ops;
    }

    private static byte[] value(Random random) {
        byte[] value = new byte[random.nextInt(6)];
        random.nextBytes(value);
        return value;
    }

    /** An idempotency slot of the model: the command first sent under it (encoded), when it is forgotten, its result. */
    private record Slot(byte[] command, long forgottenAt, Result result) {
    }

    /** The store's rules written as plainly as possible, independently of {@link KvStore}. */
    private static final class Reference {
        final Map<String, Entry> entries = new HashMap<>();
        final Map<Long, Lease> leases = new TreeMap<>();
        final Map<String, Instance> instances = new TreeMap<>();
        final Map<String, Lock> locks = new TreeMap<>();
        final Map<String, Token> tokens = new TreeMap<>();
        /** Idempotency slots by principal and key. */
        final Map<String, Slot> remembered = new TreeMap<>();
        DesiredVoters desired = DesiredVoters.NONE;
        int clusterVersion = ClusterVersion.BASELINE;
        long revision;
        long time;

        FeedCheck.State state() {
            return new FeedCheck.State(new TreeMap<>(entries), new TreeMap<>(leases), new TreeMap<>(instances),
                    new TreeMap<>(locks), new TreeMap<>(tokens));
        }

        Result apply(long index, Stamp stamp, Command command) {
            revision = index;
            time = Math.max(time, stamp.timeMillis());
            remembered.values().removeIf(slot -> slot.forgottenAt() <= time);
            if (command instanceof Command.Authored authored) {
                if (!tokens.containsKey(authored.principal())) {
                    return new Rejected(revision, Rejected.Reason.PERMISSION_DENIED, "", 0, "token '"
                            + authored.principal() + "' does not exist (revoked or never created)");
                }
                if (authored.command() instanceof Command.ExpireLeases) {
                    return new Rejected(revision, Rejected.Reason.PERMISSION_DENIED, "", 0, "'"
                            + authored.principal() + "' may not issue ExpireLeases");
                }
                if (!authored.idempotent()) {
                    return apply(index, stamp, authored.command());
                }
                Slot seen = remembered.get(authored.principal() + " " + authored.idempotencyKey());
                if (seen != null) {
                    return Arrays.equals(seen.command(), CommandCodec.encodeCommand(authored.command())) ? seen.result()
                            : new Rejected(revision, Rejected.Reason.IDEMPOTENCY_KEY_REUSED, "", 0, "Idempotency-Key '"
                                    + authored.idempotencyKey() + "' was used for a different request within its window");
                }
                Result result = apply(index, stamp, authored.command());
                remembered.put(authored.principal() + " " + authored.idempotencyKey(),
                        new Slot(CommandCodec.encodeCommand(authored.command()), time + authored.idempotencyWindowMillis(), result));
                return result;
            }
            if (command instanceof Command.CreateToken create) {
                Token existing = tokens.get(create.name());
                if (existing != null && !create.replace()) {
                    return new Rejected(revision, Rejected.Reason.TOKEN_EXISTS, "", 0,
                            "a token named '" + create.name() + "' already exists");
                }
                boolean secretTaken = tokens.values().stream().anyMatch(
                        token -> !token.name().equals(create.name()) && Arrays.equals(token.secretHash(), create.secretHash()));
                if (secretTaken) {
                    return new Rejected(revision, Rejected.Reason.TOKEN_EXISTS, "", 0, "another token already has this secret");
                }
                Token token = new Token(create.name(), create.secretHash(), create.role(), create.prefixes(), revision, time);
                tokens.put(token.name(), token);
                return new TokenResult(revision, token.name(), token);
            }
            if (command instanceof Command.RevokeToken revoke) {
                return tokens.remove(revoke.name()) == null ? new Rejected(revision, Rejected.Reason.TOKEN_NOT_FOUND, "",
                        0, "no token named '" + revoke.name() + "'") : new TokenResult(revision, revoke.name(), null);
            }
            if (command instanceof Command.RaiseClusterVersion raise) {
                boolean higher = raise.level() > clusterVersion;
                if (higher) {
                    clusterVersion = raise.level();
                }
                return new ClusterVersionRaised(revision, clusterVersion, higher);
            }
            if (command instanceof Command.DeletePrefix deletePrefix) {
                List<String> under = entries.keySet().stream().filter(key -> key.startsWith(deletePrefix.prefix()))
                        .toList();
                under.forEach(this::remove);
                return new PrefixDeleted(revision, deletePrefix.prefix(), under.size());
            }
            if (command instanceof Command.SetDesiredVoters voters) {
                boolean newer = voters.generation() > desired.generation();
                if (newer) {
                    desired = new DesiredVoters(voters.generation(), voters.peers());
                }
                return new DesiredVotersSet(revision, desired, newer);
            }
            if (command instanceof Command.Put put) {
                long current = modRevision(put.key());
                if (put.expectedModRevision() != Command.ANY && put.expectedModRevision() != current) {
                    return rejected(put.key(), current, put.expectedModRevision());
                }
                if (put.lease() != 0 && !leases.containsKey(put.lease())) {
                    return noLease(put.key(), put.lease());
                }
                return write(put.key(), put.value(), put.contentType(), put.lease(), stamp.historyVersions());
            }
            if (command instanceof Command.GrantLease grant) {
                Lease lease = new Lease(revision, grant.ttlMillis(), time);
                leases.put(lease.id(), lease);
                return new LeaseGranted(revision, lease);
            }
            if (command instanceof Command.RevokeLease revoke) {
                return leases.containsKey(revoke.id()) ? end(List.of(revoke.id()), false) : noLease("", revoke.id());
            }
            if (command instanceof Command.ExpireLeases expire) {
                return end(expire.ids(), true);
            }
            if (command instanceof Command.RegisterInstance register) {
                return register(register);
            }
            if (command instanceof Command.AcquireLock acquire) {
                return acquire(acquire);
            }
            if (command instanceof Command.ReleaseLock release) {
                Lock lock = locks.get(release.name());
                if (lock == null || lock.holder() == null || lock.holder().token() != release.token()) {
                    return new LockResult(revision, lock == null ? new Lock(release.name(), null, List.of()) : lock, -1,
                            false);
                }
                return new LockResult(revision, settle(lock.name(), null, lock.waiters()), -1, true);
            }
            if (command instanceof Command.CancelLockWait cancel) {
                Lock lock = locks.get(cancel.name());
                if (lock == null) {
                    return new LockResult(revision, new Lock(cancel.name(), null, List.of()), -1, false);
                }
                List<Lock.Holder> waiters = new ArrayList<>(lock.waiters());
                waiters.removeIf(waiter -> waiter.lease() == cancel.lease() && waiter.owner().equals(cancel.owner()));
                Lock after = new Lock(lock.name(), lock.holder(), waiters);
                locks.put(after.name(), after);
                return new LockResult(revision, after, after.position(cancel.lease(), cancel.owner()), false);
            }
            if (command instanceof Command.DeregisterInstance deregister) {
                Instance removed = instances.remove(Instance.key(deregister.service(), deregister.id()));
                return new InstanceRemoved(revision, deregister.service(), deregister.id(), removed != null);
            }
            if (command instanceof Command.SetInstanceStatus change) {
                String key = Instance.key(change.service(), change.id());
                Instance old = instances.get(key);
                if (old == null) {
                    return new Rejected(revision, Rejected.Reason.INSTANCE_NOT_FOUND, key, 0, "no instance '"
                            + change.id() + "' of service '" + change.service() + "' is registered");
                }
                Instance changed = new Instance(old.service(), old.id(), old.address(), old.port(), old.zone(), old.tags(),
                        old.metadata(), change.status(), old.lease(), old.createRevision(), revision, time);
                instances.put(key, changed);
                return new InstanceWritten(revision, changed, false, false);
            }
            if (command instanceof Command.Delete delete) {
                long current = modRevision(delete.key());
                if (delete.expectedModRevision() != Command.ANY && delete.expectedModRevision() != current) {
                    return rejected(delete.key(), current, delete.expectedModRevision());
                }
                return remove(delete.key());
            }
            Command.Txn txn = (Command.Txn) command;
            boolean succeeded = true;
            for (Compare compare : txn.compares()) {
                succeeded &= holds(compare);
            }
            List<Op> branch = succeeded ? txn.then() : txn.otherwise();
            for (Op op : branch) {
                if (op instanceof Op.Put put && put.lease() != 0 && !leases.containsKey(put.lease())) {
                    return noLease(put.key(), put.lease());
                }
            }
            List<OpResult> results = new ArrayList<>();
            for (Op op : branch) {
                if (op instanceof Op.Put put) {
                    results.add(write(put.key(), put.value(), put.contentType(), put.lease(), stamp.historyVersions()));
                } else if (op instanceof Op.Delete delete) {
                    results.add(remove(delete.key()));
                } else {
                    results.add(new GetResult(op.key(), entries.get(op.key())));
                }
            }
            return new TxnResult(revision, succeeded, results);
        }

        private boolean holds(Compare compare) {
            Entry entry = entries.get(compare.key());
            long actual;
            switch (compare.target()) {
                case MOD_REVISION -> actual = entry == null ? 0 : entry.modRevision();
                case CREATE_REVISION -> actual = entry == null ? 0 : entry.createRevision();
                case VERSION -> actual = entry == null ? 0 : entry.version();
                case EXISTS -> actual = entry == null ? 0 : 1;
                default -> {
                    if (entry == null) {
                        return compare.operator() == Compare.Operator.NOT_EQUAL;
                    }
                    return test(compare.operator(), Arrays.compareUnsigned(entry.value(), compare.value()));
                }
            }
            return test(compare.operator(), Long.compare(actual, compare.number()));
        }

        private static boolean test(Compare.Operator operator, int comparison) {
            return switch (operator) {
                case EQUAL -> comparison == 0;
                case NOT_EQUAL -> comparison != 0;
                case GREATER -> comparison > 0;
                case LESS -> comparison < 0;
            };
        }

        private long modRevision(String key) {
            Entry entry = entries.get(key);
            return entry == null ? 0 : entry.modRevision();
        }

        private Rejected rejected(String key, long current, long expected) {
            return new Rejected(revision, Rejected.Reason.PRECONDITION_FAILED, key, current,
                    "expected modRevision " + expected + " but '" + key + "' has " + current + (current == 0 ? " (absent)" : ""));
        }

        private Rejected noLease(String key, long lease) {
            return new Rejected(revision, Rejected.Reason.LEASE_NOT_FOUND, key, 0,
                    "lease " + lease + " does not exist (never granted, revoked or expired)");
        }

        private Result acquire(Command.AcquireLock acquire) {
            if (!leases.containsKey(acquire.lease())) {
                return noLease(acquire.name(), acquire.lease());
            }
            Lock lock = locks.getOrDefault(acquire.name(), new Lock(acquire.name(), null, List.of()));
            int position = lock.position(acquire.lease(), acquire.owner());
            if (position < 0) {
                Lock.Holder client = new Lock.Holder(acquire.lease(), acquire.owner(), revision);
                List<Lock.Holder> waiters = new ArrayList<>(lock.waiters());
                if (lock.holder() != null) {
                    waiters.add(client);
                }
                lock = new Lock(lock.name(), lock.holder() != null ? lock.holder() : client, waiters);
                locks.put(lock.name(), lock);
                position = lock.position(acquire.lease(), acquire.owner());
            }
            return new LockResult(revision, lock, position, false);
        }

        /** The lock after its holder went: the first waiter takes it now; nobody left, it goes. */
        private Lock settle(String name, Lock.Holder holder, List<Lock.Holder> waiters) {
            Lock lock = new Lock(name, holder, waiters);
            if (holder == null && !waiters.isEmpty()) {
                lock = new Lock(name, new Lock.Holder(waiters.get(0).lease(), waiters.get(0).owner(), revision),
                        waiters.subList(1, waiters.size()));
            }
            if (lock.holder() == null && lock.waiters().isEmpty()) {
                locks.remove(name);
            } else {
                locks.put(name, lock);
            }
            return lock;
        }

        private Result register(Command.RegisterInstance register) {
            String key = Instance.key(register.service(), register.id());
            Instance old = instances.get(key);
            long lease = register.lease();
            boolean granting = lease == 0 && old == null;
            if (granting) {
                lease = revision;
                leases.put(lease, new Lease(lease, register.ttlMillis(), time));
            } else if (lease == 0) {
                lease = old.lease();
            } else if (!leases.containsKey(lease)) {
                return noLease(key, lease);
            }
            Instance written = new Instance(register.service(), register.id(), register.address(), register.port(),
                    register.zone(), register.tags(), register.metadata(), register.status(), lease,
                    old == null ? revision : old.createRevision(), revision, time);
            instances.put(key, written);
            return new InstanceWritten(revision, written, old == null, granting);
        }

        private LeasesEnded end(List<Long> ids, boolean expired) {
            List<Long> ended = ids.stream().filter(leases::containsKey).distinct().sorted().toList();
            List<String> deleted = new ArrayList<>();
            List<String> removed = new ArrayList<>();
            for (long id : ended) {
                deleted.addAll(keysOf(id));
                instances.values().stream().filter(instance -> instance.lease() == id).map(Instance::key).forEach(removed::add);
                leases.remove(id);
            }
            deleted.forEach(entries::remove);
            removed.forEach(instances::remove);
            List<String> changedLocks = new ArrayList<>();
            for (Lock lock : new ArrayList<>(locks.values())) {
                boolean holderGone = lock.holder() != null && ended.contains(lock.holder().lease());
                List<Lock.Holder> waiters = lock.waiters().stream().filter(w -> !ended.contains(w.lease())).toList();
                if (holderGone || waiters.size() != lock.waiters().size()) {
                    settle(lock.name(), holderGone ? null : lock.holder(), new ArrayList<>(waiters));
                    changedLocks.add(lock.name());
                }
            }
            return new LeasesEnded(revision, ended, deleted.stream().sorted().toList(), expired,
                    removed.stream().sorted().toList(), changedLocks);
        }

        List<String> keysOf(long lease) {
            return entries.values().stream().filter(entry -> entry.lease() == lease).map(Entry::key).sorted().toList();
        }

        private PutResult write(String key, byte[] value, String contentType, long lease, int keep) {
            Entry old = entries.get(key);
            List<Version> history = new ArrayList<>();
            if (old != null) {
                history.add(old.current());
                history.addAll(old.history());
            }
            while (history.size() > keep - 1) {
                history.remove(history.size() - 1);
            }
            long version = old == null ? 1 : old.version() + 1;
            long created = old == null ? revision : old.createRevision();
            entries.put(key, new Entry(key, created, new Version(value, contentType, revision, version, time), history,
                    lease));
            return new PutResult(revision, key, created, revision, version, old == null);
        }

        private DeleteResult remove(String key) {
            Entry old = entries.remove(key);
            return new DeleteResult(revision, key, old != null, old == null ? 0 : old.modRevision());
        }
    }
}
