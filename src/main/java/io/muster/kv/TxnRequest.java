package io.muster.kv;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.muster.web.NoExplicitNull;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * A transaction as JSON: compares, then operations run when every compare holds, else operations run
 * otherwise. Each list may be left out (no compares, nothing to run) but not sent as {@code null}:
 * {@code "compare": null} is more likely a client's bug than a wish for an unconditional write.
 */
@Schema(description = "If every compare holds, the 'then' operations run, otherwise the 'else' operations; "
        + "all of one branch at one revision, or nothing. Each list may be left out, but not null.")
record TxnRequest(
        @JsonDeserialize(using = NoExplicitNull.class) List<CompareRequest> compare,
        @JsonDeserialize(using = NoExplicitNull.class) List<OpRequest> then,
        @JsonProperty("else") @JsonDeserialize(using = NoExplicitNull.class) List<OpRequest> otherwise) {

    enum Target {
        @JsonProperty("modRevision") MOD_REVISION,
        @JsonProperty("createRevision") CREATE_REVISION,
        @JsonProperty("version") VERSION,
        @JsonProperty("exists") EXISTS,
        @JsonProperty("value") VALUE
    }

    enum Operator {
        @JsonProperty("equal") EQUAL,
        @JsonProperty("notEqual") NOT_EQUAL,
        @JsonProperty("greater") GREATER,
        @JsonProperty("less") LESS
    }

    enum OpKind {
        @JsonProperty("put") PUT,
        @JsonProperty("delete") DELETE,
        @JsonProperty("get") GET
    }

    @Schema(description = "target(key) operator operand. An absent key has modRevision, createRevision and version 0.")
    record CompareRequest(
            String key,
            Target target,
            @Schema(description = "Default equal; exists takes equal or notEqual") Operator operator,
            @Schema(description = "Operand for modRevision, createRevision and version") Long number,
            @Schema(description = "Operand for exists") Boolean exists,
            @Schema(description = "Operand for value, as text") String value,
            @Schema(description = "Operand for value, in base64") String valueBase64) {
    }

    @Schema(description = "put needs value or valueBase64; delete and get need only key")
    record OpRequest(
            OpKind op,
            String key,
            String value,
            String valueBase64,
            @Schema(description = "Default text/plain;charset=UTF-8 for value, application/octet-stream for valueBase64")
            String contentType,
            @Schema(description = "put only: bind the key to this lease") Long lease) {
    }
}
