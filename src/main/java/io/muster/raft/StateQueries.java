package io.muster.raft;

import io.muster.replication.LeaderQueries;
import io.muster.replication.AppliedIndex;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The state machine's answers to Ratis' read-only queries: an empty message is the read barrier of a
 * linearizable read, anything else a question for the installed {@link LeaderQueries}. Thread-safe.
 */
final class StateQueries {

    private final AppliedIndex appliedIndex;
    private volatile LeaderQueries leaderQueries;

    StateQueries(AppliedIndex appliedIndex) {
        this.appliedIndex = appliedIndex;
    }

    void answerLeaderQueries(LeaderQueries answerer) {
        this.leaderQueries = answerer;
    }

    LeaderQueries leaderQueries() {
        return leaderQueries;
    }

    /** Answers the applied index once Ratis' ReadIndex is reached, or the leader query's answer. */
    CompletableFuture<Message> query(Message request) {
        ByteString content = request.getContent();
        if (content.isEmpty()) {
            return CompletableFuture.completedFuture(Message.valueOf(Long.toString(appliedIndex.get())));
        }
        LeaderQueries answerer = leaderQueries;
        if (answerer == null) {
            return CompletableFuture.failedFuture(new StateMachineException("this node answers no leader queries yet"));
        }
        try {
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(
                    answerer.answer(content.toByteArray()))));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new StateMachineException("leader query failed: " + e.getMessage()));
        }
    }

    /** Ratis' default parks on waiters that never complete (docs/ratis-guide.md §3.5); this waits for ours. */
    CompletableFuture<Message> queryStale(Message request, long minIndex) {
        return appliedIndex.await(minIndex).thenCompose(ignored -> query(request));
    }
}
