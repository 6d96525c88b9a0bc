package io.muster.raft;

import io.muster.core.KvStore;
import io.muster.core.SnapshotCodec;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When and how the state machine's snapshots are taken, and the bookkeeping around them: the policy
 * that decides whether the entries applied since the last one are worth a snapshot, the choice between
 * writing on the apply thread and the {@link SnapshotWriter}, reporting a background snapshot to Ratis
 * on its next call, a backup to start from, and the index the state was last loaded from.
 *
 * <p>Threading: {@link #take}, {@link #loadLatest} and the start-up calls run on the Ratis updater
 * thread; {@link #stopping} and {@link #nextSynchronously} on any thread.
 */
final class Snapshots implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Snapshots.class);
    /** A state of N entries is snapshot again once N / this many entries were applied since the last one. */
    private static final int SNAPSHOT_STATE_FRACTION = 10;

    /** What snapshots need of the state machine ({@link MusterStateMachine} is one). */
    interface State {

        /** Runs {@code reader} against the current state, serialised against apply. */
        <T> T read(Function<KvStore, T> reader);

        /** The last entry applied, or {@code null}. */
        TermIndex getLastAppliedTermIndex();

        LifeCycle.State getLifeCycleState();
    }

    private final State state;
    private final RaftMetrics metrics;
    private final SnapshotStore files = new SnapshotStore();
    private final SnapshotWriter writer;
    /**
     * States of at least this many entries are written by the snapshot writer thread; smaller ones on
     * the apply thread, as Ratis expects, where they take milliseconds.
     */
    private final long backgroundSnapshotEntries;
    /** A backup to start from; set only before the first start of a node without Raft data. */
    private volatile Path restoreFrom;
    /** Whether the next snapshot is an operator's, to be written before it is answered. */
    private volatile boolean snapshotRequested;
    /** Set as the node stops: the snapshot Ratis takes then is worth it whatever its size, for the restart. */
    private volatile boolean stopping;
    /**
     * The index of the snapshot the state was last loaded from (start-up, snapshot install): Ratis'
     * snapshot index is at least this, so a background snapshot below it is never reported.
     */
    private volatile long snapshotFloor = -1;

    Snapshots(State state, RaftMetrics metrics, long backgroundSnapshotEntries) {
        this.state = state;
        this.metrics = metrics;
        this.backgroundSnapshotEntries = backgroundSnapshotEntries;
        this.writer = new SnapshotWriter(files, metrics);
    }

    StateMachineStorage storage() {
        return files.storage();
    }

    /** Opens the snapshot directory; on a first start with a backup to start from, writes it as the first snapshot. */
    void init(RaftStorage raftStorage) throws IOException {
        files.init(raftStorage);
        Path backup = restoreFrom;
        if (backup != null && files.storage().getLatestSnapshot() == null) {
            restore(backup);
        }
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
        files.write(restored.image(), TermIndex.valueOf(0, restored.revision()));
        log.info("restored the state at revision {} ({} entries) from {}", restored.revision(), restored.size(), backup);
    }

    /**
     * Ratis asks for a snapshot: answers the index of one just written (or written in the background
     * since the last call), or -1 for none. {@code appliedIndex} is the last index applied.
     */
    long take(long appliedIndex) throws IOException {
        SnapshotWriter.Pending finished = writer.pending();
        boolean synchronous = snapshotRequested;
        if (finished != null) {
            if (!finished.done() && !synchronous) {
                return -1; // still writing; Ratis asks again after the next entries
            }
            writer.forget();
            long index = finished.await();
            if (!synchronous) {
                // Ratis records it and purges the log up to it; unless a snapshot install or a reload
                // moved this node past it meanwhile (Ratis refuses an index below its own, and stops)
                return index > snapshotFloor ? index : -1;
            }
        }
        if (state.getLifeCycleState() != LifeCycle.State.RUNNING
                || (!synchronous && !stopping && !worthASnapshot(appliedIndex))) {
            return -1;
        }
        Captured next = capture();
        if (next == null) {
            return -1;
        }
        if (synchronous || next.image().entries().size() < backgroundSnapshotEntries) {
            snapshotRequested = false;
            return writer.writeNow(next.image(), next.termIndex());
        }
        writer.writeInBackground(next.image(), next.termIndex());
        return -1;
    }

    /**
     * Whether the entries applied since the latest snapshot are worth writing the whole state again:
     * Ratis asks after {@code muster.raft.snapshot-threshold} of them, but a snapshot costs in proportion
     * to the state, so a large state waits until the log since its last snapshot holds a tenth as many
     * entries as the state. A million entries then snapshot every 100,000 writes (a second of encoding
     * on each node, measured) rather than every 10,000, which took a third of the cluster's CPU under a
     * put load; replaying the longer log at a restart costs less than that.
     */
    private boolean worthASnapshot(long appliedIndex) {
        SnapshotInfo latest = files.storage().getLatestSnapshot();
        long since = appliedIndex - (latest == null ? 0 : latest.getIndex());
        return since >= state.read(KvStore::size) / SNAPSHOT_STATE_FRACTION;
    }

    /**
     * The state at the last applied entry, copied under the state machine's read lock (the apply thread
     * waits for the copy only), or {@code null} when nothing was applied yet.
     */
    private Captured capture() {
        return state.read(store -> {
            TermIndex last = state.getLastAppliedTermIndex();
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
            return new Captured(image, last);
        });
    }

    private record Captured(KvStore.Image image, TermIndex termIndex) {
    }

    /** The node is stopping: a snapshot taken now spares the restart the replay of the log since the last. */
    void stopping() {
        stopping = true;
    }

    /**
     * Makes the next snapshot Ratis asks for a synchronous one, written before {@link #take} returns,
     * for an operator's request that must answer the index that covers every applied entry.
     */
    void nextSynchronously(boolean synchronous) {
        snapshotRequested = synchronous;
    }

    /** Waits for a snapshot being written: an install is about to replace the snapshot directory. */
    void awaitWrite() {
        writer.await();
    }

    /**
     * Reads the newest snapshot from disk once any write in flight has ended, and remembers its index;
     * {@code null} when there is none.
     */
    SnapshotStore.Loaded loadLatest() throws IOException {
        writer.await();
        writer.forget(); // one written before this load is older than what Ratis now knows
        SnapshotStore.Loaded loaded = files.loadLatest();
        if (loaded != null) {
            snapshotFloor = loaded.termIndex().getIndex();
        }
        return loaded;
    }

    @Override
    public void close() {
        writer.close();
    }
}
