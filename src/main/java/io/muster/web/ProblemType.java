package io.muster.web;

import java.net.URI;
import org.springframework.http.HttpStatus;

/**
 * The catalogue of problem types the API answers with. The {@code type} URIs are a contract: clients
 * branch on them, so a type is never renamed or reused.
 */
public enum ProblemType {
    INVALID_REQUEST("invalid-request", HttpStatus.BAD_REQUEST, "Invalid request"),
    UNAUTHORIZED("unauthorized", HttpStatus.UNAUTHORIZED, "Authentication required"),
    FORBIDDEN("forbidden", HttpStatus.FORBIDDEN, "Not permitted"),
    TOKEN_EXISTS("token-exists", HttpStatus.CONFLICT, "Token already exists"),
    TOKEN_NOT_FOUND("token-not-found", HttpStatus.NOT_FOUND, "Token not found"),
    RATE_LIMITED("rate-limited", HttpStatus.TOO_MANY_REQUESTS, "Too many requests"),
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency-Key reused"),
    REQUEST_TOO_LARGE("request-too-large", HttpStatus.CONTENT_TOO_LARGE, "Request too large"),
    INVALID_KEY("invalid-key", HttpStatus.BAD_REQUEST, "Invalid key"),
    TXN_TOO_LARGE("txn-too-large", HttpStatus.BAD_REQUEST, "Transaction too large"),
    COMMAND_REFUSED("command-refused", HttpStatus.BAD_REQUEST, "Command refused by the leader"),
    KEY_NOT_FOUND("key-not-found", HttpStatus.NOT_FOUND, "Key not found"),
    NOT_FOUND("not-found", HttpStatus.NOT_FOUND, "No such resource"),
    METHOD_NOT_ALLOWED("method-not-allowed", HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),
    NOT_ACCEPTABLE("not-acceptable", HttpStatus.NOT_ACCEPTABLE, "Not acceptable"),
    PRECONDITION_FAILED("precondition-failed", HttpStatus.PRECONDITION_FAILED, "Precondition failed"),
    VALUE_TOO_LARGE("value-too-large", HttpStatus.CONTENT_TOO_LARGE, "Value too large"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),
    INTERNAL_ERROR("internal-error", HttpStatus.INTERNAL_SERVER_ERROR, "Internal error"),
    UNAVAILABLE("unavailable", HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable"),
    WRITE_OUTCOME_UNKNOWN("write-outcome-unknown", HttpStatus.SERVICE_UNAVAILABLE, "Write outcome unknown"),
    READ_UNAVAILABLE("read-unavailable", HttpStatus.SERVICE_UNAVAILABLE, "Linearizable read unavailable"),
    FEATURE_NOT_ENABLED("feature-not-enabled", HttpStatus.CONFLICT, "Feature not enabled in this cluster yet"),
    LEADER_UNREACHABLE("leader-unreachable", HttpStatus.SERVICE_UNAVAILABLE, "This node hears from no leader"),
    REVISION_NOT_REACHED("revision-not-reached", HttpStatus.GATEWAY_TIMEOUT, "Revision not reached"),
    MEMBER_NOT_FOUND("member-not-found", HttpStatus.NOT_FOUND, "Member not found"),
    WATCH_COMPACTED("watch-compacted", HttpStatus.GONE, "Watch history compacted"),
    TOO_MANY_WATCHES("too-many-watches", HttpStatus.SERVICE_UNAVAILABLE, "Too many watches"),
    LOCK_HELD("lock-held", HttpStatus.CONFLICT, "Lock held by another"),
    NOT_LOCK_HOLDER("not-lock-holder", HttpStatus.CONFLICT, "Not the lock holder"),
    LOCK_NOT_HELD("lock-not-held", HttpStatus.NOT_FOUND, "Nobody holds the lock"),
    NOT_ELECTED("not-elected", HttpStatus.CONFLICT, "Not elected"),
    NO_LEADER("no-leader", HttpStatus.NOT_FOUND, "No leader elected"),
    INSTANCE_NOT_FOUND("instance-not-found", HttpStatus.NOT_FOUND, "Instance not found"),
    LEASE_NOT_FOUND("lease-not-found", HttpStatus.NOT_FOUND, "Lease not found"),
    VERSION_NOT_RETAINED("version-not-retained", HttpStatus.NOT_FOUND, "Version not retained"),
    QUERY_NOT_ALLOWED("query-not-allowed", HttpStatus.BAD_REQUEST, "Query not allowed"),
    INVALID_QUERY("invalid-query", HttpStatus.BAD_REQUEST, "Invalid query"),
    QUERY_TIMEOUT("query-timeout", HttpStatus.REQUEST_TIMEOUT, "Query timed out"),
    QUERY_FAILED("query-failed", HttpStatus.UNPROCESSABLE_CONTENT, "Query failed"),
    MEMBER_TOO_OLD("member-too-old", HttpStatus.CONFLICT, "The node's build is older than the cluster's version"),
    MEMBER_EXISTS("member-exists", HttpStatus.CONFLICT, "Member already exists"),
    CHANGE_IN_PROGRESS("change-in-progress", HttpStatus.CONFLICT, "Membership change in progress"),
    QUORUM_AT_RISK("quorum-at-risk", HttpStatus.CONFLICT, "Change would risk the quorum"),
    NOT_A_VOTER("not-a-voter", HttpStatus.CONFLICT, "Member does not vote"),
    CHANGE_OUTCOME_UNKNOWN("change-outcome-unknown", HttpStatus.SERVICE_UNAVAILABLE, "Membership change outcome unknown"),
    NOT_IMPLEMENTED("not-implemented", HttpStatus.NOT_IMPLEMENTED, "Method not implemented"),
    HTTP_VERSION_NOT_SUPPORTED("http-version-not-supported", HttpStatus.HTTP_VERSION_NOT_SUPPORTED,
            "HTTP version not supported"),
    TOKEN_ALREADY_CREATED("token-already-created", HttpStatus.CONFLICT, "Token already created by this request"),
    UNSUPPORTED_CONFIG_FORMAT("unsupported-config-format", HttpStatus.UNSUPPORTED_MEDIA_TYPE,
            "Unsupported configuration document format"),
    INVALID_CONFIG_DOCUMENT("invalid-config-document", HttpStatus.BAD_REQUEST, "Invalid configuration document"),
    CONFIG_DOCUMENT_UNREADABLE("config-document-unreadable", HttpStatus.INTERNAL_SERVER_ERROR,
            "A stored configuration document cannot be served"),
    LABEL_NOT_FOUND("label-not-found", HttpStatus.NOT_FOUND, "No configuration under this label"),
    TOO_MANY_WAITS("too-many-waits", HttpStatus.SERVICE_UNAVAILABLE, "Too many waiting requests"),
    RELEASE_NOT_FOUND("release-not-found", HttpStatus.NOT_FOUND, "Release not found"),
    RELEASE_NOT_OPEN("release-not-open", HttpStatus.CONFLICT, "The release is not in a state that allows this"),
    DOCUMENT_IN_GRAY("document-in-gray", HttpStatus.CONFLICT, "A document is already in gray in another release"),
    RELEASE_CONFLICT("release-conflict", HttpStatus.PRECONDITION_FAILED,
            "Documents changed since the release was based on them"),
    SAME_AUTHOR("same-author", HttpStatus.FORBIDDEN, "Four-eyes: the author may not publish"),
    CONFIG_INVALID("config-invalid", HttpStatus.UNPROCESSABLE_CONTENT,
            "The configuration fails the application's schema"),
    TOO_MANY_OPEN_RELEASES("too-many-open-releases", HttpStatus.CONFLICT,
            "Too many draft or gray releases for these documents"),
    INVALID_SCHEMA("invalid-schema", HttpStatus.BAD_REQUEST, "Not Spring Boot configuration metadata"),
    SCHEMA_NOT_FOUND("schema-not-found", HttpStatus.NOT_FOUND, "No schema uploaded for this application");

    /** The prefix of every problem type URI. */
    public static final String BASE = "urn:muster:problem:";

    private final URI type;
    private final HttpStatus status;
    private final String title;

    ProblemType(String slug, HttpStatus status, String title) {
        this.type = URI.create(BASE + slug);
        this.status = status;
        this.title = title;
    }

    public URI type() {
        return type;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The generic type for a framework-raised status, so that no problem goes out untyped. */
    static ProblemType forStatus(int status) {
        return switch (status) {
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 413 -> VALUE_TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 429 -> RATE_LIMITED;
            case 501 -> NOT_IMPLEMENTED;
            case 503 -> UNAVAILABLE;
            case 505 -> HTTP_VERSION_NOT_SUPPORTED;
            default -> status >= 500 ? INTERNAL_ERROR : INVALID_REQUEST;
        };
    }
}
