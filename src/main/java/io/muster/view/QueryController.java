package io.muster.view;

import io.muster.web.MusterHeaders;
import io.muster.core.Role;
import io.muster.security.RequiresRole;
import io.muster.MusterProperties;
import io.muster.web.ProblemException;
import io.muster.web.ProblemText;
import io.muster.web.ProblemType;
import io.muster.web.Problems;
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
    @Operation(summary = "Run a read-only SQL query over the H2 view",
            description = """
                    One SELECT (or WITH ... SELECT) statement with ? parameters, checked against allow-lists \
                    before it runs, then run as a database user that may only read the view's tables, in one \
                    snapshot transaction, with a timeout (muster.view.query-timeout) and a row cap \
                    (maxRows, at most muster.view.max-rows). Allowed: the tables entries, entry_history, leases, \
                    instances, instance_tags, instance_metadata, services, locks, lock_waiters, tokens, audit, \
                    config_release, config_release_document and view_status and their columns (no other schema, INFORMATION_SCHEMA included, however quoted; \
                    no schema-qualified names); the words of a SELECT (joins, GROUP BY, HAVING, ORDER BY, \
                    LIMIT/OFFSET/FETCH, UNION/INTERSECT/EXCEPT, CASE, EXISTS/IN, window clauses, non-recursive WITH); \
                    the functions COUNT, SUM, AVG, MIN, MAX, EVERY, BOOL_AND, BOOL_OR, ANY_VALUE, STDDEV_*, VAR_*, \
                    ROW_NUMBER, RANK, DENSE_RANK, LAG, LEAD, FIRST_VALUE, LAST_VALUE, COALESCE, NULLIF, IFNULL, \
                    GREATEST, LEAST, LOWER, UPPER, LENGTH, CHAR_LENGTH, OCTET_LENGTH, SUBSTRING, LEFT, RIGHT, TRIM, \
                    LOCATE, POSITION, INSTR, CONCAT, CONCAT_WS, ASCII, CHAR, UTF8TOSTRING, ABS, CEIL, FLOOR, ROUND, \
                    TRUNC, MOD, SIGN, SQRT, POWER, EXP, LN, LOG, LOG10, EXTRACT, DATEADD, DATEDIFF, DATE_TRUNC, \
                    TIMESTAMPADD, TIMESTAMPDIFF, YEAR ... SECOND, CURRENT_DATE/TIME/TIMESTAMP; CAST to \
                    character, integer, NUMERIC/DECIMAL, REAL/DOUBLE, boolean, date/time, binary and UUID types \
                    with sizes of at most 1,000. Limits: 4,096 characters; string and binary literals of at most \
                    256 characters, text parameters of at most 1,024; numbers of at most 30 characters, without \
                    exponents; text that reads as a number with an exponent of more than three digits is refused; \
                    8 SELECTs, 4 tables in FROM/JOIN and 4 concatenations per statement; a LIKE pattern is a \
                    literal or a parameter with one run of '%' (or '%text%'); a result holds at most 16 MB of \
                    text. Refused: anything else, notably JAVA_OBJECT/OTHER/DECFLOAT and CONVERT, WITH RECURSIVE, REPEAT, SPACE, LPAD/RPAD, REPLACE, REGEXP_*, HASH, ENCRYPT, \
                    COMPRESS, ARRAY_AGG, LISTAGG, table functions (TABLE, SYSTEM_RANGE, CSVREAD, ...), FOR UPDATE. \
                    A refusal is 400 query-not-allowed naming what was refused; a statement H2 cannot compile \
                    is 400 invalid-query; a timeout is 408 query-timeout; a failure while running (a parameter of \
                    the wrong type, a result over 16 MB, a query that allocated more than \
                    muster.view.query-max-allocation) is 422 query-failed; more than \
                    muster.view.max-concurrent-queries at once is 503 unavailable with Retry-After; while the view's database is being \
                    rebuilt after a failure, 503 unavailable with Retry-After.""")
    @ApiResponse(responseCode = "200", description = "{columns, rows, viewRevision, truncated}")
    @ApiResponse(responseCode = "400", description = """
            query-not-allowed or invalid-query (field sql); invalid-request \
            for maxRows out of range or not a JSON integer (1.5 is refused, never rounded)""")
    @Problems({ProblemType.QUERY_TIMEOUT, ProblemType.QUERY_FAILED, ProblemType.UNAVAILABLE, ProblemType.RATE_LIMITED,
            ProblemType.TOO_MANY_WAITS, ProblemType.REVISION_NOT_REACHED})
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
            return ResponseEntity.ok().header(MusterHeaders.VIEW_REVISION, Long.toString(result.viewRevision())).body(result);
        } catch (QueryException e) {
            ProblemType type = switch (e.kind()) {
                case NOT_ALLOWED -> ProblemType.QUERY_NOT_ALLOWED;
                case INVALID -> ProblemType.INVALID_QUERY;
                case TIMEOUT -> ProblemType.QUERY_TIMEOUT;
                case FAILED, TOO_COSTLY -> ProblemType.QUERY_FAILED;
                case BUSY -> ProblemType.UNAVAILABLE;
            };
            // H2's messages may quote a Java class (a failed deserialization names it); the API's never do.
            // (a 503 gets its Retry-After from the problem handler, as every 429 and 503 does)
            throw new ProblemException(type, ProblemText.plain(e.getMessage())).with("field", "sql");
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
