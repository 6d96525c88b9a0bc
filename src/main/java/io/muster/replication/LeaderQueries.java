package io.muster.replication;

/**
 * Answers requests that only the leader can answer and that must not go through the log: lease
 * keep-alives, whose timers live in the leader's memory. A follower's {@link Gateway#askLeader}
 * reaches the leader's answerer through Ratis' non-linearizable read; on the leader it is called
 * directly. Called on Ratis' and request threads: implementations are thread-safe and quick.
 */
@FunctionalInterface
public interface LeaderQueries {

    /**
     * The answer to {@code query}, in the answerer's own encoding (never empty); an answerer that finds
     * it does not lead after all says so in that encoding, and the asker tries again.
     */
    byte[] answer(byte[] query);
}
