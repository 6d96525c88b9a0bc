package io.muster.core;

import java.util.Collection;
import java.util.Comparator;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** Results of idempotent commands by {@link Remembered#slot}, while their windows last. */
final class RememberedTable {

    private final Now now;
    private final NavigableMap<String, Remembered> remembered = new TreeMap<>();
    /** The same results by expiry, then slot, for forgetting them in time order; derived, never in a snapshot. */
    private final NavigableSet<Remembered> expiries = new TreeSet<>(
            Comparator.comparingLong(Remembered::expiresAtMillis).thenComparing(Remembered::slot,
                    Comparator.naturalOrder()));

    RememberedTable(Now now) {
        this.now = now;
    }

    void restore(Remembered result) {
        if (remembered.containsKey(result.slot()) || result.result().revision() > now.revision) {
            throw new UndecodableException("snapshot remembers an idempotency key twice or from after the snapshot");
        }
        remember(result);
    }

    Remembered get(String slot) {
        return remembered.get(slot);
    }

    Collection<Remembered> all() {
        return remembered.values();
    }

    /** Remembers {@code result}; beyond {@link KvStore#MAX_REMEMBERED}, forgets the soonest to expire. */
    void add(Remembered result) {
        remember(result);
        while (remembered.size() > KvStore.MAX_REMEMBERED) {
            forget(expiries.first());
        }
    }

    /** Forgets the results whose window ended by the applied time. */
    void forgetExpired() {
        while (!expiries.isEmpty() && expiries.first().expiresAtMillis() <= now.timeMillis) {
            forget(expiries.first());
        }
    }

    private void remember(Remembered result) {
        remembered.put(result.slot(), result);
        expiries.add(result);
    }

    private void forget(Remembered result) {
        expiries.remove(result);
        remembered.remove(result.slot());
    }
}
