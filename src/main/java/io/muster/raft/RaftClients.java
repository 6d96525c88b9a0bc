package io.muster.raft;

import io.muster.MusterProperties;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's Raft clients: the shared one every request goes through, kept pointing at the current
 * configuration's members, and short-lived ones for an administrative call or a start-up probe. All of
 * them speak mutual TLS when {@code muster.raft.tls} is on.
 *
 * <p>Thread-safe: the shared client is replaced on the node's maintenance thread (or while it starts)
 * and read from any thread.
 */
final class RaftClients implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RaftClients.class);

    private final MusterProperties properties;
    private final Supplier<RaftGroupId> groupId;
    /** Mutual TLS for every Raft channel, or {@code null} when it is off. */
    private final Parameters tlsParameters;
    /** Where a replaced client is closed once the requests it carries had their time. */
    private final ScheduledExecutorService maintenance;
    private volatile RaftClient client;
    private volatile List<RaftPeer> clientPeers = List.of();

    /** {@code groupId} is read whenever a client is built. */
    RaftClients(MusterProperties properties, Supplier<RaftGroupId> groupId, ScheduledExecutorService maintenance) {
        this.properties = properties;
        this.groupId = groupId;
        this.tlsParameters = RatisSettings.parameters(properties.raft().tls());
        this.maintenance = maintenance;
    }

    Parameters tlsParameters() {
        return tlsParameters;
    }

    /** The shared client, or {@code null} when the node does not run. */
    RaftClient shared() {
        return client;
    }

    /**
     * Points the shared client at {@code peers}, the current configuration's members. A client built from
     * the initial peer list (or, on a joining node, from none) could not find a leader that joined later.
     * The old client is closed once any request it carries has had its write timeout.
     */
    void pointAt(List<RaftPeer> peers) {
        if (peers.isEmpty() || sameIds(peers, clientPeers)) {
            return;
        }
        RaftClient previous = client;
        client = newClient(RaftGroup.valueOf(groupId.get(), peers), RatisSettings.client(properties),
                RatisSettings.retryPolicy(properties.raft()), null);
        clientPeers = peers;
        if (previous != null) {
            long graceMillis = properties.raft().writeTimeout().toMillis() + 1000;
            maintenance.schedule(() -> closeQuietly(previous, "previous client", properties.nodeId()), graceMillis, TimeUnit.MILLISECONDS);
        }
    }

    private static boolean sameIds(List<RaftPeer> a, List<RaftPeer> b) {
        return a.stream().map(RaftPeer::getId).collect(Collectors.toSet())
                .equals(b.stream().map(RaftPeer::getId).collect(Collectors.toSet()));
    }

    /**
     * A client for one administrative call (the caller closes it): its attempts may last a whole
     * membership change, and it gives up after the change timeout instead of retrying forever, which
     * Ratis does by default for requests other than reads and writes.
     */
    RaftClient admin(List<RaftPeer> peers, String leaderHint) {
        return newClient(RaftGroup.valueOf(groupId.get(), peers), RatisSettings.adminClient(properties),
                RatisSettings.adminRetryPolicy(properties.membership()), leaderHint);
    }

    /** A client for one question to one peer, giving up at once: for start-up probes. */
    RaftClient probe(RaftPeer peer) {
        RaftProperties ratis = RatisSettings.client(properties);
        RaftClientConfigKeys.Rpc.setRequestTimeout(ratis, TimeDuration.valueOf(2, TimeUnit.SECONDS));
        return newClient(RaftGroup.valueOf(groupId.get(), peer), ratis, RetryPolicies.noRetry(), null);
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

    /**
     * Closes the shared client (a replaced one still closes on schedule, unless maintenance stops first);
     * {@link #shared} answers it until {@link #forget}.
     */
    @Override
    public void close() {
        closeQuietly(client, "client", properties.nodeId());
    }

    void forget() {
        client = null;
    }

    /** Closes {@code closeable}, the Raft {@code what} of node {@code nodeId}, logging a failure. */
    static void closeQuietly(AutoCloseable closeable, String what, String nodeId) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("closing the Raft {} of node {} failed", what, nodeId, e);
        }
    }
}
