package io.muster.raft;

import io.muster.MusterProperties;
import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto.TypeCase;
import org.apache.ratis.retry.ExponentialBackoffRetry;
import org.apache.ratis.client.retry.RequestTypeDependentRetryPolicy;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * Every Ratis option Muster relies on, set in code with the reason (docs/ratis-guide.md §2.2). Options not
 * named here keep Ratis' defaults.
 */
final class RatisSettings {

    private static final SizeInBytes DEFAULT_APPENDER_BYTES = SizeInBytes.valueOf("4MB");
    /** Sleep,count pairs (Ratis' MultipleLinearRandomRetry); the last count outlasts any outage. */
    static final String APPENDER_RETRY_POLICY = "1ms,10, 100ms,20, 500ms,100000000";

    private RatisSettings() {
    }

    static RaftProperties server(MusterProperties properties, String bindHost) {
        MusterProperties.Raft raft = properties.raft();
        RaftProperties ratis = new RaftProperties();
        // The log and snapshots live under the node's data directory, never in /tmp (Ratis' default).
        RaftServerConfigKeys.setStorageDir(ratis, List.of(raftDirectory(properties)));
        GrpcConfigKeys.Server.setHost(ratis, bindHost);
        GrpcConfigKeys.Server.setPort(ratis, raft.port());
        // Election timeouts tolerant of GC pauses and CPU throttling; heartbeats go out every min/2.
        RaftServerConfigKeys.Rpc.setTimeoutMin(ratis, duration(raft.electionTimeoutMin()));
        RaftServerConfigKeys.Rpc.setTimeoutMax(ratis, duration(raft.electionTimeoutMax()));
        // AppendEntries must outlive an election timeout, or a slow follower is treated as dead.
        RaftServerConfigKeys.Rpc.setRequestTimeout(ratis,
                duration(max(Duration.ofSeconds(3), raft.electionTimeoutMax().multipliedBy(2))));
        // Reads are linearizable (ReadIndex, servable on followers); the leader lease saves a
        // heartbeat round per read while the leader's majority is fresh.
        RaftServerConfigKeys.Read.setOption(ratis, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(ratis, true);
        RaftServerConfigKeys.Read.setTimeout(ratis, duration(raft.readTimeout()));
        // Automatic snapshots keep restart replay and follower catch-up short; keep two so one is
        // always complete while the next is written (the default keeps every snapshot forever).
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(ratis, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(ratis, raft.snapshotThreshold());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(ratis, 2);
        // Purge up to the snapshot, so that one long-dead peer cannot pin the log forever; keep a
        // tail so a briefly absent follower catches up from the log rather than a snapshot.
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(ratis, true);
        RaftServerConfigKeys.Log.setPurgePreservationLogNum(ratis, raft.logPreservation());
        RaftServerConfigKeys.Log.setPurgeGap(ratis, (int) Math.min(1024, Math.max(1, raft.snapshotThreshold() / 4)));
        // Purge removes closed segments only: the segment size bounds how much log outlives a snapshot.
        long segment = raft.logSegmentSize().toBytes();
        RaftServerConfigKeys.Log.setSegmentSizeMax(ratis, SizeInBytes.valueOf(segment));
        RaftServerConfigKeys.Log.setPreallocatedSize(ratis, SizeInBytes.valueOf(Math.min(segment, 4L << 20)));
        // One entry must fit the appender buffer, and the write buffer must exceed it by 8 bytes.
        SizeInBytes appender = appenderBytes(properties);
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(ratis, appender);
        RaftServerConfigKeys.Log.setWriteBufferSize(ratis, SizeInBytes.valueOf(appender.getSize() * 2));
        // The retry cache deduplicates a RaftClient's retries, which stop at the write timeout; it must
        // outlive them (plus one attempt in flight) and no more: it holds every write's reply, and at
        // Ratis' 60 s default a single node under a put benchmark held 140k of them, most of its heap.
        RaftServerConfigKeys.RetryCache.setExpiryTime(ratis,
                duration(raft.writeTimeout().plus(Duration.ofSeconds(5))));
        // How long the leader waits before its next append to a follower that failed. Ratis' default
        // (1 ms ×10, 1 s ×20, then 5 s) counts an INCONSISTENCY reply as a failure too, so a follower
        // back from more than ~15 s down waited 5 s per round of log matching: the fault histories
        // measured a restarted node stuck for 10-16 s before it received an entry. Capped at 500 ms,
        // a dead follower costs the leader two cheap attempts a second, and a returning one catches up
        // as soon as it answers.
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(ratis, APPENDER_RETRY_POLICY);
        // A follower chains each append onto the previous one when "compose" is on (Ratis' default), and
        // one failed append then fails every later one: the follower is stuck until it restarts. The
        // fault histories hit it on a follower that had just installed a snapshot and then received a
        // late append from before it ("Difference between entry index and RaftLog's latest snapshot
        // index"): it refused every append afterwards and only caught up by snapshot after snapshot.
        // Without compose each append stands alone, and a late one fails on its own.
        RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(ratis, false);
        // The leader sends each append at once instead of waiting until 1 ms (Ratis' default) has passed
        // since its previous send to that follower: a lone write no longer sleeps out the rest of that
        // millisecond on its way to each follower. Measured on the benchmark cluster (hey, one key, eight
        // runs of each): puts at concurrency 1 took p50 1.5-2.5 ms (mean 1.85) instead of 2.8-3.5 ms
        // (mean 3.0); at concurrency 64, where the wait let entries gather into fewer appends, they ran
        // at 1,815-2,513/s (mean 2,122) instead of 1,474-2,862/s (mean 2,358).
        // A bulk loader that wants the throughput back sets [raft.server.log.appender.wait-time.min]=1ms.
        RaftServerConfigKeys.Log.Appender.setWaitTimeMin(ratis, TimeDuration.ZERO);
        // Operator overrides come last, so that an experiment can change anything above.
        raft.ratis().forEach(ratis::set);
        return ratis;
    }

    static RaftProperties client(MusterProperties properties) {
        RaftProperties ratis = new RaftProperties();
        // One attempt must not outlast the whole request; the retry policy bounds the total.
        RaftClientConfigKeys.Rpc.setRequestTimeout(ratis, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        SizeInBytes message = SizeInBytes.valueOf(Math.max(appenderBytes(properties).getSize() * 2,
                SizeInBytes.valueOf("64MB").getSize()));
        GrpcConfigKeys.setMessageSizeMax(ratis, message);
        return ratis;
    }

    /** For membership changes and leadership transfers: one attempt may last the whole change. */
    static RaftProperties adminClient(MusterProperties properties) {
        RaftProperties ratis = client(properties);
        RaftClientConfigKeys.Rpc.setRequestTimeout(ratis, duration(properties.membership().changeTimeout()));
        return ratis;
    }

    /** Retries an administrative call that found no leader, for about the change timeout, then gives up. */
    static RetryPolicy adminRetryPolicy(MusterProperties.Membership membership) {
        long sleepMillis = 250;
        int attempts = (int) Math.max(1, membership.changeTimeout().toMillis() / sleepMillis);
        return RetryPolicies.retryUpToMaximumCountWithFixedSleep(attempts,
                TimeDuration.valueOf(sleepMillis, TimeUnit.MILLISECONDS));
    }

    /**
     * Bounded retries (Ratis' default retries forever without sleeping): writes for the write timeout,
     * reads for the read timeout, backing off from 20 ms to 200 ms between attempts. The cap bounds how
     * long a request sleeps past the moment a new leader is ready (a longer one stretched the write gap
     * after a leader crash); a retry is one cheap RPC.
     */
    static RetryPolicy retryPolicy(MusterProperties.Raft raft) {
        RetryPolicy backoff = ExponentialBackoffRetry.newBuilder()
                .setBaseSleepTime(TimeDuration.valueOf(20, TimeUnit.MILLISECONDS))
                .setMaxSleepTime(TimeDuration.valueOf(200, TimeUnit.MILLISECONDS))
                .setMaxAttempts(Integer.MAX_VALUE)
                .build();
        return RequestTypeDependentRetryPolicy.newBuilder()
                .setRetryPolicy(TypeCase.WRITE, backoff)
                .setTimeout(TypeCase.WRITE, duration(raft.writeTimeout()))
                .setRetryPolicy(TypeCase.READ, backoff)
                .setTimeout(TypeCase.READ, duration(raft.readTimeout()))
                .build();
    }

    /**
     * The Ratis parameters for mutual TLS on every channel (server to server, client to server,
     * admin), or {@code null} when {@code muster.raft.tls} is off. Fails at start-up, naming the
     * setting, when a file is missing or unreadable.
     */
    static Parameters parameters(MusterProperties.Tls tls) {
        if (!tls.enabled()) {
            return null;
        }
        for (var file : List.of(Map.entry("certificate", tls.certificate()), Map.entry("private-key", tls.privateKey()),
                Map.entry("trusted-certificates", tls.trustedCertificates()))) {
            if (!Files.isReadable(file.getValue())) {
                throw new IllegalStateException("muster.raft.tls." + file.getKey() + " " + file.getValue()
                        + " is not a readable file");
            }
        }
        Parameters parameters = new Parameters();
        GrpcConfigKeys.TLS.setConf(parameters, new GrpcTlsConfig(tls.privateKey().toFile(), tls.certificate().toFile(),
                tls.trustedCertificates().toFile(), true));
        return parameters;
    }

    static File raftDirectory(MusterProperties properties) {
        return properties.dataDir().resolve("raft").toAbsolutePath().normalize().toFile();
    }

    private static SizeInBytes appenderBytes(MusterProperties properties) {
        long needed = properties.limits().maxCommandBytes() + 4096L;
        return needed <= DEFAULT_APPENDER_BYTES.getSize() ? DEFAULT_APPENDER_BYTES : SizeInBytes.valueOf(needed);
    }

    private static TimeDuration duration(Duration duration) {
        return TimeDuration.valueOf(duration.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
