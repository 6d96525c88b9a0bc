package io.muster.locks;

import io.muster.core.Lock;
import io.muster.core.Role;
import io.muster.replication.Gateway;
import io.muster.replication.Reading;
import io.muster.security.RequiresRole;
import io.muster.watch.WatchFilter;
import io.muster.watch.Watches;
import io.muster.web.MusterHeaders;
import io.muster.web.ProblemType;
import io.muster.web.Problems;
import io.muster.web.RequestParameters;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code /v1/coordination}: every lock and election at one revision, with holders and queues, and a stream
 * of their changes; what an operator (the web console) needs to see who holds what. Read from the
 * replicated state like a lock read, so for tokens that may use locks: not confined to key prefixes or
 * services.
 */
@RestController
@Tag(name = "locks", description = "Locks with fencing tokens")
class CoordinationController {

    /** The most locks, and the most elections, one answer lists. */
    static final int MAX_LISTED = 10_000;

    private final Gateway gateway;
    private final Watches watches;

    CoordinationController(Gateway gateway, Watches watches) {
        this.gateway = gateway;
        this.watches = watches;
    }

    @RequiresRole(Role.READER)
    @GetMapping("/v1/coordination")
    @Operation(summary = "Every lock and election",
            description = """
                    The locks (by name) with their holder, lease, fencing token and waiters in arrival order, and the \
                    elections (by name) with their leader, lease, term and the candidates waiting, all at one \
                    revision. A waiter's sinceRevision is the revision it began to wait. At most 10,000 locks and \
                    10,000 elections, the first by name; truncated says whether any were left out. Nobody holding \
                    or waiting for a lock means it is not listed.""")
    @ApiResponse(responseCode = "200", description = "The locks and elections")
    @Problems(ProblemType.REVISION_NOT_REACHED)
    ResponseEntity<Coordination> list(@RequestParam(required = false) String consistency,
            @RequestParam(required = false) Long minRevision) {
        Reading<Listed> reading = gateway.read(RequestParameters.consistency(consistency),
                RequestParameters.minRevision(minRevision), store -> new Listed(
                        firstOf(store.locks(LockController.PREFIX)), firstOf(store.locks(ElectionController.PREFIX))));
        Listed listed = reading.value();
        boolean truncated = listed.locks().size() > MAX_LISTED || listed.elections().size() > MAX_LISTED;
        List<LockEntry> locks = new ArrayList<>();
        for (Lock lock : listed.locks().subList(0, Math.min(MAX_LISTED, listed.locks().size()))) {
            locks.add(LockEntry.of(lock));
        }
        List<ElectionEntry> elections = new ArrayList<>();
        for (Lock lock : listed.elections().subList(0, Math.min(MAX_LISTED, listed.elections().size()))) {
            elections.add(ElectionEntry.of(lock));
        }
        return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(reading.revision()))
                .body(new Coordination(reading.revision(), locks, elections, truncated));
    }

    @RequiresRole(Role.READER)
    @GetMapping(path = "/v1/coordination/watch", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Watch every lock and election",
            description = """
                    A Server-Sent-Event stream with a 'change' message for each revision that changed locks or \
                    elections: events[] of {type, key, lock: {holder, lease, fencingToken, waiters}}, where key is \
                    the stored name (locks/<name> or elections/<name>), type 'delete' when nobody holds it any more, \
                    and waiters the queue's length. The same progress, resume (fromRevision, Last-Event-ID), \
                    compaction and revocation rules as /v1/elections/{name}/observe: list with GET \
                    /v1/coordination, then watch from its revision + 1.""")
    @ApiResponse(responseCode = "200", description = "The stream", content = @Content(mediaType = "text/event-stream"))
    @Problems({ProblemType.WATCH_COMPACTED, ProblemType.RATE_LIMITED, ProblemType.TOO_MANY_WATCHES})
    SseEmitter watch(@RequestParam(required = false) Long fromRevision,
            @RequestHeader(value = "Last-Event-ID", required = false) String lastEventId) {
        return watches.open(WatchFilter.allLocks(), Watches.startOf(fromRevision, lastEventId));
    }

    /** Up to one more than {@link #MAX_LISTED} of {@code locks}, copied (they are immutable records). */
    private static List<Lock> firstOf(Collection<Lock> locks) {
        return locks.stream().limit(MAX_LISTED + 1L).toList();
    }

    /** What the read took from the state, under its lock. */
    private record Listed(List<Lock> locks, List<Lock> elections) {
    }

    @Schema(description = "Every lock and election at one revision")
    record Coordination(long revision, List<LockEntry> locks, List<ElectionEntry> elections,
            @Schema(description = "Whether more than 10,000 locks or elections were there") boolean truncated) {
    }

    @Schema(description = "A lock, its holder (null fields when nobody holds it) and its queue")
    record LockEntry(String name, String holder, Long lease,
            @Schema(description = "The revision at which the holder acquired it") Long fencingToken,
            List<LockWaiter> waiters) {

        static LockEntry of(Lock lock) {
            Lock.Holder holder = lock.holder();
            List<LockWaiter> waiters = lock.waiters().stream()
                    .map(waiter -> new LockWaiter(waiter.owner(), waiter.lease(), waiter.token())).toList();
            return new LockEntry(lock.name().substring(LockController.PREFIX.length()),
                    holder == null ? null : holder.owner(), holder == null ? null : holder.lease(),
                    holder == null ? null : holder.token(), waiters);
        }
    }

    @Schema(description = "A client waiting for a lock")
    record LockWaiter(String holder, long lease,
            @Schema(description = "The revision at which it began to wait") long sinceRevision) {
    }

    @Schema(description = "An election, its leader (null fields when nobody leads) and the candidates waiting")
    record ElectionEntry(String name, String leader, Long lease,
            @Schema(description = "The revision at which the leader was elected") Long term,
            List<ElectionCandidate> candidates) {

        static ElectionEntry of(Lock lock) {
            Lock.Holder leader = lock.holder();
            List<ElectionCandidate> candidates = lock.waiters().stream()
                    .map(waiter -> new ElectionCandidate(waiter.owner(), waiter.lease(), waiter.token())).toList();
            return new ElectionEntry(lock.name().substring(ElectionController.PREFIX.length()),
                    leader == null ? null : leader.owner(), leader == null ? null : leader.lease(),
                    leader == null ? null : leader.token(), candidates);
        }
    }

    @Schema(description = "A candidate waiting to lead")
    record ElectionCandidate(String candidate, long lease,
            @Schema(description = "The revision at which it began to wait") long sinceRevision) {
    }
}
