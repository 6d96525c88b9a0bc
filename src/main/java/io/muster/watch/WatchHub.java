package io.muster.watch;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.muster.MusterProperties;
import io.muster.core.Applied;
import io.muster.core.Applied.Change;
import io.muster.core.Applied.InstanceChange;
import io.muster.core.Applied.TokenChange;
import io.muster.core.Lock;
import io.muster.core.Token;
import io.muster.replication.AppliedChanges;
import io.muster.replication.ReplicatedState;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The shared history of recent changes, in revision order, and the watchers reading it.
 *
 * <p>Apply appends each revision's changes (never blocking: one short lock) and wakes the watchers
 * whose filter a change matches; each watcher then reads from its own cursor on its own sender task.
 * The history keeps at most {@code muster.watch.history-events} events and
 * {@code muster.watch.history-bytes} of values; every revision at or below {@link #compactedThrough}
 * may be missing from it. A replaced state (start-up, snapshot install) empties it.
 *
 * <p>Token changes end what the changed token opened: apply revokes every watcher and long poll whose
 * token was revoked (or no longer allows its filter) before the hub takes in any later revision, so a
 * watcher, reading behind on its sender thread, can stop exactly at the revoke's revision. A watcher
 * or long poll registered while its token was being revoked is checked against the current state once
 * it is registered, so it cannot miss the change.
 *
 * <p>Thread-safe.
 */
@Component
public class WatchHub implements AppliedChanges {

    private final Object lock = new Object();
    private final NavigableMap<Long, Batch> history = new TreeMap<>();
    private final int maxEvents;
    private final long maxBytes;
    /** The streams of the history, woken by the changes they follow. */
    private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
    /** Every open stream, of the history or not: counted, kept alive and revoked here. */
    private final Set<WatchStream> streams = ConcurrentHashMap.newKeySet();
    private final Set<OneShot> oneShots = ConcurrentHashMap.newKeySet();
    /** The token of a name in the applied state now ({@code null}: none); read under the state's lock. */
    private final Function<String, Token> currentToken;
    private long retainedEvents;
    private long retainedBytes;
    private long compactedThrough;
    private long revision;

    /** The changes of one revision, with its JSON made once for all watchers that take it whole. */
    static final class Batch {
        private final long revision;
        private final List<ChangeEvent> events;
        private volatile String json;

        Batch(long revision, List<ChangeEvent> events) {
            this.revision = revision;
            this.events = events;
        }

        long revision() {
            return revision;
        }

        List<ChangeEvent> events() {
            return events;
        }

        String json(java.util.function.Function<Batch, String> encoder) {
            String made = json;
            if (made == null) {
                made = encoder.apply(this);
                json = made;
            }
            return made;
        }
    }

    /**
     * What a watcher at {@code cursor} reads next: the batches from it on (possibly none) and the
     * revision they bring it up to; or, when {@code compacted}, the news that history it needs is gone.
     */
    record Read(List<Batch> batches, long throughRevision, boolean compacted, long compactedThrough) {
    }

    @Autowired
    public WatchHub(ReplicatedState state, MusterProperties properties, MeterRegistry meterRegistry) {
        this(properties.watch().historyEvents(), properties.watch().historyBytes().toBytes(), meterRegistry,
                name -> state.read(store -> store.token(name)));
    }

    /** A hub that hears only what it is told and knows no tokens (for tests of the history). */
    WatchHub(int maxEvents, long maxBytes, MeterRegistry meterRegistry) {
        this(maxEvents, maxBytes, meterRegistry, name -> null);
    }

    /** A hub that hears only what it is told and looks tokens up in {@code currentToken} (for tests). */
    WatchHub(int maxEvents, long maxBytes, MeterRegistry meterRegistry, Function<String, Token> currentToken) {
        this.currentToken = currentToken;
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
        Gauge.builder("muster.watch.watchers", streams, Set::size).description("Open watch streams on this node")
                .register(meterRegistry);
        Gauge.builder("muster.watch.long-polls", oneShots, Set::size).description("Long polls waiting on this node")
                .register(meterRegistry);
        Gauge.builder("muster.watch.history.events", this, hub -> hub.retained())
                .description("Events the watch history retains").register(meterRegistry);
    }

    // ---- fed by apply (never blocks) ----

    @Override
    public void applied(Applied applied) {
        long appliedRevision = applied.revision();
        for (TokenChange change : applied.tokens()) {
            revokeWhatItOpened(change, appliedRevision); // before any later revision can be read
        }
        List<ChangeEvent> events = new ArrayList<>(applied.keys().size() + applied.instances().size()
                + applied.locks().size());
        for (Change change : applied.keys()) {
            events.add(ChangeEvent.ofKey(type(change.entry() != null, change.expired()), change.key(), change.entry()));
        }
        for (InstanceChange change : applied.instances()) {
            events.add(ChangeEvent.ofInstance(type(change.instance() != null, change.expired()), change.service(),
                    change.id(), change.instance()));
        }
        for (Lock lock : applied.locks()) {
            events.add(ChangeEvent.ofLock(lock));
        }
        synchronized (lock) {
            revision = appliedRevision;
            if (!events.isEmpty()) {
                history.put(appliedRevision, new Batch(appliedRevision, List.copyOf(events)));
                retainedEvents += events.size();
                events.forEach(event -> retainedBytes += event.bytes());
                trim();
            }
        }
        if (!events.isEmpty()) {
            for (Watcher watcher : watchers) {
                if (watcher.wants(events)) {
                    watcher.wake();
                }
            }
            for (OneShot shot : oneShots) {
                // A node that has not yet applied the revision a long poll waits beyond (a follower a little
                // behind the leader that took the write) applies it while the poll waits: that change is
                // not news to the poll, only what comes after it.
                if (appliedRevision > shot.after() && shot.wants(events)) {
                    shot.future().complete(appliedRevision);
                }
            }
        }
    }

    /** Ends every stream and long poll that {@code change}'s token opened and may no longer read. */
    private void revokeWhatItOpened(TokenChange change, long changeRevision) {
        for (WatchStream stream : streams) {
            Revocation revocation = revocation(stream.token(), change, stream::denial, changeRevision);
            if (revocation != null) {
                stream.revoke(revocation);
            }
        }
        for (OneShot shot : oneShots) {
            Revocation revocation = revocation(shot.token(), change, shot.filter()::denial, changeRevision);
            if (revocation != null) {
                shot.future().completeExceptionally(revocation.problem());
            }
        }
    }

    /** What {@code change} revokes of what {@code opened} opened for {@code filter}; {@code null}: nothing. */
    private static Revocation revocation(Token opened, TokenChange change, Function<Token, String> denial,
            long revision) {
        boolean itsToken = opened != null && opened.name().equals(change.name());
        return itsToken ? Revocation.of(opened, change.token(), denial, revision) : null;
    }

    /**
     * Why what {@code token} opened for {@code filter} may no longer read, judged on the applied state
     * now; {@code null} when it may. Takes the state's read lock.
     */
    Revocation revocationNow(Token token, WatchFilter filter) {
        return revocationNow(token, filter::denial);
    }

    /** As {@link #revocationNow(Token, WatchFilter)}, for what {@code denial} judges. */
    Revocation revocationNow(Token token, Function<Token, String> denial) {
        return token == null ? null : Revocation.of(token, currentToken.apply(token.name()), denial, 0);
    }

    /** A long poll's wait for the first matching change after a revision, by the token that asked. */
    private record OneShot(WatchFilter filter, Token token, long after, CompletableFuture<Long> future) {

        boolean wants(List<ChangeEvent> events) {
            return filter.matchesAny(events);
        }
    }

    /**
     * Completes with the revision of the first change {@code filter} matches after {@code after}: at
     * once when the history already holds one (or no longer reaches back that far, when it completes
     * with the revision the history was compacted through), otherwise when apply produces one. Fails with
     * the {@link Revocation#problem()} once {@code token} ({@code null}: security off) is revoked or no
     * longer allows {@code filter}. Completes on the apply thread: callers continue elsewhere.
     */
    public CompletableFuture<Long> changedAfter(WatchFilter filter, Token token, long after) {
        OneShot shot = new OneShot(filter, token, after, new CompletableFuture<>());
        oneShots.add(shot);
        shot.future().whenComplete((revision, failure) -> oneShots.remove(shot));
        Revocation already = revocationNow(token, filter); // revoked between authentication and registration
        if (already != null) {
            shot.future().completeExceptionally(already.problem());
            return shot.future();
        }
        synchronized (lock) {
            if (after < compactedThrough) {
                shot.future().complete(compactedThrough);
            } else {
                for (Batch batch : history.tailMap(after + 1, true).values()) {
                    if (shot.wants(batch.events())) {
                        shot.future().complete(batch.revision());
                        break;
                    }
                }
            }
        }
        return shot.future();
    }

    private static ChangeEvent.Type type(boolean present, boolean expired) {
        return present ? ChangeEvent.Type.PUT : expired ? ChangeEvent.Type.EXPIRE : ChangeEvent.Type.DELETE;
    }

    @Override
    public void replaced(long replacedRevision) {
        synchronized (lock) {
            history.clear();
            retainedEvents = 0;
            retainedBytes = 0;
            compactedThrough = replacedRevision;
            revision = replacedRevision;
        }
        watchers.forEach(Watcher::wake);
        // What changed (tokens included) is unknown: every one-shot wait (a long poll, a lock waiter) looks
        // again, as one that asks for revisions older than the history does; a long poll's answer checks
        // its token again.
        oneShots.forEach(shot -> shot.future().complete(replacedRevision));
    }

    private void trim() {
        while (!history.isEmpty() && (retainedEvents > maxEvents || retainedBytes > maxBytes)) {
            Batch oldest = history.pollFirstEntry().getValue();
            retainedEvents -= oldest.events().size();
            oldest.events().forEach(event -> retainedBytes -= event.bytes());
            compactedThrough = oldest.revision();
        }
    }

    // ---- read by watchers ----

    /** The revision of the last applied entry this hub heard of. */
    public long revision() {
        synchronized (lock) {
            return revision;
        }
    }

    /** Every revision at or below this may be missing from the history: a watch must start after it. */
    public long compactedThrough() {
        synchronized (lock) {
            return compactedThrough;
        }
    }

    /** Whether a watcher at {@code cursor} has something to read (batches, or the news of compaction). */
    boolean hasAfter(long cursor) {
        synchronized (lock) {
            return cursor <= compactedThrough || history.ceilingKey(cursor) != null;
        }
    }

    /** Up to {@code maxBatches} batches at or after {@code cursor}. */
    Read read(long cursor, int maxBatches) {
        synchronized (lock) {
            if (cursor <= compactedThrough) {
                return new Read(List.of(), cursor - 1, true, compactedThrough);
            }
            List<Batch> batches = new ArrayList<>();
            long through = revision;
            for (Batch batch : history.tailMap(cursor, true).values()) {
                if (batches.size() == maxBatches) {
                    through = batch.revision() - 1;
                    break;
                }
                batches.add(batch);
            }
            return new Read(batches, Math.max(through, cursor - 1), false, compactedThrough);
        }
    }

    /**
     * Adds {@code stream}, then checks its token against the applied state: a revoke applied after the
     * request was authenticated and before this registration found no stream to end, so this does.
     */
    void register(WatchStream stream) {
        streams.add(stream);
        if (stream instanceof Watcher watcher) {
            watchers.add(watcher);
        }
        Revocation already = revocationNow(stream.token(), stream::denial);
        if (already != null) {
            stream.revoke(already);
        }
    }

    void unregister(WatchStream stream) {
        streams.remove(stream);
        if (stream instanceof Watcher watcher) {
            watchers.remove(watcher);
        }
    }

    /** Open streams of every kind. */
    int watcherCount() {
        return streams.size();
    }

    Set<WatchStream> streams() {
        return streams;
    }

    private long retained() {
        synchronized (lock) {
            return retainedEvents;
        }
    }
}
