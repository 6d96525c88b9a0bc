package io.muster.kv;

import io.muster.web.MusterHeaders;
import io.muster.core.Role;
import io.muster.security.RequiresRole;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.muster.core.DeleteResult;
import io.muster.core.GetResult;
import io.muster.core.OpResult;
import io.muster.core.PutResult;
import io.muster.core.TxnResult;
import io.muster.replication.Gateway;
import io.muster.web.ProblemType;
import io.muster.web.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /v1/txn}: multi-key transactions. */
@RestController
@Tag(name = "kv")
class TxnController {

    private final Gateway gateway;
    private final TxnCommands commands;

    TxnController(Gateway gateway, TxnCommands commands) {
        this.gateway = gateway;
        this.commands = commands;
    }

    @RequiresRole(value = Role.WRITER, keyScoped = true)
    @PostMapping(value = "/v1/txn", consumes = "application/json")
    @Operation(summary = "Run a transaction",
            description = """
                    Evaluates every compare; runs the then branch when all hold, the else branch otherwise. \
                    Gets in a branch see the writes before them in that branch. A key may be written once per branch.""",
            responses = {
                    @ApiResponse(responseCode = "200", description = "The branch ran; succeeded says which"),
                    @ApiResponse(responseCode = "400", description = """
                            Malformed, invalid key, more operations than \
                            allowed, compare/then/else sent as null (leave them out instead), or a value of the \
                            wrong JSON type; field names it""")})
    @Problems({ProblemType.LEASE_NOT_FOUND, ProblemType.VALUE_TOO_LARGE, ProblemType.IDEMPOTENCY_KEY_REUSED,
            ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<TxnResponse> txn(@RequestBody TxnRequest request) {
        TxnResult result = gateway.write(commands.toCommand(request));
        List<OpResultView> results = result.results().stream().map(OpResultView::of).toList();
        return ResponseEntity.ok()
                .header(MusterHeaders.REVISION, Long.toString(result.revision()))
                .body(new TxnResponse(result.revision(), result.succeeded(), result.succeeded() ? "then" : "else",
                        results));
    }

    /** Which branch ran and what each of its operations produced. */
    record TxnResponse(long revision, boolean succeeded, @Schema(allowableValues = {"then", "else"}) String branch,
            List<OpResultView> results) {
    }

    /** One operation's result; the fields present depend on {@code op}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record OpResultView(@Schema(allowableValues = {"put", "delete", "get"}) String op, String key,
            Long createRevision, Long modRevision, Long version, Boolean created, Boolean deleted, Boolean found,
            @Schema(description = "For a get that found the key") EntryView entry) {

        static OpResultView of(OpResult result) {
            if (result instanceof PutResult put) {
                return new OpResultView("put", put.key(), put.createRevision(), put.modRevision(), put.version(),
                        put.created(), null, null, null);
            }
            if (result instanceof DeleteResult delete) {
                return new OpResultView("delete", delete.key(), null, null, null, null, delete.deleted(), null, null);
            }
            GetResult get = (GetResult) result;
            return new OpResultView("get", get.key(), null, null, null, null, null, get.entry() != null,
                    get.entry() == null ? null : EntryView.of(get.entry()));
        }
    }
}
