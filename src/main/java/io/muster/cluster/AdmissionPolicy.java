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
public record AdmissionPolicy(Clock clock, int historyVersions, long maxValueBytes, int maxTxnOps, int maxCommandBytes,
        long minLeaseTtlMillis) implements Admission {

    @Autowired
    public AdmissionPolicy(Clock clock, MusterProperties properties) {
        this(clock, properties.limits().historyVersions(), properties.limits().maxValueBytes().toBytes(),
                properties.limits().maxTxnOps(), properties.limits().maxCommandBytes(),
                properties.lease().minTtl().toMillis());
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
