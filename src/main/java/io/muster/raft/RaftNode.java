package io.muster.raft;

import io.muster.support.DaemonThreads;
import io.muster.MusterProperties;
import io.muster.replication.NodeStatus;
import io.muster.replication.Replica;
import io.muster.replication.ReplicatedState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.stereotype.Component;

/**
 * This node's Raft server and the shared client every request goes through: starts and stops them,
 * runs the node's maintenance thread, and submits requests to the local server. The group it starts
 * with is {@link GroupFormation}'s, its clients are {@link RaftClients}', its status is read by
 * {@link LocalStatus}, and a leader hands off leadership through {@link LeadershipHandoff} as it stops.
 *
 * <p>Starts before the web server accepts requests and stops after graceful shutdown has drained
 * them (its phase is below the web server's, docs/ratis-guide.md §2.3). Always starts with
 * {@code RECOVER}, which formats an empty directory and recovers an existing one.
 *
 * <p>Thread-safe once started.
 */
@Component
public class RaftNode implements Replica, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RaftNode.class);

    private final MusterProperties properties;
    private final RaftPeerId localId;
    private final GroupFormation formation;
    private final MusterStateMachine stateMachine;
    private final ClientId localClientId = ClientId.randomId();
    private final AtomicLong localCallIds = new AtomicLong();
    private final RaftMetrics metrics;
    /** Client rebuilds, deferred closes and membership promotion: short tasks, one at a time. */
    private final ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("muster-raft-maintenance"));
    private final RaftClients clients;
    private volatile RaftServer server;
    private volatile boolean removed;
    private volatile boolean stopping;
    private final LocalStatus local;
    private final long electionTimeoutMaxMillis;

    public RaftNode(MusterProperties properties, Admission admission, MeterRegistry meterRegistry) {
        this.properties = properties;
        this.localId = RaftPeerId.valueOf(properties.nodeId());
        this.electionTimeoutMaxMillis = properties.raft().electionTimeoutMax().toMillis();
        this.formation = new GroupFormation(properties, localId);
        this.clients = new RaftClients(properties, formation::groupId, maintenance);
        this.metrics = new RaftMetrics(meterRegistry, this::status, RatisSettings.raftDirectory(properties).toPath());
        this.stateMachine = new MusterStateMachine(admission, metrics, properties.raft().backgroundSnapshotEntries());
        this.local = new LocalStatus(properties.clusterName(), localId, formation::groupId, () -> server, stateMachine,
                () -> removed);
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

    @Override
    public void start() {
        try {
            formation.refuseForeignGroups();
            formation.refuseConflictingPeers();
            boolean firstStart = !formation.hasStoredGroup();
            if (firstStart && properties.restoreFrom() != null) {
                stateMachine.snapshots().restoreOnFirstStart(properties.restoreFrom());
            } else if (properties.restoreFrom() != null) {
                log.info("node {} has Raft data already: muster.restore-from is ignored", localId);
            }
            formation.joinIfTheClusterRuns(firstStart, clients::probe);
            RaftGroup group = formation.group();
            RaftServer raftServer = RaftServer.newBuilder()
                    .setServerId(localId)
                    .setGroup(group)
                    .setStateMachine(stateMachine)
                    .setProperties(RatisSettings.server(properties, formation.bindHost()))
                    .setParameters(clients.tlsParameters())
                    .setOption(RaftStorage.StartupOption.RECOVER)
                    .build();
            raftServer.start();
            server = raftServer;
            local.started();
            metrics.started(division().getInfo().getCurrentTerm());
            refreshClient();
            metrics.membersChanged();
            log.info("node {} started{}: group {} ({}), peers {}, raft on {}:{}, data in {}", localId,
                    formation.joining() ? " to join" : "", properties.clusterName(), formation.groupId().getUuid(),
                    configurationPeers(), formation.bindHost(), properties.raft().port(), RatisSettings.raftDirectory(properties));
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
        stopping = true;
        handOffLeadership();
        clients.close();
        stateMachine.snapshots().stopping(); // the snapshot Ratis takes as it stops covers every applied entry
        RaftClients.closeQuietly(server, "server", properties.nodeId());
        // Only now: the server may still apply a configuration entry (and call back) while it closes.
        maintenance.shutdownNow();
        clients.forget();
        server = null;
    }

    private void handOffLeadership() {
        RaftServer current = server;
        if (current == null) {
            return;
        }
        long timeoutMillis = properties.raft().electionTimeoutMax().toMillis();
        LeadershipHandoff.beforeStopping(status(), timeoutMillis, current, successor -> new TransferLeadershipRequest(
                localClientId, localId, formation.groupId(), localCallIds.incrementAndGet(),
                RaftPeerId.valueOf(successor), timeoutMillis));
    }

    /** Points the shared client at the current configuration's members (see {@link RaftClients#pointAt}). */
    private void refreshClient() {
        if (server != null) {
            clients.pointAt(configurationPeers());
        }
    }

    /** Voters and listeners of the configuration this node knows; the initial group before it runs. */
    private List<RaftPeer> configurationPeers() {
        try {
            RaftServer current = server;
            if (current == null) {
                return List.copyOf(formation.group().getPeers());
            }
            RaftConfiguration conf = current.getDivision(formation.groupId()).getRaftConf();
            List<RaftPeer> peers = new ArrayList<>(conf.getAllPeers(RaftPeerRole.FOLLOWER));
            peers.addAll(conf.getAllPeers(RaftPeerRole.LISTENER));
            return List.copyOf(peers);
        } catch (IOException e) {
            return List.copyOf(formation.group().getPeers());
        }
    }

    /** Runs {@code task} on the maintenance thread every {@code period} until the node stops. */
    public void every(Duration period, Runnable task) {
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

    /**
     * The state this node applies, for the features ({@link ReplicatedState}). Ratis closes the state
     * machine as the server stops, so Spring must not ({@code destroyMethod} is empty).
     */
    @Bean(destroyMethod = "")
    ReplicatedState replicatedState() {
        return stateMachine;
    }

    MusterStateMachine stateMachine() {
        return stateMachine;
    }

    RaftClient client() {
        RaftClient current = clients.shared();
        if (current == null) {
            throw new IllegalStateException("node " + localId + " is not running");
        }
        return current;
    }

    /** A client for one question to {@code peer}, giving up after 2 s without retrying; the caller closes it. */
    RaftClient probe(RaftPeer peer) {
        return clients.probe(peer);
    }

    RaftPeerId localId() {
        return localId;
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
        return clients.admin(configurationPeers(), leaderHint);
    }

    /** This node's Raft division. */
    RaftServer.Division division() throws IOException {
        return local.division();
    }

    @Override
    public Headline headline() {
        return local.headline();
    }

    @Override
    public long leadingTerm() {
        return local.leadingTerm();
    }

    /** Whether this node leads its group right now (a hint: leadership can move at any moment). */
    boolean isLeader() {
        return local.isLeader();
    }

    /**
     * Submits a request to this node's own Raft server without a network hop (docs/ratis-guide.md §4.5 B).
     * Not retried: callers fall back to the {@link #client()} path where that is safe.
     *
     * <p>It goes to the division itself, on the calling thread. The server's own entry point would hand
     * it to a pooled thread and block the caller until that thread had logged it: two thread switches per
     * write for nothing, since every caller here is a thread allowed to block (a request's, or Muster's
     * own). Measured on the benchmark's leader at c=64, that hop was about a tenth of its CPU per put.
     */
    CompletableFuture<RaftClientReply> submitLocally(Message message, RaftClientRequest.Type type) throws IOException {
        RaftServer current = server();
        RaftServer.Division division = current.getDivision(formation.groupId());
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(localClientId)
                .setServerId(localId)
                .setGroupId(formation.groupId())
                .setCallId(localCallIds.incrementAndGet())
                .setMessage(message)
                .setType(type)
                .build();
        return division instanceof RaftClientAsynchronousProtocol direct ? direct.submitClientRequestAsync(request)
                : current.submitClientRequestAsync(request);
    }

    @Override
    public boolean divisionClosedWhileMember() {
        return isRunning() && !stopping && !removed && !stateMachine.leftByConfiguration() && local.divisionClosed();
    }

    @Override
    public Optional<Leaderless> leaderless() {
        long silent = local.leaderSilenceMillis();
        return silent > electionTimeoutMaxMillis ? Optional.of(new Leaderless(silent, local.lastLeader()))
                : Optional.empty();
    }

    @Override
    public NodeStatus status() {
        return local.status();
    }
}
