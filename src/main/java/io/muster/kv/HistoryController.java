package io.muster.kv;

import io.muster.web.RequestParameters;
import io.muster.web.MusterHeaders;
import io.muster.core.Role;
import io.muster.security.RequiresRole;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.muster.MusterProperties;
import io.muster.core.Command;
import io.muster.core.PutResult;
import io.muster.core.Version;
import io.muster.replication.Gateway;
import io.muster.view.MinRevision;
import io.muster.view.View;
import io.muster.web.ProblemException;
import io.muster.springconfig.ConfigDocuments;
import io.muster.web.ProblemType;
import io.muster.web.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the H2 view answers about entries: {@code /v1/history/{key}} (retained versions),
 * {@code /v1/rollback/{key}} (write one back) and {@code /v1/search}. (Not under {@code /v1/kv/}: keys
 * contain slashes, so {@code /v1/kv/app/history} could not tell the history of {@code app} from the key
 * {@code app/history}.)
 */
@RestController
@Tag(name = "view", description = "History, rollback and search, answered by this node's H2 view")
class HistoryController {

    private static final String VIEW_MIN_REVISION = "Wait until this node's view reflects this revision";
    private final View view;
    private final Gateway gateway;
    private final RequestParameters requests;
    private final Duration minRevisionTimeout;
    private final ConfigDocuments documents;

    HistoryController(View view, Gateway gateway, RequestParameters requests, MusterProperties properties,
            ConfigDocuments documents) {
        this.documents = documents;
        this.view = view;
        this.gateway = gateway;
        this.requests = requests;
        this.minRevisionTimeout = properties.read().minRevisionTimeout();
    }

    @RequiresRole(value = Role.READER, keyScoped = true)
    @GetMapping("/v1/history/{*key}")
    @Operation(summary = "A key's retained versions, newest first",
            description = """
                    The versions muster.limits.history-versions keeps (the current one included), with the \
                    revision and leader time of each write, read from this node's H2 view at the revision in \
                    X-Muster-View-Revision. Page with 'before' = the previous page's 'next'. 404 key-not-found \
                    when the key does not exist at that revision (a deleted key's history ends with it).""")
    @Problems(ProblemType.KEY_NOT_FOUND)
    ResponseEntity<HistoryPage> history(@PathVariable String key,
            @Parameter(description = "At most this many versions (default 100)") @RequestParam(required = false) Integer limit,
            @Parameter(description = "Only versions written before this revision") @RequestParam(required = false) Long before,
            @Parameter(description = VIEW_MIN_REVISION) @RequestParam(required = false) Long minRevision) {
        String checkedKey = RequestParameters.key(key);
        int checkedLimit = requests.limit(limit);
        long beforeRevision = before == null ? 0 : positive(before, "before");
        MinRevision.await(view, minRevision, minRevisionTimeout);
        View.History history = view.history(checkedKey, beforeRevision, checkedLimit);
        if (history.versions().isEmpty() && beforeRevision == 0) {
            throw new ProblemException(ProblemType.KEY_NOT_FOUND, "no key '" + checkedKey + "' at revision "
                    + history.viewRevision()).with("key", checkedKey);
        }
        return ResponseEntity.ok().header(MusterHeaders.VIEW_REVISION, Long.toString(history.viewRevision()))
                .body(new HistoryPage(checkedKey, history.viewRevision(),
                        java.util.stream.IntStream.range(0, history.versions().size())
                                .mapToObj(i -> VersionView.of(history.versions().get(i), history.modifiedBy().get(i)))
                                .toList(), history.next()));
    }

