package io.muster.raft;

import io.muster.replication.NodeStatus;
import java.io.IOException;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader that is about to stop hands leadership to the most up-to-date voter heard from within an
 * election timeout, so that the cluster does not wait an election timeout for a new leader. Gives up
 * (and logs why) after that timeout; the node stops either way.
 */
final class LeadershipHandoff {

    private static final Logger log = LoggerFactory.getLogger(LeadershipHandoff.class);

    private LeadershipHandoff() {
    }

    /**
     * @param status        this node's status; nothing is done unless it leads
     * @param timeoutMillis the election timeout: how recently a successor must have answered, and how
     *                      long the transfer may take
     * @param server        this node's running server
     * @param requests      the transfer request to a successor, by its id
     */
    static void beforeStopping(NodeStatus status, long timeoutMillis, RaftServer server,
            Function<String, TransferLeadershipRequest> requests) {
        if (!"LEADER".equals(status.role())) {
            return;
        }
        status.voters().stream()
                .filter(member -> !member.id().equals(status.nodeId()) && member.matchIndex() != null
                        && member.lastContactMillis() != null && member.lastContactMillis() <= timeoutMillis)
                .max(Comparator.comparingLong(NodeStatus.Member::matchIndex))
                .ifPresent(successor -> {
                    try {
                        RaftClientReply reply = server.transferLeadershipAsync(requests.apply(successor.id()))
                                .get(timeoutMillis + 500, TimeUnit.MILLISECONDS);
                        if (reply.isSuccess()) {
                            log.info("node {} handed leadership to {} before stopping", status.nodeId(), successor.id());
                        } else {
                            log.warn("node {} could not hand leadership to {} before stopping: {}", status.nodeId(),
                                    successor.id(), reply.getException());
                        }
                    } catch (IOException | ExecutionException | TimeoutException e) {
                        log.warn("node {} could not hand leadership to {} before stopping: {}", status.nodeId(),
                                successor.id(), e.toString());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
    }
}
