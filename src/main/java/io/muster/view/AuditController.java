package io.muster.view;

import io.muster.MusterProperties;
import io.muster.core.Role;
import io.muster.core.TokenRules;
import io.muster.security.RequiresRole;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/audit}: who changed what, from this node's H2 view. Admin only. */
@RestController
@Tag(name = "view", description = "History, rollback and search, answered by this node's H2 view")
@RequiresRole(Role.ADMIN)
class AuditController {

    private static final int MAX_LIMIT = 1000;

    private final View view;
    private final Duration minRevisionTimeout;

    AuditController(View view, MusterProperties properties) {
        this.view = view;
        this.minRevisionTimeout = properties.read().minRevisionTimeout();
    }

    @GetMapping("/v1/audit")
    @Operation(summary = "Read the audit trail",
            description = """
                    Every command this node applied, oldest first: revision, time (the leader's), principal (the \
                    token; 'muster' for Muster's own commands such as lease expiry), request id, action, target and \
                    outcome (ok or why it was refused). Page with after=<next>.""")
    AuditResponse audit(
            @Parameter(description = "Only targets (keys, service/id, locks, tokens) starting with this")
            @RequestParam(required = false) String prefix,
            @Parameter(description = "Only commands of this token") @RequestParam(required = false) String who,
            @Parameter(description = "Only records at or after this time (ISO-8601, e.g. 2026-11-28T10:00:00Z)")
            @RequestParam(required = false) String since,
            @Parameter(description = "Only records after this revision (the previous page's next)")
            @RequestParam(defaultValue = "0") long after,
            @RequestParam(defaultValue = "100") int limit,
            @Parameter(description = "Wait until this node's view reflects this revision (e.g. the client's last write)")
            @RequestParam(required = false) Long minRevision) {
        if (who != null && !who.equals("muster") && !who.equals("anonymous") && TokenRules.nameProblem(who) != null) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, TokenRules.nameProblem(who)).with("field", "who");
        }
        if (prefix != null && prefix.length() > 512) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "prefix must be at most 512 characters")
                    .with("field", "prefix");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "limit must be within 1.." + MAX_LIMIT)
                    .with("field", "limit");
        }
        if (after < 0) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "after must not be negative").with("field", "after");
        }
        MinRevision.await(view, minRevision, minRevisionTimeout);
        long sinceMillis = 0;
        if (since != null) {
            try {
                sinceMillis = Instant.parse(since).toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new ProblemException(ProblemType.INVALID_REQUEST, "since must be an ISO-8601 instant such as "
                        + "2026-11-28T10:00:00Z").with("field", "since");
            }
        }
        View.AuditPage page = view.audit(prefix == null || prefix.isEmpty() ? null : prefix, who, after, sinceMillis,
                limit);
        return new AuditResponse(page.viewRevision(), page.records().stream().map(AuditView::of).toList(), page.next());
    }

    record AuditResponse(long viewRevision, List<AuditView> records, Long next) {
    }

    record AuditView(long revision, Instant at, String principal, String requestId, String action, String target,
            String outcome) {

        static AuditView of(View.AuditRecord record) {
            return new AuditView(record.revision(), Instant.ofEpochMilli(record.atMillis()), record.principal(),
                    record.requestId(), record.action(), record.target(), record.outcome());
        }
    }
}
