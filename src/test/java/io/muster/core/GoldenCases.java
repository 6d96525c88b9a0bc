package io.muster.core;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values whose encodings are pinned in {@code src/test/resources/golden}. Add cases; never change
 * or remove one: a changed case means a build could no longer read logs or snapshots it wrote.
 */
final class GoldenCases {

    private GoldenCases() {
    }

    static final Stamp STAMP = new Stamp(1_767_225_600_000L, 10);

    static Map<String, Command> commands() {
        Map<String, Command> cases = new LinkedHashMap<>();
        cases.put("command-v1-put", new Command.Put("payments/db/url", "jdbc:postgresql://db/pay".getBytes(UTF_8),
                "text/plain", Command.ANY));
        cases.put("command-v1-put-create-only", new Command.Put("a", new byte[] {0, 1, (byte) 0xFF}, "application/octet-stream",
                Command.ABSENT));
        cases.put("command-v1-delete-cas", new Command.Delete("payments/db/url", 42));
        cases.put("command-v1-txn", new Command.Txn(
                List.of(Compare.number("a", Compare.Target.MOD_REVISION, Compare.Operator.EQUAL, 7),
                        Compare.number("b", Compare.Target.CREATE_REVISION, Compare.Operator.NOT_EQUAL, 1),
                        Compare.number("c", Compare.Target.VERSION, Compare.Operator.GREATER, 2),
                        Compare.exists("d", false),
                        Compare.value("e", Compare.Operator.LESS, "zz".getBytes(UTF_8))),
                List.of(new Op.Put("a", "1".getBytes(UTF_8), "text/plain"), new Op.Delete("b"), new Op.Get("c")),
                List.of(new Op.Get("a"))));
        cases.put("command-v1-put-with-lease", new Command.Put("services/web/1", "10.0.0.1:80".getBytes(UTF_8),
                "text/plain", Command.ANY, 12));
        cases.put("command-v1-grant-lease", new Command.GrantLease(15_000));
        cases.put("command-v1-revoke-lease", new Command.RevokeLease(12));
        cases.put("command-v1-expire-leases", new Command.ExpireLeases(List.of(12L, 40L, 1_000_000L)));
        cases.put("command-v1-txn-put-with-lease", new Command.Txn(List.of(Compare.exists("lock/a", false)),
                List.of(new Op.Put("lock/a", "me".getBytes(UTF_8), "text/plain", 12)), List.of(new Op.Get("lock/a"))));
        cases.put("command-v1-register-instance", new Command.RegisterInstance("payments", "pay-1", "10.0.0.7", 8443,
                "eu-west-1a", List.of("canary", "v2"), new java.util.TreeMap<>(Map.of("version", "2.4.1", "owner", "team a")),
                Instance.Status.UP, 0, 15_000));
        cases.put("command-v1-deregister-instance", new Command.DeregisterInstance("payments", "pay-1"));
        cases.put("command-v1-set-instance-status", new Command.SetInstanceStatus("payments", "pay-1",
                Instance.Status.OUT_OF_SERVICE));
        cases.put("command-v1-acquire-lock", new Command.AcquireLock("jobs/nightly", 12, "worker-7"));
        cases.put("command-v1-release-lock", new Command.ReleaseLock("jobs/nightly", 31));
        cases.put("command-v1-cancel-lock-wait", new Command.CancelLockWait("jobs/nightly", 14, "worker-9"));
        cases.put("command-v1-create-token", new Command.CreateToken("payments-ci", hash(7), Role.WRITER,
                List.of("payments/", "shared/payments/"), false));
        cases.put("command-v1-revoke-token", new Command.RevokeToken("payments-ci"));
        cases.put("command-v1-authored-idempotent", new Command.Authored("payments-ci", "req-43", "retry-7", 600_000,
                new Command.Delete("payments/db/url", Command.ANY)));
        cases.put("command-v1-set-desired-voters", new Command.SetDesiredVoters(4,
                List.of("muster-0=muster-0.muster-headless:7070", "muster-1=muster-1.muster-headless:7070")));
        cases.put("command-v2-raise-cluster-version", new Command.RaiseClusterVersion(2));
        cases.put("command-v2-delete-prefix", new Command.DeletePrefix("payments/old/"));
        cases.put("command-v3-create-scoped-token", new Command.CreateToken("payments-app", hash(9), Role.WRITER,
                List.of("config/payments/"), false, List.of("payments", "payments-admin")));
        cases.put("command-v4-create-release", new Command.CreateRelease("Greeting 3", "say hello-3",
                drafts(), validation(), new Release.Retention(100, 16L << 20)));
        cases.put("command-v4-update-release", new Command.UpdateRelease(70, 71, "Greeting 3b", "", drafts(),
                Release.Validation.SKIPPED));
        cases.put("command-v4-rebase-release", new Command.RebaseRelease(70));
        cases.put("command-v4-gray-release", new Command.GrayRelease(70, rule(), new Release.Approval(71,
                List.of(Compare.number("config/payments/~policy", Compare.Target.MOD_REVISION, Compare.Operator.EQUAL, 12)),
                true, false, Release.Validation.SKIPPED, "")));
        cases.put("command-v4-publish-release", new Command.PublishRelease(70, "ship it", false, new Release.Approval(72,
                List.of(Compare.number("config/payments/~policy", Compare.Target.MOD_REVISION, Compare.Operator.EQUAL, 12)),
                true, true, validation(), "pager 4411")));
        cases.put("command-v4-abandon-release", new Command.AbandonRelease(70));
        cases.put("command-v4-rollback-release", new Command.RollbackRelease(70, "bad greeting", true,
                new Release.Retention(10, 1L << 20)));
        cases.put("command-v4-restore-document", new Command.RestoreDocument("config/payments/dev", 70, true, "",
                Release.Retention.DEFAULT));
        cases.put("command-v1-authored-put", new Command.Authored("payments-ci", "req-42",
                new Command.Put("payments/db/url", "jdbc:x".getBytes(UTF_8), "text/plain", Command.ANY)));
        return cases;
    }

