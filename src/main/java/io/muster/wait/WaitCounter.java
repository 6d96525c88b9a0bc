package io.muster.wait;

import java.util.HashMap;
import java.util.Map;

/**
 * How many requests wait on this node, in all and per token, and whether one more may: the pure
 * part of {@link WaitingRequests}. A token over its cap is reported before a full node, so that a
 * caller that alone fills its share learns that it is the one to slow down.
 *
 * <p>Thread-safe: one short lock, taken twice per waiting request.
 */
final class WaitCounter {

    /** What {@link #enter} decided. */
    enum Admission {
        ADMITTED,
        /** The token already has its most requests waiting. */
        TOKEN_FULL,
        /** The node already has its most requests waiting. */
        NODE_FULL
    }

    private final int perToken;
    private final int perNode;
    private final Map<String, Integer> byToken = new HashMap<>();
    private int total;

    WaitCounter(int perToken, int perNode) {
        if (perToken < 1 || perNode < 1) {
            throw new IllegalArgumentException("caps must be positive: " + perToken + ", " + perNode);
        }
        this.perToken = perToken;
        this.perNode = perNode;
    }

    /** Counts one more waiting request of {@code token} if both caps allow it. */
    synchronized Admission enter(String token) {
        int waiting = byToken.getOrDefault(token, 0);
        if (waiting >= perToken) {
            return Admission.TOKEN_FULL;
        }
        if (total >= perNode) {
            return Admission.NODE_FULL;
        }
        byToken.put(token, waiting + 1);
        total++;
        return Admission.ADMITTED;
    }

    /** Counts one waiting request of {@code token} as answered. */
    synchronized void leave(String token) {
        Integer waiting = byToken.get(token);
        if (waiting == null) {
            throw new IllegalStateException("no waiting request of '" + token + "' to end");
        }
        if (waiting == 1) {
            byToken.remove(token); // a token that waits no more leaves nothing behind
        } else {
            byToken.put(token, waiting - 1);
        }
        total--;
    }

    synchronized int total() {
        return total;
    }

    synchronized int of(String token) {
        return byToken.getOrDefault(token, 0);
    }

    /** How many tokens have a request waiting (each costs an entry). */
    synchronized int tokens() {
        return byToken.size();
    }

    int perToken() {
        return perToken;
    }

    int perNode() {
        return perNode;
    }
}
