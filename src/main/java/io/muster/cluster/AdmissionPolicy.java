package io.muster.cluster;

import io.muster.MusterProperties;
import io.muster.core.Command;
import io.muster.core.CommandRules;
import io.muster.core.Stamp;
import io.muster.raft.Admission;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * What the leader checks and stamps before a proposed command is logged: the command's own rules,
 * the operator's limits, the leader's clock and the history retention. This is the only place on
 * the write path that may read a clock or configuration (docs/design.md, determinism rule 1).
 *
 * <p>Thread-safe: immutable.
 */
@Component
public final class AdmissionPolicy implements Admission {

    private final Clock clock;
    private final int historyVersions;
    private final long maxValueBytes;
    private final int maxTxnOps;
    private final int maxCommandBytes;
    private final long minLeaseTtlMillis;

    @Autowired
    public AdmissionPolicy(Clock clock, MusterProperties properties) {
        this(clock, properties.limits().historyVersions(), properties.limits().maxValueBytes().toBytes(),
                properties.limits().maxTxnOps(), properties.limits().maxCommandBytes(),
                properties.lease().minTtl().toMillis());
    }

    public AdmissionPolicy(Clock clock, int historyVersions, long maxValueBytes, int maxTxnOps, int maxCommandBytes,
            long minLeaseTtlMillis) {
        this.clock = clock;
        this.historyVersions = historyVersions;
        this.maxValueBytes = maxValueBytes;
        this.maxTxnOps = maxTxnOps;
        this.maxCommandBytes = maxCommandBytes;
        this.minLeaseTtlMillis = minLeaseTtlMillis;
    }

    @Override
    public String problem(Command command, int encodedBytes) {
        String problem = CommandRules.problem(command);
        if (problem == null && Command.Authored.unwrap(command) instanceof Command.GrantLease grant && grant.ttlMillis() < minLeaseTtlMillis) {
            problem = "ttl " + grant.ttlMillis() + " ms is below muster.lease.min-ttl (" + minLeaseTtlMillis + " ms)";
        }
        return problem != null ? problem
                : CommandRules.limitProblem(command, encodedBytes, maxValueBytes, maxTxnOps, maxCommandBytes);
    }

    @Override
    public Stamp stamp() {
        return new Stamp(clock.millis(), historyVersions);
    }
}