    static Map<String, Result> results() {
        Entry entry = new Entry("c", 3, new Version("v".getBytes(UTF_8), "text/plain", 5, 2, 1_767_225_600_000L), List.of());
        Map<String, Result> cases = new LinkedHashMap<>();
        cases.put("result-v1-put", new PutResult(9, "a", 3, 9, 4, false));
        cases.put("result-v1-delete", new DeleteResult(9, "a", true, 8));
        cases.put("result-v1-rejected", new Rejected(9, Rejected.Reason.PRECONDITION_FAILED, "a", 8, "expected 7"));
        cases.put("result-v1-txn", new TxnResult(9, true, List.of(new PutResult(9, "a", 9, 9, 1, true),
                new DeleteResult(9, "b", false, 0), new GetResult("c", entry), new GetResult("d", null))));
        cases.put("result-v1-lease-granted", new LeaseGranted(12, new Lease(12, 15_000, 1_767_225_600_000L)));
        cases.put("result-v1-leases-ended", new LeasesEnded(40, List.of(12L, 30L), List.of("a/1", "a/2"), true));
        cases.put("result-v1-rejected-lease", new Rejected(9, Rejected.Reason.LEASE_NOT_FOUND, "a", 0, "lease 7 is gone"));
        cases.put("result-v1-instance-written", new InstanceWritten(20, instance(), true, true));
        cases.put("result-v1-instance-removed", new InstanceRemoved(21, "payments", "pay-1", true));
        cases.put("result-v1-leases-ended-with-instances", new LeasesEnded(40, List.of(12L), List.of("a/1"), true,
                List.of("payments/pay-1")));
        cases.put("result-v1-lock", new LockResult(33, new Lock("jobs/nightly", new Lock.Holder(12, "worker-7", 31),
                List.of(new Lock.Holder(14, "worker-9", 33))), 2, false));
        cases.put("result-v1-leases-ended-with-locks", new LeasesEnded(40, List.of(12L), List.of(), true, List.of(),
                List.of("jobs/nightly")));
        cases.put("result-v1-rejected-instance", new Rejected(9, Rejected.Reason.INSTANCE_NOT_FOUND, "payments/x", 0,
                "no instance"));
        cases.put("result-v1-rejected-idempotency", new Rejected(56, Rejected.Reason.IDEMPOTENCY_KEY_REUSED, "", 0,
                "reused"));
        cases.put("result-v1-desired-voters", new DesiredVotersSet(55, new DesiredVoters(4, List.of("a=h:1")), true));
        cases.put("result-v2-cluster-version", new ClusterVersionRaised(56, 2, true));
        cases.put("result-v2-prefix-deleted", new PrefixDeleted(57, "payments/old/", 3));
        cases.put("result-v3-scoped-token-created", new TokenResult(58, "payments-app", scopedToken()));
        cases.put("result-v4-release", new ReleaseResult(80, release(), List.of(3L, 9L)));
        cases.put("result-v4-rejected-release-conflict", new Rejected(81, Rejected.Reason.RELEASE_CONFLICT,
                "config/payments/default", 77, "changed"));
        cases.put("result-v1-token-created", new TokenResult(50, "payments-ci", token()));
        cases.put("result-v1-token-revoked", new TokenResult(51, "payments-ci", null));
        cases.put("result-v1-rejected-permission", new Rejected(52, Rejected.Reason.PERMISSION_DENIED, "", 0,
                "token 'payments-ci' does not exist"));
        cases.put("result-v1-rejected-token-exists", new Rejected(53, Rejected.Reason.TOKEN_EXISTS, "", 0, "exists"));
        cases.put("result-v1-rejected-token-not-found", new Rejected(54, Rejected.Reason.TOKEN_NOT_FOUND, "", 0, "gone"));
        return cases;
    }

