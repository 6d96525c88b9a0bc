package io.muster.registry;

import io.muster.core.Instance;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A service instance as JSON. */
@Schema(description = "A registered service instance")
public record InstanceView(
        String service,
        String id,
        String address,
        int port,
        @Schema(description = "Failure domain; empty when none") String zone,
        List<String> tags,
        Map<String, String> metadata,
        @Schema(description = "UP, DOWN, STARTING or OUT_OF_SERVICE") Instance.Status status,
        @Schema(description = "The lease it is bound to; it goes when the lease ends") long lease,
        long createRevision,
        long modRevision,
        @Schema(description = "The leader's time at its last change") Instant modifiedAt) {

    public static InstanceView of(Instance instance) {
        return new InstanceView(instance.service(), instance.id(), instance.address(), instance.port(), instance.zone(),
                instance.tags(), instance.metadata(), instance.status(), instance.lease(), instance.createRevision(),
                instance.modRevision(), Instant.ofEpochMilli(instance.modifiedAtMillis()));
    }
}
