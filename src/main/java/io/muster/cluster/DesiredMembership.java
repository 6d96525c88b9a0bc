package io.muster.cluster;

import io.muster.MusterProperties;
import io.muster.core.Command;
import io.muster.core.DesiredVoters;
import io.muster.core.KvStore;
import io.muster.replication.Gateway;
import io.muster.replication.NodeStatus;
import io.muster.raft.Peer;
import io.muster.replication.Replica;
import io.muster.replication.ReplicatedState;
import io.muster.support.PeriodicDuty;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Steers the Raft configuration toward the voters the deployment wants, so that scaling a StatefulSet
 * needs no membership calls by hand.
 *
 * <p>Every node states the voter set it was given ({@code muster.peers} with
 * {@code muster.membership.desired-generation} above 0, re-read from {@code desired-file} when set)
 * by proposing it; the replicated state keeps the newest generation's. The leader then makes one change
 * at a time: first it adds each wanted peer that is missing and answers on its Raft port (as a listener,
 * promoted to voter once caught up, see {@link Membership}); only when every wanted peer votes does it
 * remove a member that is not wanted, handing leadership to a wanted voter first if that member is
 * itself. {@link Membership} refuses any removal that would cost the quorum.
 */
@Component
public class DesiredMembership extends PeriodicDuty {

    private static final Logger log = LoggerFactory.getLogger(DesiredMembership.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 1_000;

    private final Replica node;
    private final ReplicatedState state;
    private final Gateway gateway;
    private final Membership membership;
    private final MusterProperties.Membership settings;
    private final String startupPeers;

    public DesiredMembership(Replica node, ReplicatedState state, Gateway gateway, Membership membership, MusterProperties properties) {
        super("muster-desired-membership", Replica.PHASE + 1, properties.membership().promotionPeriod(),
                properties.membership().promotionPeriod());
        this.node = node;
        this.state = state;
        this.gateway = gateway;
        this.membership = membership;
        this.settings = properties.membership();
        this.startupPeers = properties.peers();
    }

    /** Only a node given desired voters (a generation, or a file to read them from) states them. */
    @Override
    protected boolean wanted() {
        return settings.desiredGeneration() != 0 || settings.desiredFile() != null;
    }

    @Override
    protected void runOnce() {
        state();
        reconcile();
    }

    @Override
    protected void failed(RuntimeException failure) {
        reportOnChange("desired membership: " + failure.getMessage());
    }

    /** Proposes this node's desired voters when the state holds an older generation. */
    void state() {
        DesiredVoters stated = stated();
        if (stated.generation() == 0) {
            return;
        }
        DesiredVoters current = state.read(KvStore::desiredVoters);
        if (current.generation() < stated.generation()) {
            gateway.writeAsMuster(new Command.SetDesiredVoters(stated.generation(), stated.peers()));
            log.info("stated desired voters, generation {}: {}", stated.generation(), stated.peers());
        }
    }

    /** What this node was given: the desired file's current content if there is one, else the start-up settings. */
    DesiredVoters stated() {
        long generation = settings.desiredGeneration();
        String peers = startupPeers;
        Path file = settings.desiredFile();
        if (file != null && Files.isReadable(file)) {
            Properties values = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                values.load(in);
                generation = Long.parseLong(values.getProperty("muster.membership.desired-generation", "0").trim());
                peers = values.getProperty("muster.peers", "");
            } catch (IOException | NumberFormatException e) {
                reportOnChange("cannot read " + file + ": " + e.getMessage());
                return DesiredVoters.NONE;
            }
        }
        List<String> list = Arrays.stream(peers.split(",")).map(String::trim).filter(peer -> !peer.isEmpty()).toList();
        return generation < 1 || list.isEmpty() ? DesiredVoters.NONE : new DesiredVoters(generation, list);
    }

    /** On the leader: makes the next change toward the desired voters, if one is due and safe. */
    void reconcile() {
        NodeStatus status = node.status();
        if (!status.alive() || !"LEADER".equals(status.role())) {
            return;
        }
        DesiredVoters desired = state.read(KvStore::desiredVoters);
        if (desired.generation() == 0 || status.members().stream().anyMatch(NodeStatus.Member::promoting)) {
            return;
        }
        Map<String, Peer> wanted = new LinkedHashMap<>();
        for (String entry : desired.peers()) {
            int equals = entry.indexOf('=');
            wanted.put(entry.substring(0, equals), Peer.of(entry.substring(0, equals), entry.substring(equals + 1)));
        }
        Map<String, NodeStatus.Member> members = new LinkedHashMap<>();
        status.members().forEach(member -> members.put(member.id(), member));
        for (Peer peer : wanted.values()) {
            if (!members.containsKey(peer.id())) {
                if (answers(peer)) {
                    log.info("adding {} at {}: generation {} wants it", peer.id(), peer.address(), desired.generation());
                    membership.add(peer.id(), peer.address(), true);
                    return;
                }
                reportOnChange("wanted voter " + peer.id() + " at " + peer.address() + " does not answer yet");
            }
        }
        boolean allWantedVote = wanted.keySet().stream()
                .allMatch(id -> members.containsKey(id) && members.get(id).voting());
        if (!allWantedVote) {
            return;
        }
        for (NodeStatus.Member member : members.values()) {
            if (wanted.containsKey(member.id())) {
                continue;
            }
            if (member.id().equals(status.nodeId())) {
                String successor = successor(status, wanted);
                log.info("handing leadership to {} before leaving: generation {} does not want {}", successor,
                        desired.generation(), member.id());
                membership.transferLeadership(successor);
                return;
            }
            log.info("removing {}: generation {} does not want it", member.id(), desired.generation());
            membership.remove(member.id());
            return;
        }
    }

    /** The wanted voter most caught up with this leader's log. */
    private static String successor(NodeStatus status, Map<String, Peer> wanted) {
        List<NodeStatus.Member> candidates = new ArrayList<>(status.members().stream()
                .filter(member -> wanted.containsKey(member.id()) && member.voting()).toList());
        candidates.sort(Comparator.comparing(member -> member.lag() == null ? Long.MAX_VALUE : member.lag()));
        return candidates.get(0).id();
    }

    /** Whether something listens on the peer's Raft port (a new pod may not run, or resolve, yet). */
    private static boolean answers(Peer peer) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(peer.host(), peer.port()), CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }
}
