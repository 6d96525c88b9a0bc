package io.muster.raft;

import io.muster.MusterProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * This node's Raft server and the shared client every request goes through.
 *
 * <p>Starts before the web server accepts requests and stops after graceful shutdown has drained
 * them (its phase is below the web server's, RATIS-GUIDE §2.3). Always starts with
 * {@code RECOVER}, which formats an empty directory and recovers an existing one.
 *
 * <p>Thread-safe once started.
 */
@Component
public class RaftNode implements SmartLifecycle {

    /** Below Spring Boot's web server lifecycles ({@code Integer.MAX_VALUE - 2048} and {@code - 1024}). */
    static final int PHASE = Integer.MAX_VALUE - 4096;

    private static final Logger log = LoggerFactory.getLogger(RaftNode.class);

    private final MusterProperties properties;
    private final RaftPeerId localId;
    private final RaftGroup group;
    private final MusterStateMachine stateMachine;
    private final ClientId localClientId = ClientId.randomId();
    private final AtomicLong localCallIds = new AtomicLong();
    private volatile RaftServer server;
    private volatile RaftClient client;

    public RaftNode(MusterProperties properties, Clock clock) {
        this.properties = properties;
        this.localId = RaftPeerId.valueOf(properties.nodeId());
        List<Peer> peers = Peer.parse(properties.peers(), properties.nodeId(), properties.raft().port());
        this.group = RaftGroup.valueOf(groupId(properties.clusterName()),
                peers.stream().map(RaftNode::toRaftPeer).toList());
        MusterProperties.Limits limits = properties.limits();
        this.stateMachine = new MusterStateMachine(new Admission(clock, limits.historyVersions(),
                limits.maxValueBytes().toBytes(), limits.maxTxnOps(), limits.maxCommandBytes()));
    }

    /** The Raft group id every node derives from the cluster name. */
    static RaftGroupId groupId(String clusterName) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("muster-cluster/" + clusterName).getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void start() {
        try {
            refuseForeignGroups();
            RaftServer raftServer = RaftServer.newBuilder()
                    .setServerId(localId)
                    .setGroup(group)
                    .setStateMachine(stateMachine)
                    .setProperties(RatisSettings.server(properties, bindHost()))
                    .setOption(RaftStorage.StartupOption.RECOVER)
                    .build();
            raftServer.start();
            server = raftServer;
            client = RaftClient.newBuilder()
                    .setClientId(ClientId.randomId())
                    .setRaftGroup(group)
                    .setProperties(RatisSettings.client(properties))
                    .setRetryPolicy(RatisSettings.retryPolicy(properties.raft()))
                    .build();
            log.info("node {} started: group {} ({}), peers {}, raft on {}:{}, data in {}", localId,
                    properties.clusterName(), group.getGroupId().getUuid(), group.getPeers(), bindHost(),
                    properties.raft().port(), RatisSettings.raftDirectory(properties));
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the Raft server for node " + localId, e);
        }
    }

    @Override
    public void stop() {
        closeQuietly(client, "client");
        closeQuietly(server, "server");
        client = null;
        server = null;
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    public MusterStateMachine stateMachine() {
        return stateMachine;
    }

    RaftClient client() {
        RaftClient current = client;
        if (current == null) {
            throw new IllegalStateException("node " + localId + " is not running");
        }
        return current;
    }

    RaftPeerId localId() {
        return localId;
    }

    /** Whether this node leads its group right now (a hint: leadership can move at any moment). */
    boolean isLeader() {
        RaftServer current = server;
        try {
            return current != null && current.getDivision(group.getGroupId()).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Submits a request to this node's own Raft server without a network hop (RATIS-GUIDE §4.5 B).
     * Not retried: callers fall back to the {@link #client()} path where that is safe.
     */
    CompletableFuture<RaftClientReply> submitLocally(Message message, RaftClientRequest.Type type) throws IOException {
        RaftServer current = server;
        if (current == null) {
            throw new IOException("node " + localId + " is not running");
        }
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(localClientId)
                .setServerId(localId)
                .setGroupId(group.getGroupId())
                .setCallId(localCallIds.incrementAndGet())
                .setMessage(message)
                .setType(type)
                .build();
        return current.submitClientRequestAsync(request);
    }

    /** This node's view of itself and its group. */
    public NodeStatus status() {
        RaftServer current = server;
        String clusterName = properties.clusterName();
        String groupId = group.getGroupId().getUuid().toString();
        if (current == null) {
            return unavailableStatus(clusterName, groupId);
        }
        try {
            RaftServer.Division division = current.getDivision(group.getGroupId());
            DivisionInfo info = division.getInfo();
            RaftPeerId leader = info.getLeaderId();
            List<NodeStatus.Member> members = division.getRaftConf().getCurrentPeers().stream()
                    .map(peer -> new NodeStatus.Member(peer.getId().toString(), peer.getAddress()))
                    .sorted(Comparator.comparing(NodeStatus.Member::id))
                    .toList();
            return new NodeStatus(clusterName, groupId, localId.toString(), info.isAlive(),
                    info.getCurrentRole().name(), leader == null ? null : leader.toString(), info.getCurrentTerm(),
                    division.getRaftLog().getLastCommittedIndex(), info.getLastAppliedIndex(), snapshotIndex(),
                    division.getRaftLog().getStartIndex(), members);
        } catch (IOException e) {
            return unavailableStatus(clusterName, groupId);
        }
    }

    /**
     * Ratis starts every group it finds in its storage directory. A directory created under another
     * cluster name would make this node serve two groups; refuse to start instead.
     */
    private void refuseForeignGroups() throws IOException {
        Path directory = RatisSettings.raftDirectory(properties).toPath();
        if (!Files.isDirectory(directory)) {
            return;
        }
        String ours = group.getGroupId().getUuid().toString();
        try (Stream<Path> children = Files.list(directory)) {
            List<String> foreign = children.filter(Files::isDirectory)
                    .map(child -> child.getFileName().toString())
                    .filter(name -> name.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"))
                    .filter(name -> !name.equals(ours))
                    .sorted()
                    .toList();
            if (!foreign.isEmpty()) {
                throw new IllegalStateException("muster.data-dir " + properties.dataDir() + " holds Raft group(s) "
                        + foreign + " but muster.cluster-name '" + properties.clusterName() + "' is group " + ours
                        + ": start with the cluster name this directory was created with, or another muster.data-dir");
            }
        }
    }

    private NodeStatus unavailableStatus(String clusterName, String groupId) {
        return new NodeStatus(clusterName, groupId, localId.toString(), false, "UNKNOWN", null, 0, 0,
                stateMachine.appliedIndex().get(), snapshotIndex(), -1, List.of());
    }

    private long snapshotIndex() {
        var latest = stateMachine.getLatestSnapshot();
        return latest == null ? -1 : latest.getIndex();
    }

    private String bindHost() {
        String configured = properties.raft().bindAddress();
        if (!configured.isBlank()) {
            return configured;
        }
        return group.getPeers().stream().filter(peer -> peer.getId().equals(localId)).findFirst()
                .map(peer -> peer.getAddress().substring(0, peer.getAddress().lastIndexOf(':')))
                .orElse("localhost");
    }

    private static RaftPeer toRaftPeer(Peer peer) {
        return RaftPeer.newBuilder().setId(peer.id()).setAddress(peer.address()).build();
    }

    private void closeQuietly(AutoCloseable closeable, String what) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("closing the Raft {} of node {} failed", what, localId, e);
        }
    }
}
