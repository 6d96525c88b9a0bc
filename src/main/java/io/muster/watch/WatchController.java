package io.muster.watch;

import io.muster.core.Role;
import io.muster.security.Caller;
import io.muster.security.RequiresRole;
import io.muster.core.InstanceRules;
import io.muster.core.Keys;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** {@code /v1/watch}: changes to a key or a prefix as Server-Sent Events. */
@RestController
@Tag(name = "watch", description = "Change streams (Server-Sent Events)")
class WatchController {

    private final Watches watches;

    WatchController(Watches watches) {
        this.watches = watches;
    }

    @RequiresRole(value = Role.READER, keyScoped = true)
    @GetMapping(path = "/v1/watch", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Watch a key, a prefix or services",
            description = """
                    A Server-Sent-Event stream. 'change' messages carry every matching event of one revision \
                    {revision, events:[{type: put|delete|expire, key, entry}]} (for service=: {type, key: service/id, \
                    service, instance}; repeat service= to follow up to 256 services in one stream, each \
                    event naming its service) with the revision as the SSE id, so \
                    a transaction's events arrive together and Last-Event-ID resumes exactly after it. 'progress' \
                    messages {revision} come at the start and every muster.watch.progress-interval; their id is the \
                    revision the stream has reached. SSE comments (heartbeats) come every \
                    muster.watch.heartbeat-interval. A stream that falls behind the retained history gets a final \
                    'compacted' message; a stopping node sends 'closed'. When the token that opened the stream is \
                    revoked, or changes so that it no longer allows what the stream reads, the stream delivers \
                    nothing at or after that revision and ends with a final 'revoked' message: a problem \
                    {type, title, status: 401 (revoked) or 403 (no longer allowed), detail, revision}.""")
    @ApiResponse(responseCode = "200", description = "The stream", content = @Content(mediaType = "text/event-stream"))
    @ApiResponse(responseCode = "410", description = """
            fromRevision (or Last-Event-ID + 1) is older than the retained \
            history: list again, then watch from the list's revision + 1""")
    @ApiResponse(responseCode = "429", description = """
            The token holds muster.security.max-watches-per-token open \
            streams on this node (rate-limited); Retry-After says when a stream its client closed has freed \
            its slot""")
    @ApiResponse(responseCode = "503", description = """
            The node serves muster.watch.max-watchers streams \
            (too-many-watches); try another node, or after Retry-After""")
    SseEmitter watch(
            @Parameter(description = "Watch exactly this key") @RequestParam(required = false) String key,
            @Parameter(description = "Watch every key under this prefix (empty: every key)") @RequestParam(required = false) String prefix,
            @Parameter(description = "Watch the instances of this service; repeat it for several (at most 256)")
            @RequestParam(required = false) List<String> service,
            @RequestParam(required = false) Long fromRevision,
            @RequestHeader(value = "Last-Event-ID", required = false) String lastEventId) {
        return watches.open(filter(key, prefix, service), Watches.startOf(fromRevision, lastEventId));
    }

    private static WatchFilter filter(String key, String prefix, List<String> services) {
        int given = (key == null ? 0 : 1) + (prefix == null ? 0 : 1) + (services == null ? 0 : 1);
        if (given != 1) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "give exactly one of key, prefix and service "
                    + "(service may be repeated)").with("field", key == null ? "key" : "prefix");
        }
        if (services != null) {
            return WatchFilter.services(checkedServices(services));
        }
        String problem = key != null ? Keys.problem(key) : Keys.prefixProblem(prefix);
        if (problem != null) {
            throw new ProblemException(ProblemType.INVALID_KEY, problem).with("field", key != null ? "key" : "prefix");
        }
        Caller.requireKey(key != null ? key : prefix);
        return key != null ? WatchFilter.key(key) : WatchFilter.prefix(prefix);
    }

    /**
     * The services of a multiplexed watch, each a valid name, at most {@link WatchFilter#MAX_SERVICES},
     * every one readable by the caller (403 naming the first that is not).
     */
    private static Set<String> checkedServices(List<String> services) {
        Set<String> distinct = new LinkedHashSet<>(services);
        if (distinct.size() > WatchFilter.MAX_SERVICES) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "a watch follows at most "
                    + WatchFilter.MAX_SERVICES + " services, not " + distinct.size()).with("field", "service");
        }
        for (String service : distinct) {
            String problem = InstanceRules.serviceProblem(service);
            if (problem != null) {
                throw new ProblemException(ProblemType.INVALID_REQUEST, problem + ", not '" + service + "'")
                        .with("field", "service");
            }
        }
        Caller caller = Caller.required();
        if (caller.token() != null) {
            String denial = WatchFilter.serviceDenial(caller.token(), distinct);
            if (denial != null) {
                throw new ProblemException(ProblemType.FORBIDDEN, denial);
            }
        }
        return distinct;
    }
}