    @RequiresRole(value = Role.WRITER, keyScoped = true)
    @PostMapping("/v1/rollback/{*key}")
    @Operation(summary = "Write a retained version back as the current value",
            description = """
                    Writes the value and content type the key had at 'toRevision' as a new revision, compared \
                    and set against the key's mod revision: the one in If-Match (what the client saw), else the one \
                    this node's view holds. A change made meanwhile is never overwritten (412 precondition-failed: \
                    read the history again and retry). 404 version-not-retained when that version is no longer kept.""")
    @ApiResponse(responseCode = "200", description = "Rolled back; the new revision")
    @Problems({ProblemType.VERSION_NOT_RETAINED, ProblemType.PRECONDITION_FAILED, ProblemType.IDEMPOTENCY_KEY_REUSED,
            ProblemType.INVALID_CONFIG_DOCUMENT, ProblemType.UNSUPPORTED_CONFIG_FORMAT, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<KvController.PutResponse> rollback(@PathVariable String key, @RequestBody RollbackRequest request,
            @Parameter(description = """
                    "<modRevision>": roll back only if the key still has this mod revision \
                    (the one the client saw when it chose the version); without it, the view's""")
            @RequestHeader(value = HttpHeaders.IF_MATCH, required = false) String ifMatch,
            @Parameter(description = "Wait until this node's view reflects this revision (e.g. the client's last write)")
            @RequestParam(required = false) Long minRevision) {
        String checkedKey = RequestParameters.key(key);
        long toRevision = positive(request.toRevision(), "toRevision");
        long expected = RequestParameters.expectedModRevision(ifMatch, null);
        MinRevision.await(view, minRevision, minRevisionTimeout);
        // Catch up with what this node has applied, so that the compare is against a recent revision.
        view.await(gateway.appliedRevision(), minRevisionTimeout);
        View.Retained retained = view.retained(checkedKey, toRevision).orElseThrow(() -> new ProblemException(
                ProblemType.VERSION_NOT_RETAINED, "key '" + checkedKey + "' has no retained version written at revision "
                        + toRevision).with("key", checkedKey).with("toRevision", toRevision));
        Version version = retained.version();
        long compareWith = expected == Command.ANY ? retained.currentModRevision() : expected;
        documents.check(checkedKey, version.contentType(), version.value());
        PutResult put = gateway.write(new Command.Put(checkedKey, version.value(), version.contentType(),
                compareWith));
        return KvController.written(put, HttpStatus.OK).header(MusterHeaders.VIEW_REVISION, Long.toString(retained.viewRevision()))
                .body(KvController.PutResponse.of(put));
    }

    /** Which version to restore. */
    record RollbackRequest(@Schema(description = "The mod revision of the version to write back", example = "42")
            Long toRevision) {
    }

    @RequiresRole(Role.READER)
    @GetMapping("/v1/search")
    @Operation(summary = "Search current entries",
            description = """
                    Entries matching every filter given, in key order, from this node's H2 view at the revision \
                    in X-Muster-View-Revision. Page with 'after' = the previous page's 'next'.""")
    ResponseEntity<SearchPage> search(
            @Parameter(description = "Keys starting with this") @RequestParam(required = false) String prefix,
            @Parameter(description = "Exactly this stored content type") @RequestParam(required = false) String contentType,
            @Parameter(description = """
                    Written after this: an ISO-8601 instant (2026-11-28T07:00:00Z, the leader's \
                    clock) or a revision (a number)""") @RequestParam(required = false) String modifiedAfter,
            @Parameter(description = "The value, read as UTF-8, contains this text") @RequestParam(required = false)
            String valueContains,
            @Parameter(description = "At most this many entries (default 100)") @RequestParam(required = false) Integer limit,
            @Parameter(description = "Only keys after this one") @RequestParam(required = false) String after,
            @Parameter(description = VIEW_MIN_REVISION) @RequestParam(required = false) Long minRevision) {
        String checkedPrefix = RequestParameters.prefix(prefix);
        int checkedLimit = requests.limit(limit);
        MinRevision.await(view, minRevision, minRevisionTimeout);
        Long afterMillis = null;
        Long afterRevision = null;
        if (modifiedAfter != null) {
            if (modifiedAfter.chars().allMatch(Character::isDigit) && !modifiedAfter.isEmpty()) {
                afterRevision = parseRevision(modifiedAfter);
            } else {
                afterMillis = parseInstant(modifiedAfter);
            }
        }
        if (valueContains != null && valueContains.isEmpty()) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "valueContains must not be empty")
                    .with("field", "valueContains");
        }
        View.Search found = view.search(new View.SearchFilter(checkedPrefix, contentType, afterMillis, afterRevision,
                valueContains), after, checkedLimit);
        return ResponseEntity.ok().header(MusterHeaders.VIEW_REVISION, Long.toString(found.viewRevision()))
                .body(new SearchPage(found.viewRevision(), found.entries().stream().map(EntryView::of).toList(),
                        found.next()));
    }

    /** A page of search results. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SearchPage(@Schema(description = "The revision the view reflected") long viewRevision, List<EntryView> items,
            @Schema(description = "Pass as 'after' for the next page; absent on the last") String next) {
    }

    private static long parseRevision(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "modifiedAfter: '" + text + "' is too large a revision")
                    .with("field", "modifiedAfter");
        }
    }

    private static long parseInstant(String text) {
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "modifiedAfter: '" + text
                    + "' is neither a revision nor an ISO-8601 instant such as 2026-11-28T07:00:00Z")
                    .with("field", "modifiedAfter");
        }
    }

    private static long positive(Long value, String field) {
        if (value == null) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, field + " is required").with("field", field);
        }
        return positive(value.longValue(), field);
    }

    private static long positive(long value, String field) {
        if (value < 1) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, field + " must be a revision (1 or more)")
                    .with("field", field);
        }
        return value;
    }

    /** A page of versions. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record HistoryPage(String key, @Schema(description = "The revision the view reflected") long viewRevision,
            List<VersionView> versions,
            @Schema(description = "Pass as 'before' for the next page; absent on the last") Long next) {
    }

    /** One version; exactly one of value and valueBase64 is present. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record VersionView(long modRevision, long version, String value, String valueBase64, String contentType,
            @Schema(description = "The leader's clock at the write") Instant modifiedAt,
            @Schema(description = """
                    The token that wrote it ('anonymous' without security); absent when this node's \
                    view was rebuilt from a snapshot since""") String modifiedBy) {

        static VersionView of(Version version, String modifiedBy) {
            String text = EntryView.text(version.contentType(), version.value());
            return new VersionView(version.modRevision(), version.version(), text,
                    text == null ? Base64.getEncoder().encodeToString(version.value()) : null, version.contentType(),
                    Instant.ofEpochMilli(version.modifiedAtMillis()), modifiedBy);
        }
    }
}
