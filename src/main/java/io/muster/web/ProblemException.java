package io.muster.web;

import io.muster.replication.Replica;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the API answers with a problem: thrown by controllers before anything is proposed (or
 * after a command was rejected), rendered by {@link ProblemHandler}.
 */
public class ProblemException extends RuntimeException {

    private final ProblemType type;
    private final Map<String, Object> properties = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ProblemException(ProblemType type, String detail) {
        super(detail);
        this.type = type;
    }

    /** Adds an extension member to the problem (RFC 9457 §3.2), e.g. the field that was wrong. */
    public ProblemException with(String name, Object value) {
        properties.put(name, value);
        return this;
    }

    /** Adds a response header to the problem's answer, e.g. {@code Retry-After} on a 429. */
    public ProblemException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public ProblemType type() {
        return type;
    }

    public Map<String, Object> properties() {
        return properties;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /**
     * What a request this node refused at once without a leader is told: 503 {@code leader-unreachable},
     * with the last leader it knew (ask another node; nothing was written).
     */
    public static ProblemException leaderUnreachable(Replica.Leaderless leaderless) {
        ProblemException problem = new ProblemException(ProblemType.LEADER_UNREACHABLE, "Refused at once: "
                + leaderless.describe() + ", so it can neither commit a write nor confirm a read. Nothing was "
                + "written; retry on another node (a read may also use consistency=stale here).")
                .with("silentMillis", leaderless.silentMillis());
        return leaderless.lastLeader() == null ? problem : problem.with("lastLeader", leaderless.lastLeader());
    }
}
