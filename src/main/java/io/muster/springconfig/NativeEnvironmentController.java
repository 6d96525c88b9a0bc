package io.muster.springconfig;

import io.muster.core.Role;
import io.muster.replication.Consistency;
import io.muster.replication.Replica;
import io.muster.security.RequiresRole;
import io.muster.web.MusterHeaders;
import io.muster.web.ProblemType;
import io.muster.web.Problems;
import io.muster.web.RequestParameters;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code /v1/config/{names}/environment}: Muster's own environment answer for its Spring Boot starter,
 * the {@code /config} assembly with the profile that selected each source and the release it is served
 * from; and its watch, a stream that says when the version this caller is served changes. Access, gray
 * handling, labels and consistency as for {@code /config} ({@link EnvironmentController}).
 */
@RestController
@RequiresRole(value = Role.READER, keyScoped = true)
@Tag(name = "spring-config", description = "Spring Cloud Config Server protocol over configuration documents")
class NativeEnvironmentController {

    private final Environments environments;
    private final EnvironmentWatches watches;
    private final Replica replica;
    private final List<String> labels;
    private final Consistency defaultConsistency;

    NativeEnvironmentController(Environments environments, EnvironmentWatches watches, Replica replica,
            SpringConfigProperties properties) {
        this.environments = environments;
        this.watches = watches;
        this.replica = replica;
        this.labels = properties.labels();
        this.defaultConsistency = RequestParameters.consistency(properties.consistency());
    }

