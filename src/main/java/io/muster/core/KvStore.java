package io.muster.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The replicated key/value state: entries in key order, the revision (the last applied log index)
 * and the applied time (the largest leader time seen, so it never moves back).
 *
 * <p>{@link #apply} is a pure function of this state, the log index and the stamped command. Not
 * thread-safe: one writer, readers serialised against it by the owner.
 */
public final class KvStore {

    private final NavigableMap<String, Entry> entries = new TreeMap<>();
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

    void restore(Entry entry) {
        if (entry.modRevision() > revision || entries.put(entry.key(), entry) != null) {
            throw new UndecodableException("snapshot entry '" + entry.key() + "' is duplicated or newer than the snapshot");
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
        String problem = stamp.problem();
        if (problem == null) {
            problem = CommandRules.problem(command);
        }
        if (problem != null) {
            return new Rejected(revision, Rejected.Reason.INVALID_COMMAND, "", 0, problem);
        }
        if (command instanceof Command.Put put) {
            return put(put, stamp);
        }
        if (command instanceof Command.Delete delete) {
            return delete(delete);
        }
        if (command instanceof Command.Txn txn) {
            return txn(txn, stamp);
        }
        throw new IllegalStateException("no apply for " + command);
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
        return rejected != null ? rejected : write(put.key(), put.value(), put.contentType(), stamp);
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
        List<OpResult> results = new ArrayList<>(branch.size());
        for (Op op : branch) {
            results.add(run(op, stamp));
        }
        return new TxnResult(revision, succeeded, results);
    }

    private OpResult run(Op op, Stamp stamp) {
        if (op instanceof Op.Put put) {
            return write(put.key(), put.value(), put.contentType(), stamp);
        }
        if (op instanceof Op.Delete delete) {
            return remove(delete.key());
        }
        if (op instanceof Op.Get get) {
            return new GetResult(get.key(), entries.get(get.key()));
        }
        throw new IllegalStateException("no apply for " + op);
    }

    private PutResult write(String key, byte[] value, String contentType, Stamp stamp) {
        Entry existing = entries.get(key);
        long version = existing == null ? 1 : existing.version() + 1;
        long createRevision = existing == null ? revision : existing.createRevision();
        Version current = new Version(value, contentType, revision, version, timeMillis);
        entries.put(key, new Entry(key, createRevision, current, retained(existing, stamp.historyVersions() - 1)));
        return new PutResult(revision, key, createRevision, revision, version, existing == null);
    }

    private DeleteResult remove(String key) {
        Entry removed = entries.remove(key);
        return new DeleteResult(revision, key, removed != null, removed == null ? 0 : removed.modRevision());
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
