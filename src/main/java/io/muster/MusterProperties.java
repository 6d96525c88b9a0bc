package io.muster;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The node's configuration under {@code muster.*}. The defaults run one node with no configuration
 * at all. These names are a contract: the scripts, the Helm chart and docs/configuration.md use them.
 *
 * @param nodeId      this node's Raft peer id; defaults to the host name
 * @param clusterName the cluster's name; every node derives the Raft group id from it
 * @param peers       the initial voters as {@code id=host:raftPort,...}; empty means a cluster of
 *                    this node alone
 * @param dataDir     where the Raft log and snapshots live
 * @param join        start without a group and wait to be added by {@code POST /v1/cluster/members}
 *                    on a running cluster ({@code peers} is then ignored); a restart finds its
 *                    configuration in {@code dataDir}
 * @param restoreFrom a snapshot file (a backup, see docs/kubernetes.md) whose state a node starts from on its
 *                    first start, when its data directory holds no Raft data yet; ignored afterwards
 */
@ConfigurationProperties("muster")
@Validated
public record MusterProperties(
        @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}", message = "must be 1-63 of [A-Za-z0-9._-], starting alphanumeric")
        String nodeId,
        @DefaultValue("muster")
        @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}", message = "must be 1-63 of [A-Za-z0-9._-], starting alphanumeric")
        String clusterName,
        @DefaultValue("") @NotNull String peers,
        @DefaultValue("./data") @NotNull Path dataDir,
        @DefaultValue("false") boolean join,
        Path restoreFrom,
        @DefaultValue @Valid Raft raft,
        @DefaultValue @Valid Limits limits,
        @DefaultValue @Valid Read read,
        @DefaultValue @Valid Health health,
        @DefaultValue @Valid Membership membership,
        @DefaultValue @Valid View view,
        @DefaultValue @Valid Leases lease,
        @DefaultValue @Valid Watch watch,
        @DefaultValue @Valid Waits waits) {

    public MusterProperties {
        if (nodeId == null || nodeId.isBlank()) {
            nodeId = hostName();
        }
    }

    @AssertTrue(message = "muster.lease.min-ttl must be at least twice muster.raft.election-timeout-max: a lease must "
            + "outlive the election that follows a leader's failure")
    public boolean isLeaseMinTtlSafe() {
        return lease.minTtl().compareTo(raft.electionTimeoutMax().multipliedBy(2)) >= 0;
    }

    /**
     * Raft settings.
     *
     * @param port               the Raft (gRPC) port
     * @param bindAddress        the address the Raft port listens on; empty means the host of this
     *                           node's own entry in {@code muster.peers} (or {@code localhost})
     * @param electionTimeoutMin lower bound of the randomised election timeout
     * @param electionTimeoutMax upper bound; a leader steps down when no majority answered within it
     * @param writeTimeout       how long a write may take before its outcome is reported unknown
     * @param readTimeout        how long a linearizable read may wait for the leader's read index
     * @param snapshotThreshold  take a snapshot after this many applied entries, then purge the log
     * @param backgroundSnapshotEntries states of at least this many entries are snapshot by a background
     *                           writer (writes wait only for a copy of the state); smaller ones on the
     *                           apply thread
     * @param logPreservation    log entries kept behind a snapshot, so a briefly absent follower
     *                           catches up from the log rather than by snapshot install
     * @param logSegmentSize     the size at which a log segment is closed; only closed segments are purged
     * @param tls                mutual TLS between peers (off by default: keep the port on a private network)
     * @param ratis              advanced: raw Ratis properties (e.g. {@code raft.server.log.force.sync.num}),
     *                           applied after Muster's own settings; for tuning experiments
     */
    public record Raft(
            @DefaultValue("7070") @Min(1) @Max(65535) int port,
            @DefaultValue("") @NotNull String bindAddress,
            @DefaultValue("1s") @NotNull Duration electionTimeoutMin,
            @DefaultValue("2s") @NotNull Duration electionTimeoutMax,
            @DefaultValue("10s") @NotNull Duration writeTimeout,
            @DefaultValue("5s") @NotNull Duration readTimeout,
            @DefaultValue("10000") @Min(100) long snapshotThreshold,
            @DefaultValue("10000") @Min(0) long backgroundSnapshotEntries,
            @DefaultValue("1000") @Min(0) long logPreservation,
            @DefaultValue("8MB") @NotNull DataSize logSegmentSize,
            @DefaultValue @Valid Tls tls,
            Map<String, String> ratis) {

        public Raft {
            ratis = ratis == null ? Map.of() : Map.copyOf(ratis);
        }

        @AssertTrue(message = "muster.raft.election-timeout-min must be at least 100ms and below election-timeout-max")
        public boolean isElectionTimeoutOrdered() {
            return electionTimeoutMin.toMillis() >= 100 && electionTimeoutMin.compareTo(electionTimeoutMax) < 0;
        }

        @AssertTrue(message = "muster.raft.log-segment-size must be between 16KB and 1GB")
        public boolean isLogSegmentSizeInRange() {
            return logSegmentSize.toBytes() >= DataSize.ofKilobytes(16).toBytes()
                    && logSegmentSize.toBytes() <= DataSize.ofGigabytes(1).toBytes();
        }

        @AssertTrue(message = "muster.raft.write-timeout and read-timeout must be at least election-timeout-max")
        public boolean isRequestTimeoutLongEnough() {
            return writeTimeout.compareTo(electionTimeoutMax) >= 0 && readTimeout.compareTo(electionTimeoutMax) >= 0;
        }
    }

    /**
     * Mutual TLS on the Raft port: this node presents {@code certificate} (with {@code privateKey}) to
     * its peers and to its own Raft clients, and accepts only peers whose certificate a CA in
     * {@code trustedCertificates} (the cluster CA) signed; it also checks that a peer's certificate
     * names the host it dialled (a SAN). Read at start-up: rotating certificates is a rolling restart.
     *
     * @param enabled             on for every node of a cluster, or for none
     * @param certificate         PEM certificate chain of this node
     * @param privateKey          PEM PKCS#8 private key of this node (unencrypted)
     * @param trustedCertificates PEM certificates of the cluster CA
     */
    public record Tls(
            @DefaultValue("false") boolean enabled,
            Path certificate,
            Path privateKey,
            Path trustedCertificates) {

        @AssertTrue(message = "muster.raft.tls needs certificate, private-key and trusted-certificates when enabled")
        public boolean isComplete() {
            return !enabled || (certificate != null && privateKey != null && trustedCertificates != null);
        }
    }

    /**
     * Request limits, enforced at the API and on the leader before anything is logged.
     *
     * @param maxValueBytes   the largest value a key may hold; also bounds a transaction's encoding
     * @param maxTxnOps       the most compares plus operations one transaction may carry
     * @param historyVersions versions retained per key, the current one included
     * @param maxRequestBytes the largest request body accepted (413 beyond, before it is read)
     * @param idempotencyWindow how long (in leader time) a write's result is remembered under its
     *                        {@code Idempotency-Key}, so that a retry gets it instead of applying twice
     */
    public record Limits(
            @DefaultValue("1MB") @NotNull DataSize maxValueBytes,
            @DefaultValue("128") @Min(1) @Max(10000) int maxTxnOps,
            @DefaultValue("10") @Min(1) @Max(1000) int historyVersions,
            @DefaultValue("2MB") @NotNull DataSize maxRequestBytes,
            @DefaultValue("10m") @NotNull Duration idempotencyWindow) {

        @AssertTrue(message = "muster.limits.idempotency-window must be between 1s and 24h")
        public boolean isIdempotencyWindowInRange() {
            return idempotencyWindow.toSeconds() >= 1 && idempotencyWindow.toHours() <= 24;
        }

        @AssertTrue(message = "muster.limits.max-request-bytes must be at least max-value-bytes + 64KB (a value with its "
                + "framing) and at most 64MB")
        public boolean isMaxRequestBytesInRange() {
            return maxRequestBytes.toBytes() >= maxCommandBytes() && maxRequestBytes.toBytes() <= 64L << 20;
        }

        @AssertTrue(message = "muster.limits.max-value-bytes must be between 1B and 16MB")
        public boolean isMaxValueBytesInRange() {
            return maxValueBytes.toBytes() >= 1 && maxValueBytes.toBytes() <= DataSize.ofMegabytes(16).toBytes();
        }

        /** The largest encoded command the leader logs: one maximal value plus room for keys and framing. */
        public int maxCommandBytes() {
            return (int) maxValueBytes.toBytes() + 64 * 1024;
        }
    }

    /**
     * Read settings.
     *
     * @param minRevisionTimeout how long a read with {@code minRevision} waits for this node to apply it
     * @param maxPageSize        the largest {@code limit} a range read accepts
     */
    public record Read(
            @DefaultValue("5s") @NotNull Duration minRevisionTimeout,
            @DefaultValue("1000") @Min(1) @Max(100000) int maxPageSize) {
    }

    /**
     * What the {@code raft} health component (and so readiness) tolerates.
     *
     * @param maxApplyLag committed entries this node may have left to apply and still be ready;
     *                    beyond it the node is {@code OUT_OF_SERVICE} while it catches up
     */
    public record Health(@DefaultValue("1000") @Min(0) long maxApplyLag) {
    }

    /**
     * Membership changes.
     *
     * @param promotionLag  how far (in log entries) a new voter, added first as a listener, may trail
     *                      the leader's log when it is promoted
     * @param promotionPeriod how often the leader looks for voters-to-be that have caught up
     * @param changeTimeout how long one configuration change or leadership transfer may take
     * @param desiredGeneration when above 0, {@code muster.peers} is the voter set this deployment wants
     *                      and this number its generation (the Helm chart passes the release revision):
     *                      the leader changes the configuration toward the newest generation's set, one
     *                      member at a time. 0: membership changes only through the API
     * @param desiredFile   a properties file ({@code muster.peers}, {@code muster.membership.desired-generation})
     *                      read again every few seconds, so that a new deployment's voter set arrives without
     *                      a restart (the chart mounts one from a ConfigMap); unset: only the start-up values
     * @param autoJoin      on a first start (no Raft data), ask the other peers whether the cluster exists
     *                      already and join it (as with {@code muster.join}) if it does; else bootstrap
     */
    public record Membership(
            @DefaultValue("100") @Min(0) long promotionLag,
            @DefaultValue("1s") @NotNull Duration promotionPeriod,
            @DefaultValue("30s") @NotNull Duration changeTimeout,
            @DefaultValue("0") @Min(0) long desiredGeneration,
            Path desiredFile,
            @DefaultValue("false") boolean autoJoin) {

        @AssertTrue(message = "muster.membership.promotion-period and change-timeout must be at least 100ms")
        public boolean isPeriodPositive() {
            return promotionPeriod.toMillis() >= 100 && changeTimeout.toMillis() >= 100;
        }
    }

    /**
     * The H2 view.
     *
     * @param queueCapacity applied changes that may wait for the view's projector; when more pile up,
     *                      the view is rebuilt from a copy of the state instead
     * @param queryTimeout  how long an operator's SQL query may run (whole seconds, at least one)
     * @param maxRows       the largest row cap a query may ask for
     * @param auditRows     audit records the view keeps (the newest); older ones are deleted
     * @param storage       where the view's tables live: {@code memory} (on the heap, the fastest) or
     *                      {@code disk} (a file under {@code data-dir}/view, deleted at every start,
     *                      with only {@code cacheSize} of it on the heap: for large states)
     * @param cacheSize     with {@code disk}, how much of the view H2 keeps on the heap
     * @param maxConcurrentQueries operators' SQL queries this node runs at once; more are refused (503)
     * @param queryMaxAllocation   the most memory one SQL query may allocate before it is cancelled (422):
     *                             an in-memory view holds a query's intermediate rows on the heap
     * @param batchDelay    how long the projector waits, once a change arrives, before it writes the batch
     *                      (changes arriving meanwhile join it); a reader waiting for a revision cuts it short
     */
    public record View(
            @DefaultValue("16384") @Min(1) @Max(1_000_000) int queueCapacity,
            @DefaultValue("5s") @NotNull Duration queryTimeout,
            @DefaultValue("10000") @Min(1) @Max(1_000_000) int maxRows,
            @DefaultValue("100000") @Min(100) @Max(100_000_000) int auditRows,
            @DefaultValue("memory") @NotNull Storage storage,
            @DefaultValue("64MB") @NotNull DataSize cacheSize,
            @DefaultValue("2") @Min(1) @Max(64) int maxConcurrentQueries,
            @DefaultValue("256MB") @NotNull DataSize queryMaxAllocation,
            @DefaultValue("1ms") @NotNull Duration batchDelay) {

        /** Where the view's tables live. */
        public enum Storage {
            MEMORY, DISK
        }

        @AssertTrue(message = "muster.view.batch-delay must be between 0 and 100ms")
        public boolean isBatchDelayInRange() {
            return !batchDelay.isNegative() && batchDelay.compareTo(Duration.ofMillis(100)) <= 0;
        }

        @AssertTrue(message = "muster.view.query-max-allocation must be between 1MB and 64GB")
        public boolean isQueryMaxAllocationInRange() {
            return queryMaxAllocation.toBytes() >= DataSize.ofMegabytes(1).toBytes()
                    && queryMaxAllocation.toBytes() <= DataSize.ofGigabytes(64).toBytes();
        }

        @AssertTrue(message = "muster.view.cache-size must be between 1MB and 64GB")
        public boolean isCacheSizeInRange() {
            return cacheSize.toBytes() >= DataSize.ofMegabytes(1).toBytes()
                    && cacheSize.toBytes() <= DataSize.ofGigabytes(64).toBytes();
        }
    }

    /**
     * Leases. Their timers run on the leader only; keep-alives never reach the log.
     *
     * @param minTtl            the shortest TTL a lease may be granted (at least twice the election timeout)
     * @param checkInterval     how often the leader looks for leases whose time ran out; a lease ends at
     *                          most this much, plus one write's commit, after its deadline
     * @param guardShare        the mass-expiry guard trips when more than this share of the registered
     *                          instances would expire within {@code guardWindow}
     * @param guardWindow       the window of the guard's count
     * @param guardMinInstances below this many registered instances the guard never trips
     * @param guardMaxPause     the longest the guard holds expiry back; then everything overdue expires
     */
    public record Leases(
            @DefaultValue("5s") @NotNull Duration minTtl,
            @DefaultValue("200ms") @NotNull Duration checkInterval,
            @DefaultValue("0.15") double guardShare,
            @DefaultValue("60s") @NotNull Duration guardWindow,
            @DefaultValue("10") @Min(0) int guardMinInstances,
            @DefaultValue("5m") @NotNull Duration guardMaxPause) {

        @AssertTrue(message = "muster.lease.guard-share must be above 0 and at most 1 (1 turns the guard off)")
        public boolean isGuardShareInRange() {
            return guardShare > 0 && guardShare <= 1;
        }

        @AssertTrue(message = "muster.lease.check-interval must be between 10ms and 10s")
        public boolean isCheckIntervalInRange() {
            return checkInterval.toMillis() >= 10 && checkInterval.toSeconds() <= 10;
        }
    }

    /**
     * Watch streams.
     *
     * @param historyEvents    changes the shared watch history retains; a watch (or a slow watcher)
     *                         that needs older ones is told {@code compacted}
     * @param historyBytes     the value bytes it may hold, whichever bound is reached first
     * @param maxWatchers      open watch streams this node accepts; beyond, 503
     * @param progressInterval how often an idle stream gets a {@code progress} message with its revision
     * @param senderThreads    threads writing to watch streams
     * @param heartbeatInterval how often a stream that sent nothing else gets an SSE comment: Tomcat learns
     *                         that a client went away only when a write to it fails (the second one after
     *                         the client closed), so a closed stream frees its slot within two of these
     * @param environmentHeartbeatInterval the same for environment watches
     *                         ({@code /v1/config/{names}/environment/watch}): longer, because they are many
     *                         (one an application instance) and idle. The starter's client takes a stream
     *                         that is silent for 15 s as broken, so at most 7s: a closed client's slot is
     *                         free within two of these
     */
    public record Watch(
            @DefaultValue("100000") @Min(1) @Max(10_000_000) int historyEvents,
            @DefaultValue("64MB") @NotNull DataSize historyBytes,
            @DefaultValue("10000") @Min(1) @Max(1_000_000) int maxWatchers,
            @DefaultValue("5s") @NotNull Duration progressInterval,
            @DefaultValue("32") @Min(1) @Max(1024) int senderThreads,
            @DefaultValue("500ms") @NotNull Duration heartbeatInterval,
            @DefaultValue("5s") @NotNull Duration environmentHeartbeatInterval) {

        @AssertTrue(message = "muster.watch.progress-interval must be between 100ms and 10m")
        public boolean isProgressIntervalInRange() {
            return progressInterval.toMillis() >= 100 && progressInterval.toMinutes() <= 10;
        }

        @AssertTrue(message = "muster.watch.heartbeat-interval must be between 100ms and 1m")
        public boolean isHeartbeatIntervalInRange() {
            return heartbeatInterval.toMillis() >= 100 && heartbeatInterval.toMillis() <= 60_000;
        }

        /** At most 7s: the starter's client declares a stream broken after 15 s without a byte. */
        @AssertTrue(message = "muster.watch.environment-heartbeat-interval must be between 100ms and 7s (the "
                + "starter's client takes 15 s of silence as a broken stream)")
        public boolean isEnvironmentHeartbeatIntervalInRange() {
            return environmentHeartbeatInterval.toMillis() >= 100 && environmentHeartbeatInterval.toMillis() <= 7_000;
        }
    }

    /**
     * Requests that wait without a thread: for a lock, an election, a {@code minRevision} this node
     * (or its view) has not reached, or a long poll's change. Each holds a connection and a little memory while it waits, and
     * none holds a server thread.
     *
     * @param maxWaiting how many may wait on this node at once; beyond, 503 {@code too-many-waits}
     *                   (with Retry-After). Per token, {@code muster.security.max-waits-per-token}
     */
    public record Waits(@DefaultValue("1024") @Min(1) @Max(100_000) int maxWaiting) {
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String fromEnvironment = System.getenv("HOSTNAME");
            return fromEnvironment == null || fromEnvironment.isBlank() ? "muster" : fromEnvironment;
        }
    }
}
