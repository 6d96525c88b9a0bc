package io.muster.release;

import io.muster.core.Command;
import io.muster.core.Entry;
import io.muster.core.PutResult;
import io.muster.core.Release;
import io.muster.core.ReleaseResult;
import io.muster.core.Role;
import io.muster.replication.Consistency;
import io.muster.replication.Gateway;
import io.muster.security.Caller;
import io.muster.security.RequiresRole;
import io.muster.web.MusterHeaders;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import io.muster.web.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/config/{app}/…}: an application's release schema and policy, and the restore of one of its
 * documents to a retained release. Schema and policy live at {@code config/{app}/~schema} and
 * {@code config/{app}/~policy} (never served as documents), so they are replicated, audited and
 * versioned, and a publish can guard on what it was checked against.
 */
@RestController
@RequiresRole(value = Role.WRITER, keyScoped = true)
@Tag(name = "releases", description = "Configuration releases: drafts, gray, atomic publish, rollback, validation")
class ApplicationConfigController {

    /** The most metadata JSON an upload may carry; compacted, it must fit 256 KiB. */
    static final int MAX_METADATA_BYTES = 2 << 20;
    static final String COMPACT_SCHEMA = "application/vnd.muster.config-schema+json";

    private final Gateway gateway;
    private final Releases releases;

    ApplicationConfigController(Gateway gateway, Releases releases) {
        this.gateway = gateway;
        this.releases = releases;
    }

    record SchemaStored(String app, String key, String schemaDigest, int properties, int bytes, long revision) {
    }

    record RestoreRequest(Long toRelease, Boolean before, String comment) {
    }

