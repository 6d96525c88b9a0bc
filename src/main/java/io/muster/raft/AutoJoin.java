package io.muster.raft;

import java.io.IOException;
import java.util.List;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, on a node's first start, whether its cluster exists already: a StatefulSet pod created by
 * a scale-up must join the running cluster, while the pods of a fresh install must bootstrap it
 * together. It asks each other peer for the group; one that answers with a configuration is proof.
 */
final class AutoJoin {

    private static final Logger log = LoggerFactory.getLogger(AutoJoin.class);
    /** Rounds of asking every peer before concluding that nobody runs the cluster yet. */
    private static final int ROUNDS = 3;

    private AutoJoin() {
    }

    /**
     * Whether a peer other than {@code self} runs the group with a configuration that does not list
     * {@code self}: then {@code self} must join. A configuration that lists {@code self} means it is one
     * of the initial members starting a little later than the others: it starts as a member.
     */
    static boolean clusterExistsWithout(RaftPeerId self, RaftGroupId groupId, List<Peer> peers,
            Function<RaftPeer, RaftClient> clients) {
        List<Peer> others = peers.stream().filter(peer -> !peer.id().equals(self.toString())).toList();
        for (int round = 1; round <= ROUNDS && !others.isEmpty(); round++) {
            for (Peer peer : others) {
                RaftPeer target = RaftPeer.newBuilder().setId(peer.id()).setAddress(peer.address()).build();
                List<RaftPeer> members;
                try (RaftClient client = clients.apply(target)) {
                    GroupInfoReply info = client.getGroupManagementApi(target.getId()).info(groupId);
                    members = List.copyOf(info.getGroup().getPeers());
                } catch (IOException | RuntimeException unanswered) {
                    continue;
                }
                if (members.stream().anyMatch(member -> member.getId().equals(self))) {
                    log.info("{} lists {} as a member already: starting as one", peer.id(), self);
                    return false;
                }
                log.info("{} answers for the group with members {}: the cluster exists", peer.id(),
                        members.stream().map(RaftPeer::getId).toList());
                return true;
            }
        }
        return false;
    }
}
