package io.muster.view;

import io.muster.core.Role;
import io.muster.security.RequiresRole;
import io.muster.MusterProperties;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import io.muster.wait.WaitingRequests;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** {@code POST /v1/query}: read-only SQL over this node's H2 view, for operators. */
@RestController
@Tag(name = "view", description = "History, rollback and search, answered by this node's H2 view")
class QueryController {

    private final View view;
    private final Duration timeout;
    private final int maxRowsLimit;
    private final Duration minRevisionTimeout;

    QueryController(View view, MusterProperties properties) {
        this.view = view;
        this.minRevisionTimeout = properties.read().minRevisionTimeout();
        this.timeout = properties.view().queryTimeout();
        this.maxRowsLimit = properties.view().maxRows();
    }

    @RequiresRole(Role.ADMIN)
    @PostMapping("/v1/query")
    @ApiResponse(responseCode = "429", description = WaitingRequests.TOKEN_FULL_ANSWER)
    @ApiResponse(responseCode = "503", description = WaitingRequests.NODE_FULL_ANSWER)
    @Operation(summary = "Run a read-only SQL query over the H2 view",
            description = "One SELECT (or WITH ... SELECT) statement over the tables entries, entry_history and "
                    + "view_status, with ? parameters, run as a database user that may only read those tables, with a "
                    + "timeout (muster.view.query-timeout) and a row cap. Anything else is 400 query-not-allowed; a "
                    + "statement H2 cannot compile is 400 invalid-query; a timeout is 408 query-timeout; a failure "
                    + "while running (a parameter of the wrong type) is 422 query-failed.")
    @ApiResponse(responseCode = "200", description = "{columns, rows, viewRevision, truncated}")
    ResponseEntity<View.QueryResult> query(@RequestBody QueryRequest request) {
        int maxRows = request.maxRows() == null ? Math.min(1000, maxRowsLimit) : request.maxRows();
        if (maxRows < 1 || maxRows > maxRowsLimit) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "maxRows must be between 1 and " + maxRowsLimit)
                    .with("field", "maxRows");
        }
        MinRevision.await(view, request.minRevision(), minRevisionTimeout);
        List<Object> parameters = new ArrayList<>();
        if (request.params() != null) {
            for (int i = 0; i < request.params().size(); i++) {
                parameters.add(parameter(request.params().get(i), i));
            }
        }
        try {
            View.QueryResult result = view.query(request.sql(), parameters, maxRows, timeout);
            return ResponseEntity.ok().header("X-Muster-View-Revision", Long.toString(result.viewRevision())).body(result);
        } catch (QueryException e) {
            ProblemType type = switch (e.kind()) {
                case NOT_ALLOWED -> ProblemType.QUERY_NOT_ALLOWED;
                case INVALID -> ProblemType.INVALID_QUERY;
                case TIMEOUT -> ProblemType.QUERY_TIMEOUT;
                case FAILED -> ProblemType.QUERY_FAILED;
            };
            throw new ProblemException(type, e.getMessage()).with("field", "sql");
        }
    }

    private static Object parameter(JsonNode value, int index) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.asLong();
        }
        if (value.isNumber()) {
            return value.asDouble();
        }
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        if (value.isString()) {
            return value.asString();
        }
        throw new ProblemException(ProblemType.INVALID_REQUEST, "params[" + index
                + "] must be a string, a number, a boolean or null").with("field", "params[" + index + "]");
    }

    /** An operator's query. */
    record QueryRequest(
            @Schema(description = "One SELECT or WITH ... SELECT statement; ? for parameters",
                    example = "SELECT entry_key, mod_revision FROM entries WHERE entry_key LIKE ? ORDER BY mod_revision DESC")
            String sql,
            @Schema(description = "Values for the ? parameters, in order: strings, numbers, booleans or null")
            List<JsonNode> params,
            @Schema(description = "At most this many rows (default 1000); 'truncated' says whether more matched")
            Integer maxRows,
            @Schema(description = "Wait until this node's view reflects this revision (read your writes)")
            Long minRevision) {
    }
}