    static List<Release.Draft> drafts() {
        return List.of(new Release.Draft("config/payments/default", "application/yaml", "greeting: hello-3\n".getBytes(UTF_8)),
                new Release.Draft("config/payments/dev", "", null));
    }

    static Release.Validation validation() {
        return new Release.Validation(Release.Validation.Status.WARNINGS, "0123456789abcdef", List.of(
                new Release.Problem("payments/default", "sevrer.port", false, "unknown property", "server.port")));
    }

    static Release.GrayRule rule() {
        return new Release.GrayRule(List.of("pay-7f9c-x2"), List.of("10.1.2.3", "fe80::1"),
                new java.util.TreeMap<>(Map.of("track", "canary", "version", "2.4.1")), 10);
    }

    /** A published release that went through gray, with what it replaced. */
    static Release release() {
        return new Release(70, "Greeting 3", "say hello-3", "payments-ci", List.of("payments-ci", "alice"),
                1_767_225_600_000L, List.of(
                new Release.Document("config/payments/default", "application/yaml", "greeting: hello-3\n".getBytes(UTF_8), 60),
                new Release.Document("config/payments/dev", "", null, 61)), Release.State.PUBLISHED,
                new Release.Gray(rule(), "payments-ci", 1_767_225_600_001L), validation(),
                new Release.Published(80, "admin", 1_767_225_600_002L, "ship it", "pager 4411", List.of(
                        new Release.Previous("config/payments/default", "application/yaml", "greeting: hello-2\n".getBytes(UTF_8)),
                        new Release.Previous("config/payments/dev", "", null))), 0, 0, 80);
    }

    static Token token() {
        return new Token("payments-ci", hash(7), Role.WRITER, List.of("payments/"), 50, 1_767_225_600_000L);
    }

    static Token scopedToken() {
        return new Token("payments-app", hash(9), Role.WRITER, List.of("config/payments/"), 58, 1_767_225_600_000L,
                List.of("payments", "*"));
    }

    /** A fixed 32-byte "hash" whose bytes count up from {@code seed}. */
    static byte[] hash(int seed) {
        byte[] hash = new byte[Token.HASH_BYTES];
        for (int i = 0; i < hash.length; i++) {
            hash[i] = (byte) (seed + i);
        }
        return hash;
    }

    static Instance instance() {
        return new Instance("payments", "pay-1", "10.0.0.7", 8443, "eu-west-1a", List.of("canary"),
                new java.util.TreeMap<>(Map.of("version", "2.4.1")), Instance.Status.UP, 20, 20, 20, 1_767_225_600_000L);
    }

    /** A small store with history, built by applying commands, as every replica would. */
    static KvStore store() {
        KvStore store = new KvStore();
        long index = 0;
        for (int i = 0; i < 4; i++) {
            store.apply(index += 2, new Stamp(1_767_225_600_000L + i, 3),
                    new Command.Put("app/key-" + (i % 2), ("value " + i).getBytes(UTF_8), "text/plain", Command.ANY));
        }
        store.apply(index += 2, STAMP, new Command.Put("bin", new byte[] {(byte) 0xCA, (byte) 0xFE}, "application/octet-stream",
                Command.ANY));
        store.advance(index + 1);
        return store;
    }

    /**
     * {@link #storeWithLocks()} and then an admin token, a scoped writer, desired voters and a
     * remembered idempotent write (the snapshot format 5 case).
     */
    static KvStore storeWithTokens() {
        KvStore store = storeWithLocks();
        long index = store.revision();
        store.apply(++index, STAMP, new Command.CreateToken("admin", hash(1), Role.ADMIN, List.of(), true));
        store.apply(++index, STAMP, new Command.CreateToken("payments-ci", hash(7), Role.WRITER, List.of("payments/"),
                false));
        store.apply(++index, STAMP, new Command.SetDesiredVoters(2, List.of("m-0=m-0.h:7070", "m-1=m-1.h:7070")));
        store.apply(++index, STAMP, new Command.Authored("payments-ci", "req-9", "retry-1", 600_000,
                new Command.Put("payments/limit", "100".getBytes(UTF_8), "text/plain", Command.ANY)));
        return store;
    }

