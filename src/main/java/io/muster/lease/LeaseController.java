package io.muster.lease;

import io.muster.web.MusterHeaders;
import io.muster.core.Role;
import io.muster.security.RequiresRole;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.muster.MusterProperties;
import io.muster.core.Command;
import io.muster.core.Lease;
import io.muster.core.LeaseGranted;
import io.muster.core.LeasesEnded;
import io.muster.web.RequestParameters;
import io.muster.replication.Gateway;
import io.muster.replication.Reading;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import io.muster.web.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/leases}: TTLs that keys are bound to, kept alive without writing to the log. */
@RestController
@Tag(name = "leases", description = "Leases: TTLs that keys (ephemeral entries) are bound to")
class LeaseController {

    /** The page size of {@code GET /v1/leases} when none is asked for. */
    static final int DEFAULT_PAGE = 1000;

    private final Gateway gateway;
    private final Lessor lessor;
    private final MusterProperties.Leases leases;

    LeaseController(Gateway gateway, Lessor lessor, MusterProperties properties) {
        this.gateway = gateway;
        this.lessor = lessor;
        this.leases = properties.lease();
    }

    @RequiresRole(Role.WRITER)
    @PostMapping("/v1/leases")
    @Operation(summary = "Grant a lease",
            description = """
                    Grants a lease of ttlSeconds (at least muster.lease.min-ttl, at most 30 days). The grant is \
                    logged; its id is the revision that granted it. Keep it alive with POST /v1/leases/{id}/keepalive \
                    more often than its TTL; bind keys to it with PUT /v1/kv/{key}?lease={id}.""")
    @ApiResponse(responseCode = "201", description = "Granted")
    @ApiResponse(responseCode = "400", description = """
            invalid-request naming field ttlSeconds: missing, null, out of \
            range, or not a JSON integer ("10", 10.7 and 1e1 are refused, never rounded)""")
    @Problems({ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<LeaseResponse> grant(@Valid @RequestBody GrantRequest request) {
        LeaseGranted granted = gateway.write(new Command.GrantLease(LeaseTtl.millis(request.ttlSeconds(), leases)));
        Lease lease = granted.lease();
        return ResponseEntity.created(URI.create("/v1/leases/" + lease.id()))
                .header(MusterHeaders.REVISION, Long.toString(granted.revision()))
                .body(new LeaseResponse(lease.id(), lease.ttlMillis() / 1000, lease.ttlMillis(),
                        Instant.ofEpochMilli(lease.grantedAtMillis()), null, null));
    }

    @RequiresRole(Role.WRITER)
    @PostMapping("/v1/leases/{id}/keepalive")
    @Operation(summary = "Keep a lease alive",
            description = """
                    Restarts the lease's timer at its full TTL on the leader (a follower forwards the call). \
                    Nothing is logged. A lease whose time already ran out cannot be revived: 404.""")
    @ApiResponse(responseCode = "200", description = "Alive, with the time it now has left")
    @Problems({ProblemType.LEASE_NOT_FOUND, ProblemType.READ_UNAVAILABLE})
    ResponseEntity<TimeLeft> keepAlive(@PathVariable long id) {
        return ResponseEntity.ok(timeLeft(id, lessor.keepAlive(checked(id))));
    }

    @RequiresRole(Role.READER)
    @GetMapping("/v1/leases/{id}")
    @Problems(ProblemType.LEASE_NOT_FOUND)
    @Operation(summary = "Read a lease",
            description = """
                    The lease, the keys bound to it (read with the given consistency) and the time it has left \
                    by the leader's timer.""")
    ResponseEntity<LeaseResponse> get(@PathVariable long id,
            @RequestParam(required = false) String consistency, @RequestParam(required = false) Long minRevision) {
        long checkedId = checked(id);
        Reading<Bound> reading = gateway.read(RequestParameters.consistency(consistency), RequestParameters.minRevision(minRevision),
                store -> {
                    Lease lease = store.lease(checkedId);
                    return lease == null ? null : new Bound(lease, store.keysOf(checkedId));
                });
        Bound bound = reading.value();
        if (bound == null) {
            throw notFound(checkedId).with("revision", reading.revision());
        }
        LeaseQuery.Answer time = lessor.timeLeft(checkedId);
        Lease lease = bound.lease();
        return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(reading.revision()))
                .body(new LeaseResponse(lease.id(), lease.ttlMillis() / 1000, lease.ttlMillis(),
                        Instant.ofEpochMilli(lease.grantedAtMillis()),
                        time.status() == LeaseQuery.Status.ALIVE ? time.remainingMillis() : 0L, bound.keys()));
    }

    @RequiresRole(Role.READER)
    @GetMapping("/v1/leases")
    @Operation(summary = "List leases",
            description = """
                    A page of the leases in id order (after: the last id of the previous page; limit 1-10000, default \
                    1000), each with the number of keys and of service instances bound to it and the time it has \
                    left by the leader's timer: asked of the leader in one trip for the whole page, resetting no \
                    timer; null when no leader answered (or one of an older build, during an upgrade). Nothing is \
                    logged. next is the last id when more may follow, else null.""")
    @Problems(ProblemType.REVISION_NOT_REACHED)
    ResponseEntity<LeasePage> list(
            @Parameter(description = "Page size, 1 to 10000 (default 1000)") @RequestParam(required = false) Integer limit,
            @Parameter(description = "List the leases after this id (the previous page's next)")
            @RequestParam(required = false) Long after,
            @RequestParam(required = false) String consistency, @RequestParam(required = false) Long minRevision) {
        int size = pageSize(limit);
        long from = after == null ? 0 : after;
        if (from < 0) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "after must be a lease id (0 or more), not " + from)
                    .with("field", "after");
        }
        Reading<List<Listed>> reading = gateway.read(RequestParameters.consistency(consistency),
                RequestParameters.minRevision(minRevision), store -> store.leasesAfter(from).stream().limit(size + 1L)
                        .map(lease -> new Listed(lease, store.keyCountOf(lease.id()), store.instanceCountOf(lease.id())))
                        .toList());
        List<Listed> listed = reading.value().subList(0, Math.min(size, reading.value().size()));
        Optional<List<LeaseQuery.Answer>> times = lessor.timeLeft(listed.stream().map(row -> row.lease().id()).toList());
        List<ListedLease> page = new ArrayList<>(listed.size());
        for (int i = 0; i < listed.size(); i++) {
            Listed row = listed.get(i);
            Lease lease = row.lease();
            Long remaining = times.isEmpty() ? null : remainingMillis(times.get().get(i));
            page.add(new ListedLease(lease.id(), lease.ttlMillis() / 1000, Instant.ofEpochMilli(lease.grantedAtMillis()),
                    row.keys(), row.instances(), remaining));
        }
        Long next = reading.value().size() > size ? listed.get(listed.size() - 1).lease().id() : null;
        return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(reading.revision()))
                .body(new LeasePage(reading.revision(), page, next));
    }

    private static int pageSize(Integer limit) {
        int size = limit == null ? DEFAULT_PAGE : limit;
        if (size < 1 || size > LeaseQuery.MAX_TIME_LEFT_BATCH) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "limit must be 1.." + LeaseQuery.MAX_TIME_LEFT_BATCH)
                    .with("field", "limit");
        }
        return size;
    }

    /** The leader's time left; 0 for a lease whose time ran out (its expiry is under way), as a single read says. */
    private static long remainingMillis(LeaseQuery.Answer answer) {
        return answer.status() == LeaseQuery.Status.ALIVE ? answer.remainingMillis() : 0L;
    }

    @RequiresRole(Role.WRITER)
    @DeleteMapping("/v1/leases/{id}")
    @Operation(summary = "Revoke a lease", description = "Ends the lease at once and deletes every key bound to it.")
    @ApiResponse(responseCode = "200", description = "Revoked; deletedKeys lists the keys that went with it")
    @Problems({ProblemType.LEASE_NOT_FOUND, ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<Revoked> revoke(@PathVariable long id) {
        KnownLeases.requireNotGone(gateway, checked(id));
        LeasesEnded ended = gateway.write(new Command.RevokeLease(id));
        return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(ended.revision()))
                .body(new Revoked(id, ended.revision(), ended.deletedKeys()));
    }

    private static long checked(long id) {
        if (id <= 0) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "a lease id is positive, not " + id)
                    .with("field", "id");
        }
        return id;
    }

    private static TimeLeft timeLeft(long id, LeaseQuery.Answer answer) {
        if (answer.status() != LeaseQuery.Status.ALIVE) {
            throw notFound(id);
        }
        return new TimeLeft(id, answer.ttlMillis() / 1000, answer.remainingMillis());
    }

    private static ProblemException notFound(long id) {
        return new ProblemException(ProblemType.LEASE_NOT_FOUND,
                "lease " + id + " does not exist (never granted, revoked or expired)").with("lease", id);
    }

    /** A lease and the keys bound to it, read together. */
    private record Bound(Lease lease, List<String> keys) {
    }

    /** A lease and how many keys and instances are bound to it, read together. */
    private record Listed(Lease lease, int keys, int instances) {
    }

    @Schema(description = "A page of leases in id order")
    record LeasePage(long revision, List<ListedLease> leases,
            @Schema(description = "Pass as after for the next page; null on the last") Long next) {
    }

    @Schema(description = "A lease in a list")
    record ListedLease(
            @Schema(description = "The lease id: the revision that granted it") long id,
            long ttlSeconds,
            @Schema(description = "The leader's time at the grant") Instant grantedAt,
            @Schema(description = "How many keys are bound to it") int keys,
            @Schema(description = "How many service instances are bound to it") int instances,
            @Schema(description = "Time left by the leader's timer; null when the leader could not be asked")
            Long remainingMillis) {
    }

    record GrantRequest(@Schema(description = "The lease's TTL in whole seconds", example = "15") @NotNull Long ttlSeconds) {
    }

    @Schema(description = "A lease")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record LeaseResponse(
            @Schema(description = "The lease id: the revision that granted it") long id,
            long ttlSeconds,
            long ttlMillis,
            @Schema(description = "The leader's time at the grant") Instant grantedAt,
            @Schema(description = "Time left by the leader's timer (absent on grant)") Long remainingMillis,
            @Schema(description = "Keys bound to the lease, in key order (absent on grant)") List<String> keys) {
    }

    @Schema(description = "A lease's time after a keep-alive")
    record TimeLeft(long id, long ttlSeconds, @Schema(description = "Time left by the leader's timer") long remainingMillis) {
    }

    @Schema(description = "A revoked lease and the keys deleted with it")
    record Revoked(long id, long revision, List<String> deletedKeys) {
    }
}
