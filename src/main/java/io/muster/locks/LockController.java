package io.muster.locks;

import io.muster.web.MusterHeaders;
import io.muster.core.Role;
import io.muster.security.RequiresRole;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.muster.core.Lock;
import io.muster.core.LockResult;
import io.muster.web.RequestParameters;
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
import java.util.concurrent.CompletableFuture;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/locks}: distributed locks with fencing tokens, freed when their holder's lease ends. */
@RestController
@Tag(name = "locks", description = "Locks with fencing tokens")
class LockController {

    static final String PREFIX = "locks/";

    private final LockService locks;

    LockController(LockService locks) {
        this.locks = locks;
    }

    @RequiresRole(Role.WRITER)
    @PostMapping("/v1/locks/{*name}")
    @Operation(summary = "Acquire a lock",
            description = """
                    Takes the lock for holder under leaseId, or waits up to waitSeconds (0-60, default 0) \
                    behind its holder; waiters are served in arrival order. The answer's fencingToken is the \
                    revision at which the lock was acquired: larger than every earlier holder's. Pass it to the \
                    resource the lock protects, which must refuse any token smaller than the largest it has seen. \
                    The lock is freed when the holder's lease ends. Sending the same acquire again is harmless. \
                    A waiting request holds no server thread, but counts against the caps on waiting requests: \
                    muster.security.max-waits-per-token per token and muster.waits.max-waiting per node.""")
    @ApiResponse(responseCode = "200", description = "Acquired")
    @ApiResponse(responseCode = "409", description = "Held by someone else and not acquired within waitSeconds")
    @Problems({ProblemType.LEASE_NOT_FOUND, ProblemType.RATE_LIMITED, ProblemType.TOO_MANY_WAITS,
            ProblemType.WRITE_OUTCOME_UNKNOWN})
    CompletableFuture<ResponseEntity<LockView>> acquire(@PathVariable String name,
            @Valid @RequestBody AcquireRequest request) {
        return locks.acquire(PREFIX + strip(name), request.leaseId(), request.holder(),
                LockService.waitOf(request.waitSeconds())).thenApply(held -> ResponseEntity.ok()
                        .header(MusterHeaders.REVISION, Long.toString(held.revision())).body(LockView.of(strip(name), held.lock())));
    }

    @RequiresRole(Role.WRITER)
    @DeleteMapping("/v1/locks/{*name}")
    @Operation(summary = "Release a lock", description = """
            Releases it if token is the holder's fencing token; the first \
            waiter takes it at once.""")
    @ApiResponse(responseCode = "200", description = "Released")
    @ApiResponse(responseCode = "409", description = "token is not the holder's (it was released or expired)")
    @Problems(ProblemType.WRITE_OUTCOME_UNKNOWN)
    ResponseEntity<LockView> release(@PathVariable String name,
            @Parameter(description = "The fencing token the lock was acquired with") @RequestParam Long token) {
        LockResult result = locks.release(PREFIX + strip(name), token == null ? 0 : token);
        if (!result.released()) {
            throw notHolder(strip(name), token, result);
        }
        return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(result.revision()))
                .body(LockView.of(strip(name), result.lock()));
    }

    @RequiresRole(Role.READER)
    @GetMapping("/v1/locks/{*name}")
    @Operation(summary = "Read a lock", description = "Its holder, fencing token and queue length; 404 when free.")
    @Problems(ProblemType.LOCK_NOT_HELD)
    ResponseEntity<LockView> read(@PathVariable String name,
            @RequestParam(required = false) String consistency) {
        Reading<Lock> reading = locks.read(PREFIX + strip(name), RequestParameters.consistency(consistency));
        if (reading.value() == null || reading.value().holder() == null) {
            throw new ProblemException(ProblemType.LOCK_NOT_HELD, "nobody holds '" + strip(name) + "'")
                    .with("revision", reading.revision());
        }
        return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(reading.revision()))
                .body(LockView.of(strip(name), reading.value()));
    }

    static ProblemException notHolder(String name, Long token, LockResult result) {
        Lock lock = result.lock();
        ProblemException problem = new ProblemException(ProblemType.NOT_LOCK_HOLDER, "token " + token + " does not hold '"
                + name + "' (it was released, or its lease ended)").with("revision", result.revision());
        if (lock.holder() != null) {
            problem.with("fencingToken", lock.holder().token());
        }
        return problem;
    }

    /** {@code {*name}} captures the leading '/'. */
    static String strip(String name) {
        return name.startsWith("/") ? name.substring(1) : name;
    }

    record AcquireRequest(
            @Schema(description = "The lease that keeps the lock: it is freed when the lease ends") @NotNull Long leaseId,
            @Schema(description = "Who asks, e.g. its pod name", example = "worker-7") @NotNull String holder,
            @Schema(description = "How long to wait behind the holder (0-60, default 0)") Long waitSeconds) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(description = "A lock and its holder")
    record LockView(String name, String holder, Long lease,
            @Schema(description = "The revision at which the holder acquired it") Long fencingToken, int waiters) {

        static LockView of(String name, Lock lock) {
            return lock.holder() == null ? new LockView(name, null, null, null, lock.waiters().size())
                    : new LockView(name, lock.holder().owner(), lock.holder().lease(), lock.holder().token(),
                            lock.waiters().size());
        }
    }
}
