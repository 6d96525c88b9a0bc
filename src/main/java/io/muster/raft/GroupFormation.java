package io.muster.raft;

import io.muster.MusterProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft group a node starts with: the one its peers form, or, for a node that joins (by setting, or
 * on its first start when {@link AutoJoin} finds the cluster running without it), a listener of a
 * configuration with no voters. Also what a node checks of its data directory before it starts.
 *
 * <p>A joining node starts as a listener of a configuration with no voters: it never starts an
 * election, and it learns the real configuration from the leader that adds it (docs/ratis-guide.md
 * §2.5). Starting it with no peers at all would leave it in Ratis' initializing state, which in 3.3.0 a
 * listener added by setConfiguration never leaves until the leader changes: it could neither vote once
 * promoted nor serve a linearizable read.
 *
 * <p>Decided before the server starts, on the starting thread; read from any thread after.
 */
final class GroupFormation {

    private static final Logger log = LoggerFactory.getLogger(GroupFormation.class);

    private final MusterProperties properties;
    private final RaftPeerId localId;
    private final List<Peer> initialPeers;
    private final String bindHost;
    /** The group to start with; replaced once before start when auto-join finds an existing cluster. */
    private volatile RaftGroup group;
    private volatile boolean joining;

    GroupFormation(MusterProperties properties, RaftPeerId localId) {
        this.properties = properties;
        this.localId = localId;
        this.initialPeers = initialPeers(properties);
        this.bindHost = bindHost(properties, initialPeers);
        this.group = properties.join() ? joiningGroup() : RaftGroup.valueOf(groupId(properties.clusterName()),
                initialPeers.stream().map(GroupFormation::toRaftPeer).toList());
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

    /** A listener of a configuration with no voters: waits for a leader to add it (see the class comment). */
    private RaftGroup joiningGroup() {
        joining = true;
        return RaftGroup.valueOf(groupId(properties.clusterName()), List.of(RaftPeer.newBuilder().setId(localId)
                .setAddress(bindHost + ":" + properties.raft().port()).setStartupRole(RaftPeerRole.LISTENER).build()));
    }

    RaftGroup group() {
        return group;
    }

    RaftGroupId groupId() {
        return group.getGroupId();
    }

    boolean joining() {
        return joining;
    }

    String bindHost() {
        return bindHost;
    }

    /**
     * On a first start with {@code muster.membership.auto-join}, asks the other peers (through
     * {@code probes}) whether the cluster runs already, and if it does without this node, starts to join it.
     */
    void joinIfTheClusterRuns(boolean firstStart, Function<RaftPeer, RaftClient> probes) {
        if (properties.membership().autoJoin() && !joining && firstStart
                && AutoJoin.clusterExistsWithout(localId, group.getGroupId(), initialPeers, probes)) {
            log.info("node {} has no Raft data and the cluster exists already: starting to join it", localId);
            group = joiningGroup();
        }
    }

    /** Whether this node's data directory holds its group already (it has been a member before). */
    boolean hasStoredGroup() {
        return Files.isDirectory(RatisSettings.raftDirectory(properties).toPath()
                .resolve(group.getGroupId().getUuid().toString()));
    }

    /**
     * Ratis starts every group it finds in its storage directory. A directory created under another
     * cluster name would make this node serve two groups; refuse to start instead.
     */
    void refuseForeignGroups() throws IOException {
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

    /**
     * A restarted node's peer list must not contradict the configuration its group stored
     * ({@code raft-meta.conf}, which Ratis trusts over the list). Where the list puts this node at an
     * address other than the one the configuration gives the other members, they could never reach it
     * again, so the node refuses to start and says where each says it is. Other members at other
     * addresses in the list are only reported: the configuration wins, and a member re-added at a new
     * address through the API makes an old list stale without making it wrong to start.
     */
    void refuseConflictingPeers() throws IOException {
        Path stored = RatisSettings.raftDirectory(properties).toPath().resolve(group.getGroupId().getUuid().toString())
                .resolve("current").resolve("raft-meta.conf");
        if (joining || initialPeers.isEmpty() || !Files.isRegularFile(stored)) {
            return;
        }
        RaftConfigurationProto configuration = LogEntryProto.parseFrom(Files.readAllBytes(stored)).getConfigurationEntry();
        Map<String, String> addresses = new TreeMap<>();
        Stream.concat(configuration.getPeersList().stream(), configuration.getListenersList().stream())
                .forEach(peer -> addresses.put(peer.getId().toStringUtf8(), peer.getAddress()));
        List<String> differences = initialPeers.stream()
                .filter(peer -> addresses.containsKey(peer.id()) && !addresses.get(peer.id()).equals(peer.address()))
                .map(peer -> peer.id() + " at " + peer.address() + " in muster.peers but at " + addresses.get(peer.id())
                        + " in the cluster's configuration")
                .toList();
        if (differences.isEmpty()) {
            return;
        }
        String self = localId.toString();
        boolean selfMoved = addresses.size() > 1 && differences.stream().anyMatch(line -> line.startsWith(self + " at "));
        if (selfMoved) {
            throw new IllegalStateException("muster.peers disagrees with the configuration stored in muster.data-dir "
                    + properties.dataDir() + ": " + String.join("; ", differences) + ". The other members would look "
                    + "for this node at the configuration's address: start it there (muster.peers and muster.raft.port), "
                    + "or move it through the cluster (remove it, then add it at the new address)");
        }
        log.warn("muster.peers disagrees with the stored configuration, which Ratis follows: {}",
                String.join("; ", differences));
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
}
