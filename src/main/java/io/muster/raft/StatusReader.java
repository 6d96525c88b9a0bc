package io.muster.raft;

import io.muster.replication.NodeStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;

/**
 * Reads a {@link NodeStatus} from a running Raft division, in process (docs/ratis-guide.md §5 "Group info").
 * On the leader it adds each member's match index, lag and last contact.
 */
final class StatusReader {

    private StatusReader() {
    }

    static NodeStatus read(String clusterName, String groupId, RaftServer.Division division, boolean removed,
            long snapshotIndex) {
        DivisionInfo info = division.getInfo();
        if (!info.isAlive()) {
            throw new IllegalStateException("division " + division.getMemberId() + " is not running");
        }
        RaftPeerId leader = info.getLeaderId();
        RoleInfoProto roleInfo = info.getRoleInfoProto();
        long lastIndex = division.getRaftLog().getNextIndex() - 1;
        Map<String, Progress> progress = info.isLeader() ? followerProgress(division) : Map.of();
        RaftConfiguration conf = division.getRaftConf();
        String self = division.getId().toString();
        List<NodeStatus.Member> members = new ArrayList<>();
        for (RaftPeer peer : conf.getCurrentPeers(RaftPeerRole.FOLLOWER)) {
            members.add(member(peer, true, leader, self, info.isLeader(), lastIndex, progress));
        }
        for (RaftPeer peer : conf.getCurrentPeers(RaftPeerRole.LISTENER)) {
            members.add(member(peer, false, leader, self, info.isLeader(), lastIndex, progress));
        }
        members.sort(Comparator.comparing(NodeStatus.Member::id));
        boolean changeInProgress = !conf.getPreviousPeers(RaftPeerRole.FOLLOWER).isEmpty()
                || members.stream().anyMatch(NodeStatus.Member::promoting);
        return new NodeStatus(clusterName, groupId, self, info.isAlive(), removed, info.getCurrentRole().name(),
                leader == null ? null : leader.toString(), info.getCurrentTerm(),
                division.getRaftLog().getLastCommittedIndex(), info.getLastAppliedIndex(), snapshotIndex,
                division.getRaftLog().getStartIndex(), lastIndex, leaderContact(info, roleInfo), changeInProgress,
                members);
    }

    /** A listener whose intended role is FOLLOWER is a voter-to-be (see {@code io.muster.cluster.Membership}). */
    static boolean promoting(RaftPeer peer, boolean voting) {
        return !voting && peer.getStartupRole() == RaftPeerRole.FOLLOWER;
    }

    private static NodeStatus.Member member(RaftPeer peer, boolean voting, RaftPeerId leader, String self,
            boolean selfLeads, long lastIndex, Map<String, Progress> progress) {
        String id = peer.getId().toString();
        String role = peer.getId().equals(leader) ? "LEADER" : voting ? "FOLLOWER" : "LISTENER";
        Long matchIndex = null;
        Long lag = null;
        Long lastContact = null;
        if (selfLeads && id.equals(self)) {
            matchIndex = lastIndex;
            lag = 0L;
            lastContact = 0L;
        } else if (progress.containsKey(id)) {
            Progress known = progress.get(id);
            lastContact = known.lastContactMillis();
            if (known.matchIndex() != null) {
                matchIndex = known.matchIndex();
                lag = Math.max(0, lastIndex - known.matchIndex());
            }
        }
        return new NodeStatus.Member(id, peer.getAddress(), role, voting, promoting(peer, voting), matchIndex, lag,
                lastContact);
    }

    private static Long leaderContact(DivisionInfo info, RoleInfoProto roleInfo) {
        if (info.getLeaderId() == null) {
            return null;
        }
        if (info.isLeader()) {
            return 0L;
        }
        return roleInfo.hasFollowerInfo() ? roleInfo.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs() : null;
    }

    /**
     * Last contact of each follower from the leader's role info, paired with the match indices Ratis
     * exposes only as a bare array in the same (log appender) order. The pairing is trusted only when
     * the follower list did not change between the two reads.
     */
    private static Map<String, Progress> followerProgress(RaftServer.Division division) {
        List<ServerRpcProto> before = division.getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList();
        long[] matchIndices = division.getInfo().getFollowerMatchIndices();
        List<ServerRpcProto> after = division.getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList();
        boolean paired = matchIndices != null && matchIndices.length == after.size() && ids(before).equals(ids(after));
        Map<String, Progress> progress = new TreeMap<>();
        for (int i = 0; i < after.size(); i++) {
            ServerRpcProto follower = after.get(i);
            progress.put(follower.getId().getId().toStringUtf8(), new Progress(
                    paired ? matchIndices[i] : null, follower.getLastRpcElapsedTimeMs()));
        }
        return progress;
    }

    private static List<String> ids(List<ServerRpcProto> followers) {
        return followers.stream().map(follower -> follower.getId().getId().toStringUtf8()).toList();
    }

    private record Progress(Long matchIndex, long lastContactMillis) {
    }
}