    /**
     * {@link #storeWithTokens()} in a cluster raised to version 2, with a prefix deleted (the snapshot
     * format 6 case).
     */
    static KvStore storeWithClusterVersion() {
        KvStore store = storeWithTokens();
        long index = store.revision();
        store.apply(++index, STAMP, new Command.RaiseClusterVersion(2));
        store.apply(++index, STAMP, new Command.DeletePrefix("app/"));
        return store;
    }

    /**
     * {@link #storeWithClusterVersion()} raised to version 3, with a token confined to services (the
     * snapshot format 7 case).
     */
    static KvStore storeWithServiceScopes() {
        KvStore store = storeWithClusterVersion();
        long index = store.revision();
        store.apply(++index, STAMP, new Command.RaiseClusterVersion(3));
        store.apply(++index, STAMP, new Command.CreateToken("payments-app", hash(9), Role.WRITER, List.of("config/payments/"),
                false, List.of("payments")));
        return store;
    }

    /**
     * {@link #storeWithServiceScopes()} raised to version 4, with a published release, a gray one, a
     * rollback and an abandoned draft (the snapshot format 8 case).
     */
    static KvStore storeWithReleases() {
        KvStore store = storeWithServiceScopes();
        long index = store.revision();
        store.apply(++index, STAMP, new Command.RaiseClusterVersion(4));
        store.apply(++index, STAMP, new Command.CreateRelease("Greeting 3", "", drafts(), validation(),
                Release.Retention.DEFAULT));
        long first = index;
        store.apply(++index, STAMP, new Command.PublishRelease(first, "", false, Release.Approval.NONE));
        store.apply(++index, STAMP, new Command.CreateRelease("Greeting 4", "", List.of(new Release.Draft(
                "config/payments/default", "text/x-java-properties", "greeting=hello-4".getBytes(UTF_8))),
                Release.Validation.SKIPPED, Release.Retention.DEFAULT));
        store.apply(index + 1, STAMP, new Command.GrayRelease(index, rule(), Release.Approval.NONE));
        index++;
        store.apply(++index, STAMP, new Command.CreateRelease("Dropped", "", List.of(new Release.Draft(
                "config/orders/default", "application/json", "{}".getBytes(UTF_8))), Release.Validation.SKIPPED,
                Release.Retention.DEFAULT));
        store.apply(index + 1, STAMP, new Command.AbandonRelease(index));
        index++;
        store.apply(++index, STAMP, new Command.RollbackRelease(first, "", false, Release.Retention.DEFAULT));
        return store;
    }

    /** {@link #storeWithInstances()} and then a lock with a holder and a waiter (the snapshot format 4 case). */
    static KvStore storeWithLocks() {
        KvStore store = storeWithInstances();
        long index = store.revision();
        store.apply(++index, STAMP, new Command.AcquireLock("jobs/nightly", 12, "worker-7"));
        store.apply(++index, STAMP, new Command.AcquireLock("jobs/nightly", 13, "worker-9"));
        return store;
    }

    /** {@link #storeWithLeases()} and then two service instances (the snapshot format 3 case). */
    static KvStore storeWithInstances() {
        KvStore store = storeWithLeases();
        long index = store.revision();
        store.apply(++index, STAMP, new Command.RegisterInstance("payments", "pay-1", "10.0.0.7", 8443, "z1",
                List.of("a"), new java.util.TreeMap<>(Map.of("k", "v")), Instance.Status.UP, 0, 15_000));
        store.apply(++index, STAMP, new Command.RegisterInstance("payments", "pay-2", "10.0.0.8", 8443, "",
                List.of(), new java.util.TreeMap<>(), Instance.Status.STARTING, 12, 0));
        return store;
    }

    /** {@link #store()} and then two leases, one with keys bound to it (the snapshot format 2 case). */
    static KvStore storeWithLeases() {
        KvStore store = store();
        long index = store.revision();
        store.apply(++index, STAMP, new Command.GrantLease(10_000));
        long bound = index;
        store.apply(++index, STAMP, new Command.GrantLease(60_000));
        store.apply(++index, STAMP, new Command.Put("services/web/1", "10.0.0.1".getBytes(UTF_8), "text/plain",
                Command.ANY, bound));
        store.apply(++index, STAMP, new Command.Put("app/key-0", "bound".getBytes(UTF_8), "text/plain", Command.ANY,
                bound));
        return store;
    }
}
