package io.muster.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Proves how leases live in the store: granted at a revision, bound to keys, and ending with them. */
class LeaseStoreTest {

    private static final Stamp STAMP = new Stamp(1_000, 10);

    private final KvStore store = new KvStore();
    private long index;

    @Test
    void aLeaseIsGrantedWithTheRevisionAsItsIdAndTheLeaderTime() {
        LeaseGranted granted = (LeaseGranted) apply(new Command.GrantLease(5_000));

        assertThat(granted.lease()).isEqualTo(new Lease(1, 5_000, 1_000));
        assertThat(store.lease(1)).isEqualTo(granted.lease());
    }

    @Test
    void revokingALeaseDeletesExactlyTheKeysBoundToIt() {
        long lease = grant();
        long other = grant();
        put("svc/a", lease);
        put("svc/b", lease);
        put("svc/c", other);
        put("plain", 0);

        LeasesEnded ended = (LeasesEnded) apply(new Command.RevokeLease(lease));

        assertThat(ended.ids()).containsExactly(lease);
        assertThat(ended.deletedKeys()).containsExactly("svc/a", "svc/b");
        assertThat(ended.expired()).isFalse();
        assertThat(store.get("svc/a")).isNull();
        assertThat(store.get("svc/c")).isNotNull();
        assertThat(store.get("plain")).isNotNull();
        assertThat(store.lease(lease)).isNull();
    }

    @Test
    void aPutMovesAKeyBetweenLeasesAndAPutWithoutOneUnbindsIt() {
        long first = grant();
        long second = grant();
        put("k", first);
        put("k", second);
        assertThat(store.keysOf(first)).isEmpty();
        assertThat(store.keysOf(second)).containsExactly("k");

        put("k", 0);
        apply(new Command.RevokeLease(second));

        assertThat(store.get("k")).isNotNull();
        assertThat(store.get("k").lease()).isZero();
    }

    @Test
    void aDeletedKeyIsNoLongerBound() {
        long lease = grant();
        put("k", lease);
        apply(new Command.Delete("k", Command.ANY));
        put("k", 0);

        LeasesEnded ended = (LeasesEnded) apply(new Command.ExpireLeases(List.of(lease)));

        assertThat(ended.deletedKeys()).isEmpty();
        assertThat(store.get("k")).isNotNull();
    }

    @Test
    void anExpirySkipsLeasesThatAreAlreadyGone() {
        long lease = grant();
        put("k", lease);

        LeasesEnded ended = (LeasesEnded) apply(new Command.ExpireLeases(List.of(99L, lease, lease)));

        assertThat(ended.ids()).containsExactly(lease);
        assertThat(ended.deletedKeys()).containsExactly("k");
        assertThat(ended.expired()).isTrue();
    }

    @Test
    void aWriteNamingAMissingLeaseIsRejectedAndChangesNothing() {
        long lease = grant();
        put("k", 0);
        String before = ContentDigest.of(store);

        Result put = apply(new Command.Put("k", "x".getBytes(UTF_8), "text/plain", Command.ANY, lease + 7));
        Result txn = apply(new Command.Txn(List.of(), List.of(new Op.Put("a", new byte[0], "text/plain", lease),
                new Op.Put("b", new byte[0], "text/plain", lease + 7)), List.of()));
        Result revoke = apply(new Command.RevokeLease(lease + 7));

        assertThat(List.of(put, txn, revoke)).allSatisfy(result ->
                assertThat(((Rejected) result).reason()).isEqualTo(Rejected.Reason.LEASE_NOT_FOUND));
        assertThat(ContentDigest.of(store)).isEqualTo(before);
        assertThat(store.keysOf(lease)).isEmpty();
        assertThat(store.leases()).containsExactly(new Lease(lease, 10_000, 1_000));
    }

    @Test
    void invalidLeaseCommandsAreRefusedByTheRules() {
        assertThat(CommandRules.problem(new Command.GrantLease(0))).contains("ttl");
        assertThat(CommandRules.problem(new Command.GrantLease(Lease.MAX_TTL_MILLIS + 1))).contains("ttl");
        assertThat(CommandRules.problem(new Command.RevokeLease(0))).contains("positive");
        assertThat(CommandRules.problem(new Command.ExpireLeases(List.of()))).contains("1..");
        assertThat(CommandRules.problem(new Command.Put("k", new byte[0], "text/plain", Command.ANY, -2))).contains("lease");
        assertThat(CommandRules.problem(new Command.GrantLease(1))).isNull();
    }

    private long grant() {
        return ((LeaseGranted) apply(new Command.GrantLease(10_000))).lease().id();
    }

    private void put(String key, long lease) {
        assertThat(apply(new Command.Put(key, key.getBytes(UTF_8), "text/plain", Command.ANY, lease)))
                .isInstanceOf(PutResult.class);
    }

    private Result apply(Command command) {
        return store.apply(++index, STAMP, command).result();
    }
}
