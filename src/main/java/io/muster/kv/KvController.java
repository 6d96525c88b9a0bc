package io.muster.kv;

import io.muster.web.RequestParameters;
import io.muster.web.MusterHeaders;
import io.muster.core.Role;
import io.muster.security.RequiresRole;
import io.muster.core.Command;
import io.muster.core.DeleteResult;
import io.muster.core.Entry;
import io.muster.core.Page;
import io.muster.core.PrefixDeleted;
import io.muster.core.PutResult;
import io.muster.lease.KnownLeases;
import io.muster.replication.Consistency;
import io.muster.replication.Gateway;
import io.muster.watch.LongPolls;
import io.muster.watch.WatchFilter;
import io.muster.replication.Reading;
import io.muster.springconfig.ConfigDocuments;
import io.muster.security.Caller;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import io.muster.web.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/kv}: configuration entries, stored as raw bytes with their content type. */
@RestController
@Tag(name = "kv", description = "Configuration entries: raw values under hierarchical keys")
class KvController {

    private final Gateway gateway;
    private final RequestParameters requests;
    private final LongPolls longPolls;
    private final ConfigDocuments documents;

    KvController(Gateway gateway, RequestParameters requests, LongPolls longPolls, ConfigDocuments documents) {
        this.gateway = gateway;
        this.requests = requests;
        this.longPolls = longPolls;
        this.documents = documents;
    }

