package io.muster.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** The keys: entries in key order and the keys bound to each lease; puts, deletes and transactions. */
final class KeyTable extends Table {

    private final NavigableMap<String, Entry> entries = new TreeMap<>();
    /** The keys bound to each lease; derived from the entries, so never part of a snapshot. */
    private final Map<Long, NavigableSet<String>> bound = new TreeMap<>();

    KeyTable(Now now, Effects effects) {
        super(now, effects);
    }

    void restore(Entry entry) {
        if (entry.modRevision() > now.revision || entries.put(entry.key(), entry) != null) {
            throw new UndecodableException("snapshot entry '" + entry.key() + "' is duplicated or newer than the snapshot");
        }
        if (entry.lease() != 0) {
            NavigableSet<String> keys = bound.get(entry.lease());
            if (keys == null) {
                throw new UndecodableException("snapshot entry '" + entry.key() + "' is bound to missing lease "
                        + entry.lease());
            }
            keys.add(entry.key());
        }
    }

    Entry get(String key) {
        return entries.get(key);
    }

    Collection<Entry> entries() {
        return entries.values();
    }

    int size() {
        return entries.size();
    }

    /** Up to {@code limit} entries whose keys start with {@code prefix} and sort after {@code after}. */
    Page range(String prefix, String after, int limit) {
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

    /** The keys bound to lease {@code id}, in key order (empty when there is no such lease). */
    int countBoundTo(long id) {
        NavigableSet<String> keys = bound.get(id);
        return keys == null ? 0 : keys.size();
    }

    List<String> boundTo(long id) {
        NavigableSet<String> keys = bound.get(id);
        return keys == null ? List.of() : List.copyOf(keys);
    }

    /** A lease was granted: keys may now be bound to it. */
    void leaseGranted(long id) {
        bound.put(id, new TreeSet<>());
    }

    /** Lease {@code id} ended: deletes the keys bound to it and adds them to {@code deleted}. */
    void leaseEnded(long id, NavigableSet<String> deleted) {
        for (String key : bound.remove(id)) {
            entries.remove(key);
            deleted.add(key);
        }
    }

    Result put(Command.Put put, Stamp stamp, LeaseTable leases) {
        Rejected rejected = checkExpectation(put.key(), put.expectedModRevision());
        if (rejected == null) {
            rejected = leases.check(put.key(), put.lease());
        }
        return rejected != null ? rejected : write(put.key(), put.value(), put.contentType(), put.lease(), stamp);
    }

    Result delete(Command.Delete delete) {
        Rejected rejected = checkExpectation(delete.key(), delete.expectedModRevision());
        return rejected != null ? rejected : remove(delete.key());
    }

    /** Deletes every key under {@code prefix}, but for reserved ones ({@link Keys#reserved}) when {@code keepReserved}. */
    PrefixDeleted deletePrefix(String prefix, boolean keepReserved) {
        List<String> under = new ArrayList<>();
        for (String key : entries.tailMap(prefix, true).keySet()) {
            if (!key.startsWith(prefix)) {
                break;
            }
            if (!keepReserved || !Keys.reserved(key)) {
                under.add(key);
            }
        }
        under.forEach(this::remove);
        return new PrefixDeleted(now.revision, prefix, under.size());
    }

    Result txn(Command.Txn txn, Stamp stamp, LeaseTable leases) {
        boolean succeeded = txn.compares().stream().allMatch(compare -> compare.holds(entries.get(compare.key())));
        List<Op> branch = succeeded ? txn.then() : txn.otherwise();
        for (Op op : branch) {
            Rejected rejected = op instanceof Op.Put put ? leases.check(put.key(), put.lease()) : null;
            if (rejected != null) {
                return rejected;
            }
        }
        List<OpResult> results = new ArrayList<>(branch.size());
        for (Op op : branch) {
            results.add(run(op, stamp));
        }
        return new TxnResult(now.revision, succeeded, results);
    }

    /** Writes {@code key} for a release at this revision: {@code value} {@code null} deletes it. */
    void publish(String key, byte[] value, String contentType, Stamp stamp) {
        if (value == null) {
            remove(key);
        } else {
            write(key, value, contentType, 0, stamp);
        }
    }

    private Rejected checkExpectation(String key, long expectedModRevision) {
        Entry existing = entries.get(key);
        long current = existing == null ? 0 : existing.modRevision();
        if (expectedModRevision == Command.ANY || expectedModRevision == current) {
            return null;
        }
        return new Rejected(now.revision, Rejected.Reason.PRECONDITION_FAILED, key, current,
                "expected modRevision " + expectedModRevision + " but '" + key + "' has " + current
                        + (current == 0 ? " (absent)" : ""));
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
        long revision = now.revision;
        long version = existing == null ? 1 : existing.version() + 1;
        long createRevision = existing == null ? revision : existing.createRevision();
        Version current = new Version(value, contentType, revision, version, now.timeMillis);
        Entry written = new Entry(key, createRevision, current, retained(existing, stamp.historyVersions() - 1), lease);
        entries.put(key, written);
        if (existing != null && existing.lease() != lease) {
            unbind(existing);
        }
        if (lease != 0) {
            bound.get(lease).add(key);
        }
        effects.key(key, written);
        return new PutResult(revision, key, createRevision, revision, version, existing == null);
    }

    private DeleteResult remove(String key) {
        Entry removed = entries.remove(key);
        if (removed != null) {
            unbind(removed);
            effects.keyDeleted(key, false);
        }
        return new DeleteResult(now.revision, key, removed != null, removed == null ? 0 : removed.modRevision());
    }

    private void unbind(Entry entry) {
        if (entry.lease() != 0) {
            bound.get(entry.lease()).remove(entry.key());
        }
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
