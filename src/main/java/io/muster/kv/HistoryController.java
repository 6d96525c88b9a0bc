package io.muster.kv;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.muster.MusterProperties;
import io.muster.core.Version;
import io.muster.view.View;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/history/{key}}: a key's retained versions, answered by the H2 view. (Not
 * {@code /v1/kv/{key}/history}: keys contain slashes, so that path could not tell the history of
 * {@code app} from the key {@code app/history}.)
 */
@RestController
@Tag(name = "history", description = "Retained versions of keys, from this node's H2 view")
class HistoryController {

    static final String VIEW_REVISION = "X-Muster-View-Revision";

    private final View view;
    private final KvRequests requests;
    private final Duration minRevisionTimeout;

    HistoryController(View view, KvRequests requests, MusterProperties properties) {
        this.view = view;
        this.requests = requests;
        this.minRevisionTimeout = properties.read().minRevisionTimeout();
    }

    @GetMapping("/v1/history/{*key}")
    @Operation(summary = "A key's retained versions, newest first",
            description = "The versions muster.limits.history-versions keeps (the current one included), with the "
                    + "revision and leader time of each write, read from this node's H2 view at the revision in "
                    + "X-Muster-View-Revision. Page with 'before' = the previous page's 'next'. 404 key-not-found "
                    + "when the key does not exist at that revision (a deleted key's history ends with it).")
    @ApiResponse(responseCode = "504", description = "The view did not reach minRevision in time")
    ResponseEntity<HistoryPage> history(@PathVariable String key,
            @Parameter(description = "At most this many versions (default 100)") @RequestParam(required = false) Integer limit,
            @Parameter(description = "Only versions written before this revision") @RequestParam(required = false) Long before,
            @Parameter(description = "Wait until this node's view reflects this revision") @RequestParam(required = false)
            Long minRevision) {
        String checkedKey = KvRequests.key(key);
        int checkedLimit = requests.limit(limit);
        long beforeRevision = before == null ? 0 : positive(before, "before");
        long revision = KvRequests.minRevision(minRevision);
        if (revision > 0 && !view.await(revision, minRevisionTimeout)) {
            throw new ProblemException(ProblemType.REVISION_NOT_REACHED, "this node's view did not reach revision "
                    + revision + " within " + minRevisionTimeout + " (it reflects " + view.revision() + ")")
                    .with("minRevision", revision).with("viewRevision", view.revision());
        }
        View.History history = view.history(checkedKey, beforeRevision, checkedLimit);
        if (history.versions().isEmpty() && beforeRevision == 0) {
            throw new ProblemException(ProblemType.KEY_NOT_FOUND, "no key '" + checkedKey + "' at revision "
                    + history.viewRevision()).with("key", checkedKey);
        }
        return ResponseEntity.ok().header(VIEW_REVISION, Long.toString(history.viewRevision()))
                .body(new HistoryPage(checkedKey, history.viewRevision(),
                        history.versions().stream().map(VersionView::of).toList(), history.next()));
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
            @Schema(description = "The leader's clock at the write") Instant modifiedAt) {

        static VersionView of(Version version) {
            String text = EntryView.text(version.contentType(), version.value());
            return new VersionView(version.modRevision(), version.version(), text,
                    text == null ? Base64.getEncoder().encodeToString(version.value()) : null, version.contentType(),
                    Instant.ofEpochMilli(version.modifiedAtMillis()));
        }
    }
}
