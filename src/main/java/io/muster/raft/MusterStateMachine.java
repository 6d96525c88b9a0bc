package io.muster.raft;

import io.muster.core.Applied;
import io.muster.core.CommandCodec;
import io.muster.core.ContentDigest;
import io.muster.core.KvStore;
import io.muster.core.Result;
import io.muster.core.ResultCodec;
import io.muster.core.SnapshotCodec;
import io.muster.core.UndecodableException;
import io.muster.support.DaemonThreads;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MemoizedSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine: decodes each log entry, applies it to the {@link KvStore}, and encodes the
 * result. Snapshots are the store's encoding, written by {@link SnapshotStore}.
 *
 * <p>Lifecycle (docs/ratis-guide.md §3.2, §3.6): {@code initialize} loads the newest snapshot; a snapshot
 * install from the leader calls {@code pause} (which must reach {@code PAUSED}) and then
 * {@code reinitialize}, which reloads from disk.
 *
 * <p>Threading: apply, snapshots and reloads run on the Ratis updater thread and take the write lock
 * (snapshots the read lock); {@link #read} runs on any thread under the read lock.
 */
public final class MusterStateMachine extends BaseStateMachine {

    private static final Logger log = LoggerFactory.getLogger(MusterStateMachine.class);
    /** A state of N entries is snapshot again once N / this many entries were applied since the last one. */
    private static final int SNAPSHOT_STATE_FRACTION = 10;

    private final Admission admission;
    private final RaftMetrics metrics;
    /**
     * States of at least this many entries are written by the snapshot writer thread; smaller ones on
     * the apply thread, as Ratis expects, where they take milliseconds.
     */
    private final long backgroundSnapshotEntries;
    private volatile GroupListener listener = new GroupListener() {
    };
    private final List<AppliedChanges> subscribers = new CopyOnWriteArrayList<>();
    private volatile LeaderQueries leaderQueries;
    /** Entries left in the batch of committed entries the apply thread found (apply thread only). */
    private long batchRemaining;
    private final SnapshotStore snapshots = new SnapshotStore();
    /** A backup to start from; set only before the first start of a node without Raft data. */
    private volatile Path restoreFrom;
    private final AppliedIndex appliedIndex = new AppliedIndex();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private KvStore store = new KvStore();
    /** Writes snapshots off the apply thread, one at a time. */
    private final ExecutorService snapshotWriter = Executors.newSingleThreadExecutor(
            DaemonThreads.named("muster-snapshot-writer"));
    /** The snapshot being written, or written and not yet reported to Ratis. */
    private volatile PendingSnapshot writing;
    /** Whether the next snapshot is an operator's, to be written before it is answered. */
    private volatile boolean snapshotRequested;
    /** Set as the node stops: the snapshot Ratis takes then is worth it whatever its size, for the restart. */
    private volatile boolean stopping;
    /**
     * The index of the snapshot the state was last loaded from (start-up, snapshot install): Ratis'
     * snapshot index is at least this, so a background snapshot below it is never reported.
     */
    private volatile long snapshotFloor = -1;

    MusterStateMachine(Admission admission, RaftMetrics metrics, long backgroundSnapshotEntries) {
        this.admission = admission;
        this.metrics = metrics;
        this.backgroundSnapshotEntries = backgroundSnapshotEntries;
    }

    /** What the node hears about its group, on Ratis' threads: implementations return quickly. */
    interface GroupListener {

        /** A configuration entry was applied or installed with a snapshot. */
        default void configurationChanged() {
        }

        /** This node's division shut itself down because the node left the configuration. */
        default void removed() {
        }
    }

    void listen(GroupListener groupListener) {
        this.listener = groupListener;
    }

    /** Subscribes a follower of the state; it then hears every change, starting with the next. */
    public void subscribe(AppliedChanges subscriber) {
        subscribers.add(subscriber);
    }

    /**
     * Installs the answerer of queries that only the leader can answer (lease keep-alives): they reach
     * {@link #query} through Ratis' non-linearizable read, which only the leader serves.
     */
    public void answerLeaderQueries(LeaderQueries answerer) {
        this.leaderQueries = answerer;
    }

    LeaderQueries leaderQueries() {
        return leaderQueries;
    }

    /** Runs {@code reader} against the current state, serialised against apply. */
    public <T> T read(Function<KvStore, T> reader) {
        lock.readLock().lock();
        try {
            return reader.apply(store);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** SHA-256 of the state's encoding and of its content, and the revision they reflect, read atomically. */
    public Digest digest() {
        return read(current -> new Digest(current.revision(), SnapshotCodec.digest(current),
                ContentDigest.of(current)));
    }

    /**
     * Digests of the state at a revision: {@code sha256} of its snapshot encoding (node against node),
     * {@code contentSha256} of its entries alone (state against the H2 view).
     */
    public record Digest(long revision, String sha256, String contentSha256) {
    }

    AppliedIndex appliedIndex() {
        return appliedIndex;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        snapshots.init(raftStorage);
        Path backup = restoreFrom;
        if (backup != null && snapshots.storage().getLatestSnapshot() == null) {
            restore(backup);
        }
        getLifeCycle().startAndTransition(this::loadLatestSnapshot);
    }

    /** Makes this node, on its first start, begin from the state in {@code backup} instead of an empty one. */
    void restoreOnFirstStart(Path backup) {
        this.restoreFrom = backup;
    }

    /**
     * Writes the backup's state as this node's first snapshot (term 0, at the backup's revision), so that
     * the state loads from it and the Raft log starts after it. The file is checked whole first.
     */
    private void restore(Path backup) throws IOException {
        KvStore restored;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(backup), 1 << 16)) {
            restored = SnapshotCodec.read(in);
        }
        restored.forgetDesiredVoters();
        snapshots.write(restored.image(), TermIndex.valueOf(0, restored.revision()));
        log.info("restored the state at revision {} ({} entries) from {}", restored.revision(), restored.size(), backup);
    }

    @Override
    public void pause() {
        awaitSnapshotWrite(); // an install is about to replace the snapshot directory
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    @Override
    public void reinitialize() throws IOException {
        loadLatestSnapshot();
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return snapshots.storage();
    }

    /** On the leader, before logging: validate, enforce limits, and stamp the leader's time. */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) {
        byte[] commandBytes = request.getMessage().getContent().toByteArray();
        TransactionContext.Builder builder = TransactionContext.newBuilder().setStateMachine(this)
                .setClientRequest(request);
        String problem;
        try {
            problem = admission.problem(CommandCodec.decodeCommand(commandBytes), commandBytes.length);
        } catch (UndecodableException e) {
            problem = "undecodable command: " + e.getMessage();
        }
        if (problem != null) {
            TransactionContext refused = builder.build();
            refused.setException(new StateMachineException(problem));
            return refused;
        }
        byte[] entry = CommandCodec.encodeEntry(admission.stamp(), commandBytes);
        return builder.setLogData(ByteString.copyFrom(entry)).build();
    }

    /**
     * Applies one committed entry. An entry that does not decode is a broken invariant: the
     * exception closes this Raft division rather than letting the replica diverge.
     */
    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext transaction) {
        LogEntryProto entry = transaction.getLogEntry();
        countBatch(entry.getIndex());
        // The clock read here times apply for the metrics; it never reaches the state.
        long started = System.nanoTime();
        CommandCodec.LogEntry decoded = CommandCodec.decodeEntry(
                entry.getStateMachineLogEntry().getLogData().toByteArray());
        Result result = applyLocked(entry.getTerm(), entry.getIndex(), decoded);
        appliedIndex.advance(entry.getIndex());
        metrics.applied(System.nanoTime() - started);
        return CompletableFuture.completedFuture(encodedWhenSent(result));
    }

    /** Records how many committed entries were waiting when the apply thread started on a new run. */
    private void countBatch(long index) {
        if (batchRemaining > 0) {
            batchRemaining--;
            return;
        }
        try {
            long committed = getServer().join().getDivision(getGroupId()).getRaftLog().getLastCommittedIndex();
            long batch = Math.max(1, committed - index + 1);
            metrics.applyBatch(batch);
            batchRemaining = batch - 1;
        } catch (IOException e) {
            batchRemaining = 0;
        }
    }

    /**
     * The result as a message that is encoded only if it is sent: only the node that received the
     * request replies, so followers never pay for the encoding on the apply thread.
     */
    private static Message encodedWhenSent(Result result) {
        MemoizedSupplier<ByteString> content = MemoizedSupplier.valueOf(
                () -> ByteString.copyFrom(ResultCodec.encode(result)));
        return new Message() {
            @Override
            public ByteString getContent() {
                return content.get();
            }

            @Override
            public String toString() {
                return result.toString();
            }
        };
    }

    /** Applies under the write lock and hands what the entry did to the subscribers, in log order. */
    private Result applyLocked(long term, long index, CommandCodec.LogEntry decoded) {
        lock.writeLock().lock();
        try {
            Applied applied = store.apply(index, decoded.stamp(), decoded.command());
            updateLastAppliedTermIndex(term, index);
            for (AppliedChanges subscriber : subscribers) {
                subscriber.applied(applied);
            }
            return applied.result();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Configuration and metadata entries carry no command but still advance the revision. */
    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        lock.writeLock().lock();
        try {
            if (index > store.revision()) {
                store.advance(index);
                Applied nothing = Applied.nothing(index);
                subscribers.forEach(subscriber -> subscriber.applied(nothing));
            }
            super.notifyTermIndexUpdated(term, index);
        } finally {
            lock.writeLock().unlock();
        }
        appliedIndex.advance(index);
    }

    /*
     * The notifications below run on Ratis' threads, the apply thread among them. An exception thrown
     * there puts Ratis' state machine updater into a state it never leaves (it spins at full CPU and
     * the server never finishes closing), so nothing a listener does may escape.
     */

    @Override
    public void notifyConfigurationChanged(long term, long index, RaftConfigurationProto newRaftConfiguration) {
        notifyQuietly("configuration change", listener::configurationChanged);
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        notifyQuietly("leader change", metrics::leaderChanged);
    }

    @Override
    public void notifyServerShutdown(RoleInfoProto roleInfo, boolean allServer) {
        if (!allServer) {
            notifyQuietly("removal", listener::removed);
        }
    }

    private static void notifyQuietly(String what, Runnable notification) {
        try {
            notification.run();
        } catch (RuntimeException e) {
            log.error("a listener failed on a {} notification; ignored", what, e);
        }
    }

    /**
     * An empty message is the read barrier of a linearizable read: answers the applied index once Ratis'
     * ReadIndex is reached. Anything else is a leader query, for the installed {@link LeaderQueries}.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        ByteString content = request.getContent();
        if (content.isEmpty()) {
            return CompletableFuture.completedFuture(Message.valueOf(Long.toString(appliedIndex.get())));
        }
        LeaderQueries answerer = leaderQueries;
        if (answerer == null) {
            return CompletableFuture.failedFuture(new StateMachineException("this node answers no leader queries yet"));
        }
        try {
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(
                    answerer.answer(content.toByteArray()))));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new StateMachineException("leader query failed: " + e.getMessage()));
        }
    }

    /** Ratis' default parks on waiters that never complete (docs/ratis-guide.md §3.5); use ours. */
    @Override
    public CompletableFuture<Message> queryStale(Message request, long minIndex) {
        return appliedIndex.await(minIndex).thenCompose(ignored -> query(request));
    }

    @Override
    public long takeSnapshot() throws IOException {
        PendingSnapshot finished = writing;
        boolean synchronous = snapshotRequested;
        if (finished != null) {
            if (!finished.done() && !synchronous) {
                return -1; // still writing; Ratis asks again after the next entries
            }
            writing = null;
            long index = finished.await();
            if (!synchronous) {
                // Ratis records it and purges the log up to it; unless a snapshot install or a reload
                // moved this node past it meanwhile (Ratis refuses an index below its own, and stops)
                return index > snapshotFloor ? index : -1;
            }
        }
        if (getLifeCycleState() != LifeCycle.State.RUNNING || (!synchronous && !stopping && !worthASnapshot())) {
            return -1;
        }
        PendingSnapshot next = capture();
        if (next == null) {
            return -1;
        }
        if (synchronous || next.image.entries().size() < backgroundSnapshotEntries) {
            snapshotRequested = false;
            return next.writeNow();
        }
        writing = next;
        snapshotWriter.execute(next::writeInBackground);
        return -1;
    }

    /**
     * Whether the entries applied since the latest snapshot are worth writing the whole state again:
     * Ratis asks after {@code muster.raft.snapshot-threshold} of them, but a snapshot costs in proportion
     * to the state, so a large state waits until the log since its last snapshot holds a tenth as many
     * entries as the state. A million entries then snapshot every 100,000 writes (a second of encoding
     * on each node, measured) rather than every 10,000, which took a third of the cluster's CPU under a
     * put load; replaying the longer log at a restart costs less than that. On the apply thread, the
     * only writer, so reading the store's size needs no lock.
     */
    private boolean worthASnapshot() {
        SnapshotInfo latest = snapshots.storage().getLatestSnapshot();
        long since = appliedIndex.get() - (latest == null ? 0 : latest.getIndex());
        return since >= store.size() / SNAPSHOT_STATE_FRACTION;
    }

    /** The node is stopping: a snapshot taken now spares the restart the replay of the log since the last. */
    void stopping() {
        stopping = true;
    }

    /**
     * Makes the next snapshot Ratis asks for a synchronous one, written before {@link #takeSnapshot}
     * returns, for an operator's request that must answer the index that covers every applied entry.
     */
    void snapshotNextSynchronously(boolean synchronous) {
        snapshotRequested = synchronous;
    }

    /**
     * The state at the last applied entry, copied under the read lock (the apply thread waits for the
     * copy only), or {@code null} when nothing was applied yet.
     */
    private PendingSnapshot capture() {
        lock.readLock().lock();
        try {
            TermIndex last = getLastAppliedTermIndex();
            if (last == null || last.getIndex() < 0) {
                return null;
            }
            if (store.revision() != last.getIndex()) {
                throw new IllegalStateException("store revision " + store.revision() + " differs from applied index "
                        + last.getIndex());
            }
            long started = System.nanoTime();
            KvStore.Image image = store.image();
            metrics.snapshotCaptured(System.nanoTime() - started);
            return new PendingSnapshot(image, last);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Waits for a snapshot being written (before a snapshot install replaces the files, or a close). */
    private void awaitSnapshotWrite() {
        PendingSnapshot pending = writing;
        if (pending != null) {
            pending.written.exceptionally(failure -> null).join(); // a failure was logged by the writer
        }
    }

    @Override
    public void close() throws IOException {
        awaitSnapshotWrite();
        snapshotWriter.shutdown();
        super.close();
    }

    /**
     * A snapshot of the state at {@code termIndex}: captured on the apply thread in milliseconds,
     * written (encoded, forced to disk, renamed) on the snapshot writer while apply goes on, so that
     * even a large state never stalls writes for the time its file takes.
     */
    private final class PendingSnapshot {

        private final KvStore.Image image;
        private final TermIndex termIndex;
        private final CompletableFuture<Long> written = new CompletableFuture<>();

        PendingSnapshot(KvStore.Image image, TermIndex termIndex) {
            this.image = image;
            this.termIndex = termIndex;
        }

        /** On the snapshot writer. */
        void writeInBackground() {
            try {
                written.complete(writeNow());
            } catch (IOException | RuntimeException e) {
                log.warn("the snapshot at {} was not written: {}", termIndex, e.toString());
                written.completeExceptionally(e);
            }
        }

        long writeNow() throws IOException {
            long started = System.nanoTime();
            long bytes = snapshots.write(image, termIndex);
            metrics.snapshotTaken(System.nanoTime() - started, bytes);
            log.info("snapshot taken at {} ({} entries, {} bytes)", termIndex, image.entries().size(), bytes);
            return termIndex.getIndex();
        }

        boolean done() {
            return written.isDone();
        }

        long await() throws IOException {
            try {
                return written.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException("snapshot failed", e.getCause());
            }
        }
    }

    private void loadLatestSnapshot() throws IOException {
        long started = System.nanoTime();
        awaitSnapshotWrite();
        writing = null; // one written before this load is older than what Ratis now knows
        SnapshotStore.Loaded loaded = snapshots.loadLatest();
        if (loaded != null) {
            snapshotFloor = loaded.termIndex().getIndex();
        }
        lock.writeLock().lock();
        try {
            store = loaded == null ? new KvStore() : loaded.store();
            setLastAppliedTermIndex(loaded == null ? null : loaded.termIndex());
            long revision = store.revision();
            subscribers.forEach(subscriber -> subscriber.replaced(revision));
        } finally {
            lock.writeLock().unlock();
        }
        if (loaded != null) {
            appliedIndex.advance(loaded.termIndex().getIndex());
            log.info("state loaded from snapshot {} ({} entries) in {} ms", loaded.termIndex(), loaded.store().size(),
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

}
