package io.muster.raft;

import io.muster.core.KvStore;
import io.muster.support.DaemonThreads;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.ratis.server.protocol.TermIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes captured states to the {@link SnapshotStore}: on the calling thread, or on the snapshot writer
 * thread while apply goes on, one at a time, so that even a large state never stalls writes for the
 * time its file takes (encoded, forced to disk, renamed).
 *
 * <p>Threading: called on the Ratis updater thread; a background write runs on this class's own
 * thread, and at most one is in flight (the caller waits for it, or asks whether it is done, before
 * it starts another).
 */
final class SnapshotWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SnapshotWriter.class);

    private final SnapshotStore files;
    private final RaftMetrics metrics;
    /** Writes snapshots off the apply thread, one at a time. */
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            DaemonThreads.named("muster-snapshot-writer"));
    /** The snapshot being written, or written and not yet reported to Ratis. */
    private volatile Pending writing;

    SnapshotWriter(SnapshotStore files, RaftMetrics metrics) {
        this.files = files;
        this.metrics = metrics;
    }

    /** Writes {@code image} now, on this thread; answers its index. */
    long writeNow(KvStore.Image image, TermIndex termIndex) throws IOException {
        long started = System.nanoTime();
        long bytes = files.write(image, termIndex);
        metrics.snapshotTaken(System.nanoTime() - started, bytes);
        log.info("snapshot taken at {} ({} entries, {} bytes)", termIndex, image.entries().size(), bytes);
        return termIndex.getIndex();
    }

    /** Starts writing {@code image} on the writer thread; {@link #pending} follows it. */
    void writeInBackground(KvStore.Image image, TermIndex termIndex) {
        Pending next = new Pending(image, termIndex);
        writing = next;
        thread.execute(next::write);
    }

    /** The snapshot written in the background and not yet taken back with {@link #forget}, or {@code null}. */
    Pending pending() {
        return writing;
    }

    /** Forgets the background snapshot: it was reported, or a load made it older than what Ratis knows. */
    void forget() {
        writing = null;
    }

    /** Waits for a snapshot being written (before a snapshot install replaces the files, a load, or a close). */
    void await() {
        Pending pending = writing;
        if (pending != null) {
            pending.written.exceptionally(failure -> null).join(); // a failure was logged by the writer
        }
    }

    @Override
    public void close() {
        await();
        thread.shutdown();
    }

    /** A snapshot of the state at {@code termIndex}, captured on the apply thread in milliseconds. */
    final class Pending {

        private final KvStore.Image image;
        private final TermIndex termIndex;
        private final CompletableFuture<Long> written = new CompletableFuture<>();

        private Pending(KvStore.Image image, TermIndex termIndex) {
            this.image = image;
            this.termIndex = termIndex;
        }

        /** On the snapshot writer. */
        private void write() {
            try {
                written.complete(writeNow(image, termIndex));
            } catch (IOException | RuntimeException e) {
                log.warn("the snapshot at {} was not written: {}", termIndex, e.toString());
                written.completeExceptionally(e);
            }
        }

        boolean done() {
            return written.isDone();
        }

        /** Waits for the write; answers the snapshot's index. */
        long await() throws IOException {
            try {
                return written.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException("snapshot failed", e.getCause());
            }
        }
    }
}