    @PutMapping(value = "/v1/config/{app}/schema", consumes = MediaType.APPLICATION_JSON_VALUE)
    @RequiresRole(value = Role.ADMIN, keyScoped = true)
    @Operation(summary = "Upload an application's configuration metadata", description = """
            The application's Spring Boot configuration metadata: META-INF/spring-configuration-metadata.json \
            of its jars merged into one object (groups, properties, hints), at most 2 MiB. Muster keeps a \
            compacted form (names, types, value hints, deprecation; no descriptions), at most 256 KiB, at \
            config/{app}/~schema, and checks releases of the application against it: unknown keys (with a \
            'did you mean'), values of the wrong type, values outside the hinted ones, deprecated keys. Admin \
            only, like the policy: what a release must pass is not for its writers to decide.""")
    @ApiResponse(responseCode = "200", description = "Stored; the compacted schema's digest and size")
    @Problems({ProblemType.INVALID_SCHEMA, ProblemType.UNSUPPORTED_MEDIA_TYPE, ProblemType.FEATURE_NOT_ENABLED,
            ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    SchemaStored putSchema(@PathVariable String app, InputStream body) throws IOException {
        String key = releases.schemaKey(app);
        Caller.requireKey(key);
        byte[] metadata = body.readNBytes(MAX_METADATA_BYTES + 1);
        if (metadata.length > MAX_METADATA_BYTES) {
            throw new ProblemException(ProblemType.REQUEST_TOO_LARGE, "metadata is more than " + MAX_METADATA_BYTES
                    + " bytes");
        }
        ConfigSchema schema;
        try {
            schema = ConfigSchema.fromMetadata(metadata);
        } catch (InvalidSchema e) {
            throw new ProblemException(ProblemType.INVALID_SCHEMA, e.getMessage()).with("field", "body");
        }
        byte[] compact = schema.toCompactJson();
        PutResult stored = gateway.write(new Command.Put(key, compact, COMPACT_SCHEMA, Command.ANY));
        return new SchemaStored(app, key, schema.digest(), schema.properties(), compact.length, stored.revision());
    }

    @GetMapping(value = "/v1/config/{app}/schema", produces = COMPACT_SCHEMA)
    @RequiresRole(value = Role.READER, keyScoped = true)
    @Operation(summary = "An application's compacted schema", description = "As stored by the upload.")
    @Problems({ProblemType.SCHEMA_NOT_FOUND, ProblemType.READ_UNAVAILABLE})
    ResponseEntity<byte[]> getSchema(@PathVariable String app) {
        Entry entry = stored(releases.schemaKey(app), "no schema uploaded for '" + app + "'");
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(COMPACT_SCHEMA))
                .header(MusterHeaders.REVISION, Long.toString(entry.modRevision())).body(entry.value());
    }

    @PutMapping(value = "/v1/config/{app}/policy", consumes = MediaType.APPLICATION_JSON_VALUE)
    @RequiresRole(value = Role.ADMIN, keyScoped = true)
    @Operation(summary = "Set an application's release policy", description = """
            {"validation": "off|warn|enforce", "unknownKeys": "ignore|warn|error", "fourEyes": true|false}; \
            absent fields take the defaults (warn, warn, false). enforce refuses a release that fails \
            validation (422 config-invalid); fourEyes refuses a publish by the release's author (403 \
            same-author) unless an admin gives X-Muster-Emergency. Admin only: the policy binds the writers \
            of the application's documents, so they may not change it.""")
    @Problems({ProblemType.FEATURE_NOT_ENABLED, ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<ReleasePolicy> putPolicy(@PathVariable String app, InputStream body) throws IOException {
        String key = releases.policyKey(app);
        Caller.requireKey(key);
        ReleasePolicy policy = ReleasePolicy.parse(body.readNBytes(64 * 1024));
        PutResult stored = gateway.write(new Command.Put(key, policy.json(), MediaType.APPLICATION_JSON_VALUE, Command.ANY));
        return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(stored.revision())).body(policy);
    }

    @GetMapping("/v1/config/{app}/policy")
    @RequiresRole(value = Role.READER, keyScoped = true)
    @Operation(summary = "An application's release policy", description = "The defaults when none was set.")
    @Problems({ProblemType.CONFIG_DOCUMENT_UNREADABLE, ProblemType.READ_UNAVAILABLE})
    ReleasePolicy getPolicy(@PathVariable String app) {
        String key = releases.policyKey(app);
        Caller.requireKey(key);
        Entry entry = gateway.read(Consistency.LINEARIZABLE, 0, store -> store.get(key)).value();
        return entry == null ? ReleasePolicy.DEFAULT : releases.storedPolicy(entry);
    }

    @PostMapping("/v1/config/{app}/{profile}/restore")
    @Operation(summary = "Restore one document to a retained release", description = """
            Publishes, as a new release with restoreOf = toRelease, the document config/{app}/{profile} as \
            published release toRelease wrote it (before: true, as it was just before that release), \
            whatever the key's own history still holds. Not held to four-eyes or validation.""")
    @ApiResponse(responseCode = "201", description = "Restored; the answer is the new release")
    @Problems({ProblemType.RELEASE_NOT_FOUND, ProblemType.RELEASE_NOT_OPEN, ProblemType.FEATURE_NOT_ENABLED,
            ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<ReleaseViews.ReleaseView> restore(@PathVariable String app, @PathVariable String profile,
            @RequestBody RestoreRequest request) {
        String key = releases.key(app, profile);
        Caller.requireKey(key);
        if (request.toRelease() == null || request.toRelease() < 1) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "toRelease must name a published release")
                    .with("field", "toRelease");
        }
        String comment = request.comment() == null ? "" : request.comment();
        if (comment.length() > Release.MAX_COMMENT) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "comment must be at most " + Release.MAX_COMMENT
                    + " characters").with("field", "comment");
        }
        long toRelease = request.toRelease();
        Release source = gateway.read(Consistency.LINEARIZABLE, 0, store -> store.release(toRelease)).value();
        if (source == null || source.document(key) == null) {
            throw new ProblemException(ProblemType.RELEASE_NOT_FOUND, source == null ? "no release " + toRelease
                    + " (never created, or pruned by retention)" : "release " + toRelease + " does not change '" + key
                    + "'").with("release", toRelease);
        }
        if (source.state() != Release.State.PUBLISHED) {
            throw new ProblemException(ProblemType.RELEASE_NOT_OPEN, "release " + toRelease + " is "
                    + ReleaseViews.state(source.state()) + "; only a published release can be restored from");
        }
        ReleaseResult restored = gateway.write(new Command.RestoreDocument(key, toRelease,
                Boolean.TRUE.equals(request.before()), comment, releases.retention()));
        return ResponseEntity.created(URI.create("/v1/releases/" + restored.release().id()))
                .header(MusterHeaders.REVISION, Long.toString(restored.revision()))
                .body(ReleaseViews.ReleaseView.of(restored.release(), Releases::appAndProfile));
    }

    private Entry stored(String key, String missing) {
        Caller.requireKey(key);
        Entry entry = gateway.read(Consistency.LINEARIZABLE, 0, store -> store.get(key)).value();
        if (entry == null) {
            throw new ProblemException(ProblemType.SCHEMA_NOT_FOUND, missing).with("key", key);
        }
        return entry;
    }
}
