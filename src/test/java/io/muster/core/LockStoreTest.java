package io.muster.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves the lock rules in the store: one holder at a time, waiters served in arrival order, a
 * fencing token that grows with every new holder, a stale token that releases nothing, and a lock
 * that passes on (or empties) when its holder's or a waiter's lease ends.
 */
class LockStoreTest {

    private static final Stamp STAMP = new Stamp(1_000, 10);

    private final KvStore store = new KvStore();
    private long index;

    @Test
    void waitersAreServedInArrivalOrderWithGrowingTokens() {
        long a = grant();
        long b = grant();
        long c = grant();

        LockResult first = acquire(a, "a");
        LockResult second = acquire(b, "b");
        LockResult third = acquire(c, "c");
        assertThat(List.of(first.position(), second.position(), third.position())).containsExactly(0, 1, 2);

        LockResult released = release(first.lock().holder().token());
        assertThat(released.released()).isTrue();
        assertThat(released.lock().holder().owner()).isEqualTo("b");
        long bToken = released.lock().holder().token();
        assertThat(bToken).isGreaterThan(first.lock().holder().token()).isEqualTo(released.revision());

        LockResult next = release(bToken);
        assertThat(next.lock().holder().owner()).isEqualTo("c");
        assertThat(next.lock().holder().token()).isGreaterThan(bToken);
        assertThat(release(next.lock().holder().token()).lock().holder()).isNull();
        assertThat(store.lock("jobs/x")).as("a lock nobody wants is forgotten").isNull();
    }

    @Test
    void aStaleTokenReleasesNothing() {
        long a = grant();
        long token = acquire(a, "a").lock().holder().token();

        LockResult stale = release(token + 1);

        assertThat(stale.released()).isFalse();
        assertThat(store.lock("jobs/x").holder().token()).isEqualTo(token);
    }

    @Test
    void acquiringAgainReportsWhereTheClientStandsAndChangesNothing() {
        long a = grant();
        long b = grant();
        acquire(a, "a");
        acquire(b, "b");
        Lock before = store.lock("jobs/x");

        LockResult again = acquire(b, "b");

        assertThat(again.position()).isEqualTo(1);
        assertThat(store.lock("jobs/x")).isEqualTo(before);
    }

    @Test
    void anEndedLeasePassesTheLockToTheFirstLiveWaiter() {
        long a = grant();
        long b = grant();
        long c = grant();
        acquire(a, "a");
        acquire(b, "b");
        acquire(c, "c");

        LeasesEnded ended = (LeasesEnded) apply(new Command.ExpireLeases(List.of(a, b)));

        assertThat(ended.changedLocks()).containsExactly("jobs/x");
        Lock lock = store.lock("jobs/x");
        assertThat(lock.holder().owner()).isEqualTo("c");
        assertThat(lock.holder().token()).isEqualTo(ended.revision());
        assertThat(lock.waiters()).isEmpty();
    }

    @Test
    void aCancelledWaitLeavesTheQueueButAHolderKeepsTheLock() {
        long a = grant();
        long b = grant();
        acquire(a, "a");
        acquire(b, "b");

        assertThat(((LockResult) apply(new Command.CancelLockWait("jobs/x", b, "b"))).position()).isEqualTo(-1);
        assertThat(((LockResult) apply(new Command.CancelLockWait("jobs/x", a, "a"))).position()).isZero();
        assertThat(store.lock("jobs/x").waiters()).isEmpty();
    }

    @Test
    void acquiringWithAMissingLeaseIsRejected() {
        Result result = apply(new Command.AcquireLock("jobs/x", 42, "a"));

        assertThat(((Rejected) result).reason()).isEqualTo(Rejected.Reason.LEASE_NOT_FOUND);
        assertThat(store.lock("jobs/x")).isNull();
    }

    private long grant() {
        return ((LeaseGranted) apply(new Command.GrantLease(10_000))).lease().id();
    }

    private LockResult acquire(long lease, String owner) {
        return (LockResult) apply(new Command.AcquireLock("jobs/x", lease, owner));
    }

    private LockResult release(long token) {
        return (LockResult) apply(new Command.ReleaseLock("jobs/x", token));
    }

    private Result apply(Command command) {
        return store.apply(++index, STAMP, command).result();
    }
}
