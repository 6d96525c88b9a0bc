package io.muster.raft;

import io.muster.support.DaemonThreads;
import io.muster.MusterProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * This node's Raft server and the shared client every request goes through.
 *
 * <p>Starts before the web server accepts requests and stops after graceful shutdown has drained
 * them (its phase is below the web server's, docs/ratis-guide.md §2.3). Always starts with
 * {@code RECOVER}, which formats an empty directory and recovers an existing one.
 *
 * <p>Thread-safe once started.
 */
@Component
public class RaftNode implements SmartLifecycle {

    /** Below Spring Boot's web server lifecycles ({@code Integer.MAX_VALUE - 2048} and {@code - 1024}). */
    public static final int PHASE = Integer.MAX_VALUE - 4096;

    private static final Logger log = LoggerFactory.getLogger(RaftNode.class);

    private final MusterProperties properties;
    private final RaftPeerId localId;
    /** The group to start with; replaced once before start when auto-join finds an existing cluster. */
    private volatile RaftGroup group;
    private final MusterStateMachine stateMachine;
    private final ClientId localClientId = ClientId.randomId();
    private final AtomicLong localCallIds = new AtomicLong();
    private final String bindHost;
    private final RaftMetrics metrics;
    /** Client rebuilds, deferred closes and membership promotion: short tasks, one at a time. */
    private final ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("muster-raft-maintenance"));
    private volatile RaftServer server;
    private volatile RaftClient client;
    private volatile List<RaftPeer> clientPeers = List.of();
    private volatile boolean removed;
    private final List<Peer> initialPeers;
    private volatile boolean joining;
    /** Mutual TLS for every Raft channel, or {@code null} when it is off. */
    private final Parameters tlsParameters;

    public RaftNode(MusterProperties properties, Clock clock, MeterRegistry meterRegistry) {
        this.properties = properties;
        this.localId = RaftPeerId.valueOf(properties.nodeId());
        List<Peer> peers = initialPeers(properties);
        this.bindHost = bindHost(properties, peers);
        this.tlsParameters = RatisSettings.parameters(properties.raft().tls());
        // A joining node starts as a listener of a configuration with no voters: it never starts an
        // election, and it learns the real configuration from the leader that adds it (docs/ratis-guide.md
        // §2.5). Starting it with no peers at all would leave it in Ratis' initializing state, which
        // in 3.3.0 a listener added by setConfiguration never leaves until the leader changes: it
        // could neither vote once promoted nor serve a linearizable read.
        this.initialPeers = peers;
        this.group = properties.join() ? joiningGroup() : RaftGroup.valueOf(groupId(properties.clusterName()),
                peers.stream().map(RaftNode::toRaftPeer).toList());
        MusterProperties.Limits limits = properties.limits();
        this.metrics = new RaftMetrics(meterRegistry, this::status, RatisSettings.raftDirectory(properties).toPath());
        this.stateMachine = new MusterStateMachine(new Admission(clock, limits.historyVersions(),
                limits.maxValueBytes().toBytes(), limits.maxTxnOps(), limits.maxCommandBytes(),
                properties.lease().minTtl().toMillis()), metrics, properties.raft().backgroundSnapshotEntries());
        this.stateMachine.listen(new MusterStateMachine.GroupListener() {
            @Override
            public void configurationChanged() {
                try {
                    maintenance.execute(() -> {
                        refreshClient();
                        metrics.membersChanged();
                    });
                } catch (RejectedExecutionException stopping) {
                    // The node is stopping: there is no client to refresh any more.
                }
            }

            @Override
            public void removed() {
                removed = true;
                log.warn("node {} was removed from the configuration; its Raft division has stopped", localId);
            }
        });
    }

    private static List<Peer> initialPeers(MusterProperties properties) {
        if (properties.join() && !properties.peers().isBlank()
                && Arrays.stream(properties.peers().split(",")).noneMatch(
                        entry -> entry.trim().startsWith(properties.nodeId() + "="))) {
            return List.of();
        }
        return Peer.parse(properties.peers(), properties.nodeId(), properties.raft().port());
    }

    /** The Raft group id every node derives from the cluster name. */
    static RaftGroupId groupId(String clusterName) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("muster-cluster/" + clusterName).getBytes(StandardCharsets.UTF_8)));
    }

    /** A listener of a configuration with no voters: waits for a leader to add it (see the constructor). */
    private RaftGroup joiningGroup() {
        joining = true;
        return RaftGroup.valueOf(groupId(properties.clusterName()), List.of(RaftPeer.newBuilder().setId(localId)
                .setAddress(bindHost + ":" + properties.raft().port()).setStartupRole(RaftPeerRole.LISTENER).build()));
    }

    @Override
    public void start() {
        try {
            refuseForeignGroups();
            boolean firstStart = !hasStoredGroup();
            if (firstStart && properties.restoreFrom() != null) {
                stateMachine.snapshots().restoreOnFirstStart(properties.restoreFrom());
            } else if (properties.restoreFrom() != null) {
                log.info("node {} has Raft data already: muster.restore-from is ignored", localId);
            }
            if (properties.membership().autoJoin() && !joining && firstStart
                    && AutoJoin.clusterExistsWithout(localId, group.getGroupId(), initialPeers, this::probeClient)) {
                log.info("node {} has no Raft data and the cluster exists already: starting to join it", localId);
                group = joiningGroup();
            }
            RaftServer raftServer = RaftServer.newBuilder()
                    .setServerId(localId)
                    .setGroup(group)
                    .setStateMachine(stateMachine)
                    .setProperties(RatisSettings.server(properties, bindHost))
                    .setParameters(tlsParameters)
                    .setOption(RaftStorage.StartupOption.RECOVER)
                    .build();
            raftServer.start();
            server = raftServer;
            metrics.started(division().getInfo().getCurrentTerm());
            refreshClient();
            metrics.membersChanged();
            log.info("node {} started{}: group {} ({}), peers {}, raft on {}:{}, data in {}", localId,
                    joining ? " to join" : "", properties.clusterName(), group.getGroupId().getUuid(),
                    configurationPeers(), bindHost, properties.raft().port(), RatisSettings.raftDirectory(properties));
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the Raft server for node " + localId, e);
        }
    }

    /**
     * Hands leadership to the most up-to-date voter first when this node leads, so that the cluster
     * does not wait an election timeout for a leader, then closes the client and the server.
     */
    @Override
    public void stop() {
        handOffLeadership();
        closeQuietly(client, "client");
        stateMachine.snapshots().stopping(); // the snapshot Ratis takes as it stops covers every applied entry
        closeQuietly(server, "server");
        // Only now: the server may still apply a configuration entry (and call back) while it closes.
        maintenance.shutdownNow();
        client = null;
        server = null;
    }

    private void handOffLeadership() {
        NodeStatus status = status();
        if (!"LEADER".equals(status.role())) {
            return;
        }
        long timeoutMillis = properties.raft().electionTimeoutMax().toMillis();
        status.voters().stream()
                .filter(member -> !member.id().equals(status.nodeId()) && member.matchIndex() != null
                        && member.lastContactMillis() != null && member.lastContactMillis() <= timeoutMillis)
                .max(Comparator.comparingLong(NodeStatus.Member::matchIndex))
                .ifPresent(successor -> {
                    TransferLeadershipRequest request = new TransferLeadershipRequest(localClientId, localId,
                            group.getGroupId(), localCallIds.incrementAndGet(), RaftPeerId.valueOf(successor.id()),
                            timeoutMillis);
                    try {
                        RaftClientReply reply = server().transferLeadershipAsync(request)
                                .get(timeoutMillis + 500, TimeUnit.MILLISECONDS);
                        if (reply.isSuccess()) {
                            log.info("node {} handed leadership to {} before stopping", localId, successor.id());
                        } else {
                            log.warn("node {} could not hand leadership to {} before stopping: {}", localId,
                                    successor.id(), reply.getException());
                        }
                    } catch (IOException | ExecutionException | TimeoutException e) {
                        log.warn("node {} could not hand leadership to {} before stopping: {}", localId,
                                successor.id(), e.toString());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
    }

    /**
     * Points the client at the current configuration's members. A client built from the initial peer
     * list (or, on a joining node, from none) could not find a leader that joined later. The old
     * client is closed once any request it carries has had its write timeout.
     */
    private void refreshClient() {
        if (server == null) {
            return;
        }
        List<RaftPeer> peers = configurationPeers();
        if (peers.isEmpty() || sameIds(peers, clientPeers)) {
            return;
        }
        RaftClient previous = client;
        client = newClient(RaftGroup.valueOf(group.getGroupId(), peers), RatisSettings.client(properties),
                RatisSettings.retryPolicy(properties.raft()), null);
        clientPeers = peers;
        if (previous != null) {
            long graceMillis = properties.raft().writeTimeout().toMillis() + 1000;
            maintenance.schedule(() -> closeQuietly(previous, "previous client"), graceMillis, TimeUnit.MILLISECONDS);
        }
    }

    private static boolean sameIds(List<RaftPeer> a, List<RaftPeer> b) {
        return a.stream().map(RaftPeer::getId).collect(Collectors.toSet())
                .equals(b.stream().map(RaftPeer::getId).collect(Collectors.toSet()));
    }

    /** Voters and listeners of the configuration this node knows; the initial group before it runs. */
    private List<RaftPeer> configurationPeers() {
        try {
            RaftServer current = server;
            if (current == null) {
                return List.copyOf(group.getPeers());
            }
            RaftConfiguration conf = current.getDivision(group.getGroupId()).getRaftConf();
            List<RaftPeer> peers = new ArrayList<>(conf.getAllPeers(RaftPeerRole.FOLLOWER));
            peers.addAll(conf.getAllPeers(RaftPeerRole.LISTENER));
            return List.copyOf(peers);
        } catch (IOException e) {
            return List.copyOf(group.getPeers());
        }
    }

    /** Runs {@code task} on the maintenance thread every {@code period} until the node stops. */
    void every(Duration period, Runnable task) {
        maintenance.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("periodic task on node {} failed", localId, e);
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
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

    MusterProperties properties() {
        return properties;
    }

    RaftMetrics metrics() {
        return metrics;
    }

    RaftServer server() throws IOException {
        RaftServer current = server;
        if (current == null) {
            throw new IOException("node " + localId + " is not running");
        }
        return current;
    }

    /**
     * A client for one administrative call (the caller closes it): its attempts may last a whole
     * membership change, and it gives up after the change timeout instead of retrying forever, which
     * Ratis does by default for requests other than reads and writes.
     */
    RaftClient adminClient(String leaderHint) {
        return newClient(RaftGroup.valueOf(group.getGroupId(), configurationPeers()),
                RatisSettings.adminClient(properties), RatisSettings.adminRetryPolicy(properties.membership()),
                leaderHint);
    }

    private RaftClient newClient(RaftGroup group, RaftProperties ratis, RetryPolicy retryPolicy, String leaderHint) {
        RaftClient.Builder builder = RaftClient.newBuilder()
                .setClientId(ClientId.randomId())
                .setRaftGroup(group)
                .setProperties(ratis)
                .setParameters(tlsParameters)
                .setRetryPolicy(retryPolicy);
        if (leaderHint != null) {
            builder.setLeaderId(RaftPeerId.valueOf(leaderHint));
        }
        return builder.build();
    }

    /** This node's Raft division. */
    RaftServer.Division division() throws IOException {
        RaftServer current = server;
        if (current == null) {
            throw new IOException("node " + localId + " is not running");
        }
        return current.getDivision(group.getGroupId());
    }

    /** The few facts every API response carries, read without building a whole status. */
    public Headline headline() {
        long applied = stateMachine.appliedIndex().get();
        try {
            DivisionInfo info = division().getInfo();
            RaftPeerId leader = info.getLeaderId();
            return new Headline(applied, info.getCurrentTerm(), leader == null ? null : leader.toString());
        } catch (IOException e) {
            return new Headline(applied, 0, null);
        }
    }

    /** The revision this node has applied, its term, and the leader it knows ({@code null} if none). */
    public record Headline(long revision, long term, String leaderId) {
    }

    /** The term this node leads in, or -1 when it does not lead (a hint: leadership can move at any moment). */
    public long leadingTerm() {
        RaftServer current = server;
        try {
            DivisionInfo info = current == null ? null : current.getDivision(group.getGroupId()).getInfo();
            return info != null && info.isLeader() ? info.getCurrentTerm() : -1;
        } catch (IOException e) {
            return -1;
        }
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
     * Submits a request to this node's own Raft server without a network hop (docs/ratis-guide.md §4.5 B).
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
        String clusterName = properties.clusterName();
        String groupId = group.getGroupId().getUuid().toString();
        try {
            RaftServer.Division division = division();
            return StatusReader.read(clusterName, groupId, division, removed, snapshotIndex());
        } catch (IOException | IllegalStateException e) {
            // not started, stopped, or closing underneath us (a removed node's division closes itself)
            return new NodeStatus(clusterName, groupId, localId.toString(), false, removed, "UNKNOWN", null, 0, 0,
                    stateMachine.appliedIndex().get(), snapshotIndex(), -1, null, false, List.of());
        }
    }

    /**
     * Ratis starts every group it finds in its storage directory. A directory created under another
     * cluster name would make this node serve two groups; refuse to start instead.
     */
    /** Whether this node's data directory holds its group already (it has been a member before). */
    private boolean hasStoredGroup() {
        return Files.isDirectory(RatisSettings.raftDirectory(properties).toPath()
                .resolve(group.getGroupId().getUuid().toString()));
    }

    /** A client for one question to one peer, giving up at once: for start-up probes. */
    private RaftClient probeClient(RaftPeer peer) {
        RaftProperties ratis = RatisSettings.client(properties);
        RaftClientConfigKeys.Rpc.setRequestTimeout(ratis, TimeDuration.valueOf(2, TimeUnit.SECONDS));
        return newClient(RaftGroup.valueOf(group.getGroupId(), peer), ratis, RetryPolicies.noRetry(), null);
    }

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

    private long snapshotIndex() {
        var latest = stateMachine.getLatestSnapshot();
        return latest == null ? -1 : latest.getIndex();
    }

    private static String bindHost(MusterProperties properties, List<Peer> peers) {
        String configured = properties.raft().bindAddress();
        if (!configured.isBlank()) {
            return configured;
        }
        return peers.stream().filter(peer -> peer.id().equals(properties.nodeId())).findFirst()
                .map(Peer::host).orElse("localhost");
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
