package io.muster.raft;

import io.muster.replication.LeaderQueries;
import io.muster.replication.AppliedIndex;
import io.muster.replication.AppliedChanges;
import io.muster.replication.ReplicatedState;
import io.muster.replication.StateDigest;
import io.muster.core.Applied;
import io.muster.core.ClusterVersion;
import io.muster.core.CommandCodec;
import io.muster.core.ContentDigest;
import io.muster.core.KvStore;
import io.muster.core.Result;
import io.muster.core.ResultCodec;
import io.muster.core.SnapshotCodec;
import io.muster.core.UndecodableException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
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
 * result. When and how snapshots are taken is {@link Snapshots}' business; their files are
 * {@link SnapshotStore}'s; queries are answered by {@link StateQueries}, and the leader admits commands
 * through {@link Admitter}.
 *
 * <p>Lifecycle (docs/ratis-guide.md §3.2, §3.6): {@code initialize} loads the newest snapshot; a snapshot
 * install from the leader calls {@code pause} (which must reach {@code PAUSED}) and then
 * {@code reinitialize}, which reloads from disk.
 *
 * <p>Threading: apply, snapshots and reloads run on the Ratis updater thread and take the write lock
 * (snapshots the read lock); {@link #read} runs on any thread under the read lock.
 */
public final class MusterStateMachine extends BaseStateMachine implements ReplicatedState, Snapshots.State {

    private static final Logger log = LoggerFactory.getLogger(MusterStateMachine.class);

    private final Admitter admitter;
    private final RaftMetrics metrics;
    private final GroupNotifications notifications;
    private final List<AppliedChanges> subscribers = new CopyOnWriteArrayList<>();
    /** Entries left in the batch of committed entries the apply thread found (apply thread only). */
    private long batchRemaining;
    private final Snapshots snapshots;
    private final AppliedIndex appliedIndex = new AppliedIndex();
    private final StateQueries queries = new StateQueries(appliedIndex);
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Whether the last configuration this node applied leaves it out (it was removed). */
    private volatile boolean leftByConfiguration;
    private KvStore store = new KvStore();
    /** The store's cluster version, for the leader's admission, which must not wait for the apply lock. */
    private volatile int appliedClusterVersion = ClusterVersion.BASELINE;

    MusterStateMachine(Admission admission, RaftMetrics metrics, long backgroundSnapshotEntries) {
        this.admitter = new Admitter(admission, () -> appliedClusterVersion);
        this.metrics = metrics;
        this.notifications = new GroupNotifications(metrics);
        this.snapshots = new Snapshots(this, metrics, backgroundSnapshotEntries);
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
        notifications.listen(groupListener);
    }

    @Override
    public void subscribe(AppliedChanges subscriber) {
        subscribers.add(subscriber);
    }

    @Override
    public void answerLeaderQueries(LeaderQueries answerer) {
        queries.answerLeaderQueries(answerer);
    }

    LeaderQueries leaderQueries() {
        return queries.leaderQueries();
    }

    @Override
    public <T> T read(Function<KvStore, T> reader) {
        lock.readLock().lock();
        try {
            return reader.apply(store);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public StateDigest digest() {
        return read(current -> new StateDigest(current.revision(), SnapshotCodec.digest(current),
                ContentDigest.of(current)));
    }

    /** Whether the last configuration this node applied leaves it out: it was removed from its group. */
    boolean leftByConfiguration() {
        return leftByConfiguration;
    }

    @Override
    public AppliedIndex appliedIndex() {
        return appliedIndex;
    }

    /** When and how this state machine's snapshots are taken. */
    Snapshots snapshots() {
        return snapshots;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        snapshots.init(raftStorage);
        getLifeCycle().startAndTransition(this::loadLatestSnapshot);
    }

    @Override
    public void pause() {
        snapshots.awaitWrite(); // an install is about to replace the snapshot directory
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
        return admitter.start(this, request);
    }

    /**
     * Applies one committed entry. An entry that does not decode was written by a newer build: this node
     * stops its process ({@link Unappliable}) rather than let Ratis retry the apply forever or diverge.
     */
    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext transaction) {
        LogEntryProto entry = transaction.getLogEntry();
        countBatch(entry.getIndex());
        // The clock read here times apply for the metrics; it never reaches the state.
        long started = System.nanoTime();
        CommandCodec.LogEntry decoded;
        try {
            decoded = CommandCodec.decodeEntry(entry.getStateMachineLogEntry().getLogData().toByteArray());
        } catch (UndecodableException e) {
            Unappliable.halt(entry.getIndex(), e.getMessage());
            throw e; // not reached
        }
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
            if (store.clusterVersion() > ClusterVersion.SUPPORTED) {
                Unappliable.halt(index, "it raised the cluster version to " + store.clusterVersion() + ", and this "
                        + "build supports up to " + ClusterVersion.SUPPORTED);
            }
            appliedClusterVersion = store.clusterVersion();
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

    /* Notifications about the group, on Ratis' threads: nothing a listener does may escape into them. */

    @Override
    public void notifyConfigurationChanged(long term, long index, RaftConfigurationProto newRaftConfiguration) {
        ByteString self = getId() == null ? null : getId().toByteString();
        leftByConfiguration = self != null && Stream.of(newRaftConfiguration.getPeersList(),
                        newRaftConfiguration.getListenersList(), newRaftConfiguration.getOldPeersList(),
                        newRaftConfiguration.getOldListenersList())
                .flatMap(List::stream).noneMatch(peer -> peer.getId().equals(self));
        notifications.configurationChanged();
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        notifications.leaderChanged();
    }

    @Override
    public void notifyServerShutdown(RoleInfoProto roleInfo, boolean allServer) {
        notifications.serverShutdown(allServer);
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        return queries.query(request);
    }

    @Override
    public CompletableFuture<Message> queryStale(Message request, long minIndex) {
        return queries.queryStale(request, minIndex);
    }

    @Override
    public long takeSnapshot() throws IOException {
        return snapshots.take(appliedIndex.get());
    }

    @Override
    public void close() throws IOException {
        snapshots.close();
        super.close();
    }

    private void loadLatestSnapshot() throws IOException {
        long started = System.nanoTime();
        SnapshotStore.Loaded loaded = snapshots.loadLatest();
        lock.writeLock().lock();
        try {
            store = loaded == null ? new KvStore() : loaded.store();
            appliedClusterVersion = store.clusterVersion();
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
