package io.muster.cluster;

import io.muster.MusterProperties;
import io.muster.replication.NodeStatus;
import io.muster.replication.Replica;
import io.muster.support.PeriodicDuty;
import io.muster.watch.Watches;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The streams of {@code /v1/cluster/watch} on this node and the one duty that feeds them all: every
 * {@link #TICK} it reads this node's status once, judges its quorum as the {@code raft} health component
 * does ({@link Quorum}), and, when the role, the leader, the term or the quorum's status changed, or a
 * second has passed since the last message, hands the message (made into JSON once) to every stream.
 * A stream's drain sends the newest message it was handed, so a slow client skips stale ones rather than
 * queueing them. The status needs no RPC, so a node cut off from its peers still reports it; that is
 * why these streams outlive the leader's silence that ends change streams
 * ({@link ClusterStream#endsWhenLeaderless}).
 *
 * <p>Thread-safe: the stream set is concurrent, the last message's signature volatile.
 */
@Component
class ClusterWatches extends PeriodicDuty {

    /** How soon a change of role, leader, term or quorum reaches the streams. */
    static final Duration TICK = Duration.ofMillis(250);
    /** How often a message goes out when nothing changed. */
    static final Duration EVERY = Duration.ofSeconds(1);

    private final Replica node;
    private final Watches watches;
    private final JsonMapper json;
    private final Duration electionTimeoutMax;
    private final long maxApplyLag;
    private final Set<ClusterStream> streams = ConcurrentHashMap.newKeySet();
    /**
     * What the last message said and when it went: written by the duty, and by the first stream to open (its
     * own first message), so the next tick does not repeat it at once; {@code null} while no stream is open.
     */
    private volatile Sent last;

    ClusterWatches(Replica node, Watches watches, JsonMapper json, MusterProperties properties) {
        super("muster-cluster-watch-" + properties.nodeId(), Replica.PHASE + 1, TICK, TICK);
        this.node = node;
        this.watches = watches;
        this.json = json;
        this.electionTimeoutMax = properties.raft().electionTimeoutMax();
        this.maxApplyLag = properties.health().maxApplyLag();
    }

    /** A {@code status} message's data: the node as {@code GET /v1/cluster} shows it, and its quorum. */
    @Schema(name = "ClusterStatusMessage")
    record StatusMessage(NodeStatus node, QuorumView quorum) {
    }

    /**
     * The quorum as the {@code raft} health component judges it.
     *
     * @param status UP, DOWN or OUT_OF_SERVICE
     */
    @Schema(name = "ClusterQuorum")
    record QuorumView(String status, String reason) {
    }

    /** A message made once for every stream: its JSON and the applied index it reflects (its SSE id). */
    record Message(String json, long appliedIndex) {
    }

    /** The last message's signature and when it went ({@link System#nanoTime}). */
    private record Sent(Signature signature, long nanos) {
    }

    /** What, changed, sends a message at once. */
    record Signature(String role, String leaderId, long term, String quorum) {

        static Signature of(StatusMessage message) {
            return new Signature(message.node().role(), message.node().leaderId(), message.node().term(),
                    message.quorum().status());
        }
    }

    /**
     * Whether the tick that found {@code now} sends it: when it differs from {@code last} (none yet: it
     * does), or when at least {@code every} minus half a tick has passed since the last message
     * ({@code sinceLastNanos}), so that a message goes out every second give or take a tick's jitter.
     */
    static boolean due(Signature last, Signature now, long sinceLastNanos, Duration every, Duration tick) {
        return !now.equals(last) || sinceLastNanos >= every.minus(tick.dividedBy(2)).toNanos();
    }

    /** Opens a stream; its first message is this node's status now. */
    SseEmitter open() {
        StatusMessage now = status();
        Message first = message(now);
        if (streams.isEmpty()) {
            last = new Sent(Signature.of(now), System.nanoTime());
        }
        return watches.admit(opening -> {
            ClusterStream stream = new ClusterStream(opening, this, first);
            streams.add(stream);
            return stream;
        }, Watches.Heartbeat.WATCH).emitter();
    }

    void leave(ClusterStream stream) {
        streams.remove(stream);
    }

    @Override
    protected void runOnce() {
        if (streams.isEmpty()) {
            last = null;
            return;
        }
        StatusMessage now = status();
        Signature signature = Signature.of(now);
        long nanos = System.nanoTime();
        Sent before = last;
        if (before != null && !due(before.signature(), signature, nanos - before.nanos(), EVERY, TICK)) {
            return;
        }
        last = new Sent(signature, nanos);
        Message message = message(now);
        streams.forEach(stream -> stream.offer(message));
    }

    private StatusMessage status() {
        NodeStatus status = node.status();
        Quorum quorum = Quorum.judge(status, electionTimeoutMax, maxApplyLag);
        return new StatusMessage(status, new QuorumView(quorum.status().getCode(), quorum.reason()));
    }

    private Message message(StatusMessage status) {
        return new Message(json.writeValueAsString(status), status.node().appliedIndex());
    }
}
