package io.muster.raft;

import io.muster.core.ClusterVersion;
import io.muster.replication.LeaderQueries;
import io.muster.replication.AppliedIndex;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The state machine's answers to Ratis' read-only queries: an empty message is the read barrier of a
 * linearizable read, {@link #LEVEL_QUESTION} asks which cluster version this build supports, anything
 * else is a question for the installed {@link LeaderQueries}. Thread-safe.
 */
final class StateQueries {

    /**
     * Which cluster version do you support? It starts with a zero byte, which no lease query does, so a
     * build from before cluster versions hands it to its lease answerer, which refuses it: that refusal
     * is how an older member is told apart from one that is down.
     */
    static final Message LEVEL_QUESTION = Message.valueOf(ByteString.copyFrom(new byte[] {0, 'L', 'V', 'L'}));
    private static final String LEVEL_ANSWER = "muster-cluster-version:";

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
        if (content.equals(LEVEL_QUESTION.getContent())) {
            return CompletableFuture.completedFuture(Message.valueOf(LEVEL_ANSWER + ClusterVersion.SUPPORTED));
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

    /** The level in an answer to {@link #LEVEL_QUESTION}, or empty when it is not one. */
    static OptionalInt level(ByteString answer) {
        String text = answer.toStringUtf8();
        if (!text.startsWith(LEVEL_ANSWER)) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(text.substring(LEVEL_ANSWER.length())));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** Ratis' default parks on waiters that never complete (docs/ratis-guide.md §3.5); this waits for ours. */
    CompletableFuture<Message> queryStale(Message request, long minIndex) {
        return appliedIndex.await(minIndex).thenCompose(ignored -> query(request));
    }
}
