package io.muster.locks;

import io.muster.web.MusterHeaders;
import io.muster.core.Role;
import io.muster.security.RequiresRole;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.muster.core.Lock;
import io.muster.core.LockResult;
import io.muster.web.RequestParameters;
import io.muster.replication.Reading;
import io.muster.watch.WatchFilter;
import io.muster.watch.Watches;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import io.muster.web.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code /v1/elections}: leader election for client applications. An election is a lock whose holder
 * is the leader; its fencing token is the leader's term, and the leader goes when its lease ends.
 */
@RestController
@Tag(name = "elections", description = "Leader election for client applications")
class ElectionController {

    static final String PREFIX = "elections/";

    private final LockService locks;
    private final Watches watches;

    ElectionController(LockService locks, Watches watches) {
        this.locks = locks;
        this.watches = watches;
    }

    @RequiresRole(Role.WRITER)
    @PostMapping("/v1/elections/{name}/campaign")
    @Operation(summary = "Campaign to lead",
            description = """
                    Becomes the leader if nobody leads, or waits up to waitSeconds (0-60) behind the candidates \
                    that came first. term is the revision at which this candidate was elected: larger than every \
                    earlier leader's, so a resource can refuse a deposed leader. Leadership ends with the lease or a \
                    resign. A waiting candidate holds no server thread, but counts against the caps on waiting \
                    requests: muster.security.max-waits-per-token per token and muster.waits.max-waiting per node.""")
    @ApiResponse(responseCode = "200", description = "Elected")
    @ApiResponse(responseCode = "409", description = "Someone else leads and this candidate was not elected within waitSeconds")
    @Problems({ProblemType.LEASE_NOT_FOUND, ProblemType.RATE_LIMITED, ProblemType.TOO_MANY_WAITS,
            ProblemType.WRITE_OUTCOME_UNKNOWN})
    CompletableFuture<ResponseEntity<LeaderView>> campaign(@PathVariable String name,
            @Valid @RequestBody CampaignRequest request) {
        return locks.acquire(PREFIX + name, request.leaseId(), request.candidate(),
                        LockService.waitOf(request.waitSeconds()))
                .exceptionally(failure -> {
                    throw notElected(name, failure instanceof CompletionException ? failure.getCause() : failure);
                })
                .thenApply(held -> ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(held.revision()))
                        .body(LeaderView.of(name, held.lock())));
    }

    /** A lock's {@code lock-held} in an election's words: {@code not-elected}, naming the leader. */
    private static RuntimeException notElected(String name, Throwable failure) {
        if (failure instanceof ProblemException e && e.type() == ProblemType.LOCK_HELD) {
            ProblemException notElected = new ProblemException(ProblemType.NOT_ELECTED, "'" + name + "' is led by "
                    + e.properties().getOrDefault("holder", "nobody now") + "; the candidate withdrew");
            e.properties().forEach((key, value) -> notElected.with(key.equals("holder") ? "leader" : key, value));
            return notElected;
        }
        return failure instanceof RuntimeException runtime ? runtime : new CompletionException(failure);
    }

    @RequiresRole(Role.WRITER)
    @PostMapping("/v1/elections/{name}/resign")
    @Operation(summary = "Resign", description = "Steps down if term is the leader's; the next candidate leads at once.")
    @ApiResponse(responseCode = "200", description = "Resigned")
    @ApiResponse(responseCode = "409", description = "term is not the leader's")
    @Problems(ProblemType.WRITE_OUTCOME_UNKNOWN)
    ResponseEntity<LeaderView> resign(@PathVariable String name, @Valid @RequestBody ResignRequest request) {
        LockResult result = locks.release(PREFIX + name, request.term());
        if (!result.released()) {
            throw LockController.notHolder(name, request.term(), result);
        }
        return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(result.revision()))
                .body(LeaderView.of(name, result.lock()));
    }

    @RequiresRole(Role.READER)
    @GetMapping("/v1/elections/{name}/leader")
    @Operation(summary = "Who leads", description = "The leader and its term; 404 no-leader when nobody leads.")
    @Problems(ProblemType.NO_LEADER)
    ResponseEntity<LeaderView> leader(@PathVariable String name,
            @RequestParam(required = false) String consistency) {
        Reading<Lock> reading = locks.read(PREFIX + name, RequestParameters.consistency(consistency));
        if (reading.value() == null || reading.value().holder() == null) {
            throw new ProblemException(ProblemType.NO_LEADER, "nobody leads '" + name + "'")
                    .with("revision", reading.revision());
        }
        return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(reading.revision()))
                .body(LeaderView.of(name, reading.value()));
    }

    @RequiresRole(Role.READER)
    @GetMapping(path = "/v1/elections/{name}/observe", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Observe the leader",
            description = """
                    A Server-Sent-Event stream with a 'change' message each time the leadership changes hands \
                    (events[0].lock: holder, lease, fencingToken; no holder when nobody leads), with the same \
                    progress, resume (Last-Event-ID) and compaction rules as /v1/watch. When the token that \
                    opened it is revoked (or no longer allows elections), it delivers nothing at or after that \
                    revision and ends with a final 'revoked' message (a problem, status 401 or 403).""")
    @ApiResponse(responseCode = "200", description = "The stream", content = @Content(mediaType = "text/event-stream"))
    @Problems({ProblemType.WATCH_COMPACTED, ProblemType.RATE_LIMITED, ProblemType.TOO_MANY_WATCHES})
    SseEmitter observe(@PathVariable String name, @RequestParam(required = false) Long fromRevision,
            @RequestHeader(value = "Last-Event-ID", required = false) String lastEventId) {
        LockService.checkName(PREFIX + name);
        Long from = Watches.startOf(fromRevision, lastEventId);
        return watches.open(WatchFilter.lock(PREFIX + name), from);
    }

    record CampaignRequest(
            @Schema(description = "The lease that keeps the leadership") @NotNull Long leaseId,
            @Schema(description = "Who campaigns, e.g. its pod name or address", example = "scheduler-2") @NotNull String candidate,
            @Schema(description = "How long to wait to be elected (0-60, default 0)") Long waitSeconds) {
    }

    record ResignRequest(@Schema(description = "The term the leader was elected with") @NotNull Long term) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(description = "An election's leader")
    record LeaderView(String election, String leader, Long lease,
            @Schema(description = "The revision at which this leader was elected") Long term, int candidatesWaiting) {

        /** The lock's view in an election's words: its holder leads, its fencing token is the term. */
        static LeaderView of(String election, Lock lock) {
            LockController.LockView held = LockController.LockView.of(election, lock);
            return new LeaderView(election, held.holder(), held.lease(), held.fencingToken(), held.waiters());
        }
    }
}