    @GetMapping("/v1/config/{names}/environment")
    @Operation(summary = "An application's environment, with profiles and releases", description = """
            The property sources of /config/{names}/{profiles} (same order, same access rules, same gray \
            handling through X-Muster-Instance, X-Muster-Labels and the request's address, and the same \
            version), as Muster's starter reads them: each source names the profile that selected it \
            ('default' for the base documents) and, when there is one, the release it is served from (the \
            gray release this caller gets, else the published release that wrote the document's current \
            revision); releases lists those ids once each, in source order. minRevision waits (without a \
            thread) until this node has applied that revision.""")
    @ApiResponse(responseCode = "200", description = "The environment",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = NativeEnvironment.class)))
    @Problems({ProblemType.LABEL_NOT_FOUND, ProblemType.CONFIG_DOCUMENT_UNREADABLE, ProblemType.REVISION_NOT_REACHED})
    ResponseEntity<byte[]> environment(
            @Parameter(description = "Application names, a comma list (the last one wins)") @PathVariable String names,
            @Parameter(description = "Profiles, a comma list (default: default)") @RequestParam(required = false) String profiles,
            @Parameter(description = "A label of muster.springconfig.labels; none: the current configuration")
            @RequestParam(required = false) String label,
            @Parameter(description = "stale (default, muster.springconfig.consistency) or linearizable")
            @RequestParam(required = false) String consistency,
            @RequestParam(required = false) Long minRevision) {
        EnvironmentQuery query = query(names, profiles);
        String checkedLabel = label == null ? null : EnvironmentController.checkedLabel(labels, label);
        Consistency checked = consistency == null ? defaultConsistency : RequestParameters.consistency(consistency);
        Environments.Resolved resolved = environments.resolve(query, checkedLabel, checked,
                RequestParameters.minRevision(minRevision), GrayCaller.of(EnvironmentController.currentRequest()));
        ResponseEntity.BodyBuilder response = ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
                .header(MusterHeaders.REVISION, Long.toString(resolved.revision()))
                .header(MusterHeaders.CONFIG_VERSION, resolved.version());
        if (checked == Consistency.STALE) {
            replica.leaderless().ifPresent(leaderless -> response.header(MusterHeaders.LEADERLESS, leaderless.describe()));
        }
        return response.body(EnvironmentRendering.json(body(query, checkedLabel, resolved)));
    }

    @GetMapping(path = "/v1/config/{names}/environment/watch", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Watch an application's environment version", description = """
            A Server-Sent-Event stream, level-triggered: on open, when the version this caller is served now \
            (as /v1/config/{names}/environment answers it) differs from the version parameter, or none was \
            given, an 'environment' message {version, revision, releases} (SSE id: the revision); after that \
            one each time that version changes, and only then (a write to another application, or one that \
            leaves the served properties as they were, sends nothing). Documents created or deleted, releases \
            published, gray rules set, changed or abandoned, and changes to the caller's own registered \
            instance are all noticed. 'progress' {revision} at the start and every \
            muster.watch.progress-interval, SSE comments every muster.watch.environment-heartbeat-interval (5s), 'closed' \
            when the node stops, and a final 'revoked' problem when the token is revoked or no longer allows \
            the documents. Counts against muster.watch.max-watchers and \
            muster.security.max-watches-per-token like /v1/watch.""")
    @ApiResponse(responseCode = "200", description = "The stream", content = @Content(mediaType = "text/event-stream",
            schema = @Schema(implementation = EnvironmentWatches.EnvironmentChange.class)))
    @Problems({ProblemType.LABEL_NOT_FOUND, ProblemType.RATE_LIMITED, ProblemType.TOO_MANY_WATCHES})
    SseEmitter watch(
            @Parameter(description = "Application names, a comma list") @PathVariable String names,
            @Parameter(description = "Profiles, a comma list (default: default)") @RequestParam(required = false) String profiles,
            @Parameter(description = "A label of muster.springconfig.labels") @RequestParam(required = false) String label,
            @Parameter(description = "The version the client has loaded") @RequestParam(required = false) String version) {
        EnvironmentQuery query = query(names, profiles);
        String checkedLabel = label == null ? null : EnvironmentController.checkedLabel(labels, label);
        GrayCaller caller = GrayCaller.of(EnvironmentController.currentRequest());
        environments.requireReadable(query); // 403 naming the first document it may not read, before the stream opens
        return watches.open(query, checkedLabel, caller, version);
    }

    private static EnvironmentQuery query(String names, String profiles) {
        return EnvironmentQuery.of(names, profiles == null || profiles.isBlank() ? ConfigDocuments.BASE_PROFILE : profiles);
    }

    /** The answer's JSON: label kept when null, a source's release left out when it has none. */
    private static Map<String, Object> body(EnvironmentQuery query, String label, Environments.Resolved resolved) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", query.name());
        body.put("profiles", query.requestedProfiles());
        body.put("label", label);
        body.put("version", resolved.version());
        body.put("revision", resolved.revision());
        body.put("releases", resolved.distinctReleases());
        List<Map<String, Object>> sources = new ArrayList<>(resolved.sources().size());
        for (int i = 0; i < resolved.sources().size(); i++) {
            Map<String, Object> source = new LinkedHashMap<>();
            source.put("name", resolved.sources().get(i).name());
            source.put("profile", resolved.candidates().get(i).profile());
            long release = resolved.releases().get(i);
            if (release != 0) {
                source.put("release", release);
            }
            source.put("source", resolved.sources().get(i).properties());
            sources.add(source);
        }
        body.put("propertySources", sources);
        return body;
    }

    /** The native environment's shape, for the API description. */
    @Schema(name = "MusterEnvironment")
    record NativeEnvironment(String name, List<String> profiles, String label,
            @Schema(description = "16 hex digits: the digest /config gives this caller") String version, long revision,
            @Schema(description = "The releases the sources are served from, once each, in source order") List<Long> releases,
            List<NativePropertySource> propertySources) {
    }

    /** One source of the native environment. */
    @Schema(name = "MusterPropertySource")
    record NativePropertySource(String name,
            @Schema(description = "The profile that selected the document ('default' for a base document)") String profile,
            @Schema(description = "The release it is served from; absent when none") Long release,
            Map<String, Object> source) {
    }
}