    @RequiresRole(value = Role.WRITER, keyScoped = true)
    @PutMapping("/v1/kv/{*key}")
    @Operation(summary = "Store a value",
            description = """
                    Stores the raw request body and its Content-Type under the key. \
                    If-None-Match: * creates only; If-Match: "<modRevision>" compares and sets. \
                    lease=<id> binds the key to a lease: it is deleted when the lease ends (a put without \
                    lease unbinds it). Keys under muster.springconfig.key-prefix (config/) are configuration \
                    documents, config/{application}/{profile}: stored as application/yaml, \
                    text/x-java-properties or application/json (else 415 unsupported-config-format), and \
                    refused with 400 invalid-config-document, naming the line and column, when they do not \
                    parse.""",
            requestBody = @RequestBody(description = "The value, any bytes up to muster.limits.max-value-bytes",
                    content = @Content(mediaType = "*/*", schema = @Schema(type = "string", format = "binary"))),
            responses = {
                    @ApiResponse(responseCode = "201", description = "Created the key"),
                    @ApiResponse(responseCode = "200", description = "Replaced the value"),
                    @ApiResponse(responseCode = "412", description = "The precondition failed; currentModRevision says why"),
                    @ApiResponse(responseCode = "403", description = """
                            The token may not write this key; a token \
                            confined to key prefixes may not name a lease, whether or not it exists""")})
    @Problems({ProblemType.LEASE_NOT_FOUND, ProblemType.VALUE_TOO_LARGE, ProblemType.UNSUPPORTED_MEDIA_TYPE,
            ProblemType.UNSUPPORTED_CONFIG_FORMAT, ProblemType.INVALID_CONFIG_DOCUMENT, ProblemType.INVALID_KEY,
            ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<PutResponse> put(@PathVariable String key,
            @RequestHeader(value = HttpHeaders.CONTENT_TYPE, required = false) String contentType,
            @RequestHeader(value = HttpHeaders.IF_MATCH, required = false) String ifMatch,
            @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch,
            @Parameter(description = "Bind the key to this lease (POST /v1/leases)") @RequestParam(required = false) Long lease,
            HttpServletRequest request) throws IOException {
        String checkedKey = RequestParameters.key(key);
        long expected = RequestParameters.expectedModRevision(ifMatch, ifNoneMatch);
        String storedType = RequestParameters.contentType(contentType);
        long checkedLease = RequestParameters.lease(lease);
        if (checkedLease != 0) {
            // Confinement before existence: a token that may not use leases learns nothing of which exist.
            Caller.requireUnconfined();
            KnownLeases.requireNotGone(gateway, checkedLease);
        }
        byte[] value = requests.value(request.getInputStream(), request.getContentLengthLong());
        documents.check(checkedKey, storedType, value);
        PutResult put = gateway.write(new Command.Put(checkedKey, value, storedType, expected, checkedLease));
        return written(put, put.created() ? HttpStatus.CREATED : HttpStatus.OK).body(PutResponse.of(put));
    }

    /** A write's answer so far: its status, the revision it made, and the key's new ETag. */
    static ResponseEntity.BodyBuilder written(PutResult put, HttpStatus status) {
        return ResponseEntity.status(status)
                .header(MusterHeaders.REVISION, Long.toString(put.revision()))
                .eTag(etag(put.modRevision()));
    }

    @RequiresRole(value = Role.READER, keyScoped = true)
    @GetMapping("/v1/kv/{*key}")
    @Operation(summary = "Read a value",
            description = """
                    Answers the stored bytes with the stored Content-Type, ETag: "<modRevision>" and \
                    X-Muster-Revision: the revision of the state read.""",
            responses = {
                    @ApiResponse(responseCode = "200", description = "The value",
                            content = @Content(mediaType = "*/*", schema = @Schema(type = "string", format = "binary")))})
    @Problems(ProblemType.KEY_NOT_FOUND)
    ResponseEntity<byte[]> get(@PathVariable String key, @RequestParam(required = false) String consistency,
            @RequestParam(required = false) Long minRevision) {
        return read(RequestParameters.key(key), RequestParameters.consistency(consistency), RequestParameters.minRevision(minRevision));
    }

    @RequiresRole(value = Role.READER, keyScoped = true)
    @GetMapping(path = "/v1/kv/{*key}", params = "waitRevision")
    @Operation(summary = "Wait for a value to change (long poll)",
            description = """
                    Answers as the plain read does, as soon as the key changed (written or deleted) after \
                    waitRevision, or when wait (default 30s, at most 5m) is up, half a second early so that a load \
                    balancer with the same timeout does not cut the request. Compare X-Muster-Revision or the ETag \
                    to tell a change from a timeout. If the token is revoked while the request waits (or before \
                    its read), it answers 401 problem+json instead, never data read at or after the revoke.""")
    @ApiResponse(responseCode = "200", description = "The value (as the plain read answers it)",
            content = @Content(mediaType = "*/*", schema = @Schema(type = "string", format = "binary")))
    @ApiResponse(responseCode = "401", description = "The token was revoked while the long poll waited")
    @Problems({ProblemType.KEY_NOT_FOUND, ProblemType.RATE_LIMITED, ProblemType.TOO_MANY_WAITS})
    CompletableFuture<ResponseEntity<byte[]>> getWhenChanged(@PathVariable String key,
            @Parameter(description = "Answer once the key changed after this revision") @RequestParam Long waitRevision,
            @RequestParam(required = false) String wait, @RequestParam(required = false) String consistency) {
        String checkedKey = RequestParameters.key(key);
        Consistency checkedConsistency = RequestParameters.consistency(consistency);
        return longPolls.after(WatchFilter.key(checkedKey), LongPolls.waitRevision(waitRevision),
                LongPolls.parseWait(wait), () -> read(checkedKey, checkedConsistency, 0));
    }

    private ResponseEntity<byte[]> read(String checkedKey, Consistency consistency, long minRevision) {
        Reading<Entry> reading = gateway.read(consistency, minRevision, store -> store.get(checkedKey));
        Entry entry = reading.value();
        if (entry == null) {
            throw new ProblemException(ProblemType.KEY_NOT_FOUND, "no entry under '" + checkedKey + "'")
                    .with("key", checkedKey).with("revision", reading.revision());
        }
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType(entry.contentType()))
                .eTag(etag(entry.modRevision()))
                .header(MusterHeaders.REVISION, Long.toString(reading.revision()))
                .header(MusterHeaders.CREATE_REVISION, Long.toString(entry.createRevision()))
                .header(MusterHeaders.VERSION, Long.toString(entry.version()))
                .header(MusterHeaders.LEASE, Long.toString(entry.lease()))
                .body(entry.value());
    }

    @RequiresRole(value = Role.READER, keyScoped = true)
    @GetMapping("/v1/kv")
    @Operation(summary = "List entries by key prefix",
            description = "A page of entries in key order. Pass the answer's next as after to read the following page.")
    ResponseEntity<RangeResponse> list(
            @Parameter(description = "Key prefix; empty lists every key") @RequestParam(required = false) String prefix,
            @Parameter(description = "Page size, 1 to muster.read.max-page-size (default 100)") @RequestParam(required = false) Integer limit,
            @Parameter(description = "Start after this key (the previous page's next)") @RequestParam(required = false) String after,
            @RequestParam(required = false) String consistency, @RequestParam(required = false) Long minRevision) {
        String checkedPrefix = RequestParameters.prefix(prefix);
        int checkedLimit = requests.limit(limit);
        Reading<Page> reading = gateway.read(RequestParameters.consistency(consistency), RequestParameters.minRevision(minRevision),
                store -> store.range(checkedPrefix, after == null || after.isEmpty() ? null : after, checkedLimit));
        List<EntryView> items = reading.value().items().stream().map(EntryView::of).toList();
        return ResponseEntity.ok()
                .header(MusterHeaders.REVISION, Long.toString(reading.revision()))
                .body(new RangeResponse(reading.revision(), items, reading.value().next()));
    }

    @RequiresRole(value = Role.WRITER, keyScoped = true)
    @DeleteMapping("/v1/kv/{*key}")
    @Operation(summary = "Delete a key", description = """
            Deletes the key and its history. If-Match: "<modRevision>" \
            deletes only that version.""",
            responses = {
                    @ApiResponse(responseCode = "200", description = "Done; deleted says whether the key existed"),
                    @ApiResponse(responseCode = "412", description = "The precondition failed")})
    @Problems({ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<DeleteResponse> delete(@PathVariable String key,
            @RequestHeader(value = HttpHeaders.IF_MATCH, required = false) String ifMatch) {
        String checkedKey = RequestParameters.key(key);
        long expected = RequestParameters.expectedModRevision(ifMatch, null);
        DeleteResult deleted = gateway.write(new Command.Delete(checkedKey, expected));
        return ResponseEntity.ok()
                .header(MusterHeaders.REVISION, Long.toString(deleted.revision()))
                .body(new DeleteResponse(deleted.key(), deleted.revision(), deleted.deleted()));
    }

    @RequiresRole(value = Role.WRITER, keyScoped = true)
    @DeleteMapping(path = "/v1/kv", params = "prefix")
    @Operation(summary = "Delete every key under a prefix", description = """
            Deletes every key that starts with prefix (not empty), with its history, as one revision: watchers \
            see one delete event per key, all at that revision. A token confined to key prefixes may delete \
            only a prefix inside one of its own. Needs cluster version 2: while a member of the cluster runs an \
            older build, 409 feature-not-enabled names it.""")
    @ApiResponse(responseCode = "200", description = "Done; deleted says how many keys were there")
    @Problems({ProblemType.INVALID_KEY, ProblemType.FEATURE_NOT_ENABLED, ProblemType.IDEMPOTENCY_KEY_REUSED,
            ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<PrefixDeleteResponse> deletePrefix(
            @Parameter(description = "Key prefix, e.g. app/ (not empty)", required = true) @RequestParam String prefix) {
        String checkedPrefix = RequestParameters.prefix(prefix);
        if (checkedPrefix.isEmpty()) {
            throw new ProblemException(ProblemType.INVALID_KEY, "prefix must not be empty: deleting every key at "
                    + "once is not offered").with("field", "prefix");
        }
        PrefixDeleted deleted = gateway.write(new Command.DeletePrefix(checkedPrefix));
        return ResponseEntity.ok()
                .header(MusterHeaders.REVISION, Long.toString(deleted.revision()))
                .body(new PrefixDeleteResponse(deleted.prefix(), deleted.revision(), deleted.deleted()));
    }

    private static String etag(long modRevision) {
        return "\"" + modRevision + "\"";
    }

    /** A stored value's revisions. */
    record PutResponse(String key, long revision, long createRevision, long modRevision, long version, boolean created) {
        static PutResponse of(PutResult put) {
            return new PutResponse(put.key(), put.revision(), put.createRevision(), put.modRevision(), put.version(),
                    put.created());
        }
    }

    /** A delete's revision and whether the key existed. */
    record DeleteResponse(String key, long revision, boolean deleted) {
    }

    /** A prefix delete's revision and how many keys it deleted. */
    record PrefixDeleteResponse(String prefix, long revision, long deleted) {
    }

    /** One page of a listing. */
    record RangeResponse(@Schema(description = "The revision of the state listed") long revision,
            List<EntryView> items,
            @Schema(description = "Pass as 'after' for the next page; absent on the last page") String next) {
    }
}
