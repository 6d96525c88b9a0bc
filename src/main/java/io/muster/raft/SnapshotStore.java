package io.muster.raft;

import io.muster.core.KvStore;
import io.muster.core.SnapshotCodec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;

/**
 * Snapshot files of the state machine, in Ratis' layout ({@code sm/snapshot.<term>_<index>} with an
 * MD5 sidecar) so that the leader can ship them to followers. Files are written under a temporary
 * name, forced to disk and renamed atomically; the store's own CRC32C is checked on every load.
 *
 * <p>Everything lives in the state machine directory, which a snapshot install replaces whole: keep
 * nothing else there. Not thread-safe: loads run on the Ratis updater thread, writes on the state
 * machine's snapshot writer (or the updater, for an operator's snapshot); the state machine waits for
 * a write in flight before it starts another or loads.
 */
final class SnapshotStore {

    private static final String WRITING_SUFFIX = ".writing";

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();

    SimpleStateMachineStorage storage() {
        return storage;
    }

    void init(RaftStorage raftStorage) throws IOException {
        storage.init(raftStorage);
        deleteAbandonedWrites(raftStorage.getStorageDir().getStateMachineDir().toPath());
    }

    /** Reads the newest snapshot from disk (not Ratis' cache: an install may just have replaced it). */
    Loaded loadLatest() throws IOException {
        SingleFileSnapshotInfo latest = storage.loadLatestSnapshot();
        if (latest == null) {
            return null;
        }
        Path file = latest.getFile().getPath();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            KvStore store = SnapshotCodec.read(in);
            if (store.revision() != latest.getIndex()) {
                throw new IOException("snapshot " + file + " holds revision " + store.revision()
                        + " but is named for index " + latest.getIndex());
            }
            return new Loaded(store, latest.getTermIndex());
        }
    }

    /** Writes {@code store} as the snapshot at {@code termIndex}, makes it the latest, and answers its size. */
    long write(KvStore.Image store, TermIndex termIndex) throws IOException {
        File target = storage.getSnapshotFile(termIndex.getTerm(), termIndex.getIndex());
        Path temporary = target.toPath().resolveSibling(target.getName() + WRITING_SUFFIX);
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
             OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
            SnapshotCodec.write(store, out);
            out.flush();
            channel.force(true);
        }
        Files.move(temporary, target.toPath(), StandardCopyOption.ATOMIC_MOVE);
        var md5 = MD5FileUtil.computeAndSaveMd5ForFile(target);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), termIndex));
        return Files.size(target.toPath());
    }

    private static void deleteAbandonedWrites(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (DirectoryStream<Path> abandoned = Files.newDirectoryStream(directory, "*" + WRITING_SUFFIX)) {
            for (Path file : abandoned) {
                Files.deleteIfExists(file);
            }
        }
    }

    record Loaded(KvStore store, TermIndex termIndex) {
    }
}
