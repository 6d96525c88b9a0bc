package io.muster.web;

import io.muster.replication.GatewayException;
import io.muster.core.RejectedException;
import io.muster.replication.MemberVersions;
import io.muster.replication.MembershipException;
import io.muster.view.ViewUnavailableException;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.catalina.connector.ClientAbortException;
import org.apache.coyote.BadRequestException;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Renders every error as RFC 9457 {@code application/problem+json} with a stable {@code type} from
 * {@link ProblemType}: the API's own problems, the gateway's outcomes, and Spring MVC's own errors
 * (which Spring would otherwise leave as {@code about:blank}).
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);
    private static final String RETRY_AFTER_SECONDS = "1";
    private static final String REQUEST_ID = "X-Request-Id";

    private final MemberVersions memberVersions;

    ProblemHandler(MemberVersions memberVersions) {
        this.memberVersions = memberVersions;
    }

    /** A 429 or 503 says when to come back (RFC 9110 §10.2.3): the caps on waits and watches, an unavailable node. */
    @ExceptionHandler(ProblemException.class)
    ResponseEntity<ProblemDetail> problem(ProblemException e) {
        int status = e.type().status().value();
        HttpHeaders headers = status == 429 || status == 503 ? retryAfter() : new HttpHeaders();
        e.headers().forEach(headers::set);
        return respond(e.type(), e.getMessage(), e.properties(), headers);
    }

    @ExceptionHandler(RejectedException.class)
    ResponseEntity<ProblemDetail> rejected(RejectedException e) {
        return problem(Rejections.problem(e.rejected()));
    }

    @ExceptionHandler(GatewayException.WriteOutcomeUnknown.class)
    ResponseEntity<ProblemDetail> writeOutcomeUnknown(GatewayException.WriteOutcomeUnknown e) {
        return respond(ProblemType.WRITE_OUTCOME_UNKNOWN,
                "The write was proposed but no commit was confirmed in time; it may still be applied. "
                        + "Read the key (or retry with a precondition) to learn the outcome. " + e.getMessage(),
                Map.of("outcome", "unknown"), retryAfter());
    }

    @ExceptionHandler(GatewayException.ReadUnavailable.class)
    ResponseEntity<ProblemDetail> readUnavailable(GatewayException.ReadUnavailable e) {
        return respond(ProblemType.READ_UNAVAILABLE,
                "No leader confirmed a linearizable read in time; retry, or read with consistency=stale. "
                        + e.getMessage(), Map.of(), retryAfter());
    }

    @ExceptionHandler(GatewayException.FeatureNotEnabled.class)
    ResponseEntity<ProblemDetail> featureNotEnabled(GatewayException.FeatureNotEnabled e) {
        List<String> holdingBack = memberVersions.holdingBack(e.required());
        return respond(ProblemType.FEATURE_NOT_ENABLED, "Refused, nothing proposed: " + e.getMessage()
                        + (holdingBack.isEmpty() ? " (it rises once every member supports it)"
                                : "; held back by " + String.join(", ", holdingBack)
                                        + ". Upgrade those members; the cluster version then rises by itself."),
                Map.of("requiredVersion", e.required(), "clusterVersion", e.clusterVersion(), "heldBackBy", holdingBack),
                new HttpHeaders());
    }

    @ExceptionHandler(GatewayException.LeaderUnreachable.class)
    ResponseEntity<ProblemDetail> leaderUnreachable(GatewayException.LeaderUnreachable e) {
        ProblemException problem = ProblemException.leaderUnreachable(e.leaderless());
        return respond(problem.type(), problem.getMessage(), problem.properties(), retryAfter());
    }

    @ExceptionHandler(GatewayException.RevisionNotReached.class)
    ResponseEntity<ProblemDetail> revisionNotReached(GatewayException.RevisionNotReached e) {
        return respond(ProblemType.REVISION_NOT_REACHED, e.getMessage(),
                Map.of("minRevision", e.requested(), "appliedRevision", e.applied()), retryAfter());
    }

    @ExceptionHandler(ViewUnavailableException.class)
    ResponseEntity<ProblemDetail> viewUnavailable(ViewUnavailableException e) {
        return respond(ProblemType.UNAVAILABLE, e.getMessage(), Map.of(), retryAfter());
    }

    @ExceptionHandler(GatewayException.ProposalRefused.class)
    ResponseEntity<ProblemDetail> proposalRefused(GatewayException.ProposalRefused e) {
        return respond(ProblemType.COMMAND_REFUSED, e.getMessage(), Map.of(), new HttpHeaders());
    }

    @ExceptionHandler(MembershipException.class)
    ResponseEntity<ProblemDetail> membership(MembershipException e) {
        ProblemType type = switch (e.reason()) {
            case INVALID -> ProblemType.INVALID_REQUEST;
            case UNKNOWN_MEMBER -> ProblemType.MEMBER_NOT_FOUND;
            case ALREADY_MEMBER -> ProblemType.MEMBER_EXISTS;
            case CHANGE_IN_PROGRESS -> ProblemType.CHANGE_IN_PROGRESS;
            case QUORUM_AT_RISK -> ProblemType.QUORUM_AT_RISK;
            case NOT_A_VOTER -> ProblemType.NOT_A_VOTER;
            case UNAVAILABLE -> ProblemType.UNAVAILABLE;
            case OUTCOME_UNKNOWN -> ProblemType.CHANGE_OUTCOME_UNKNOWN;
            case TOO_OLD -> ProblemType.MEMBER_TOO_OLD;
        };
        Map<String, ?> properties = e.reason() == MembershipException.Reason.INVALID ? Map.of("field", "address") : Map.of();
        HttpHeaders headers = type.status().is5xxServerError() ? retryAfter() : new HttpHeaders();
        return respond(type, e.getMessage(), properties, headers);
    }

    /** A query string Tomcat cannot decode (e.g. {@code %ZZ}); its message names the parameter. */
    @ExceptionHandler(InvalidParameterException.class)
    ResponseEntity<ProblemDetail> undecodableParameter(InvalidParameterException e) {
        return respond(ProblemType.INVALID_REQUEST, ProblemText.plain(e.getMessage()), Map.of(), new HttpHeaders());
    }

    /**
     * A body Tomcat could not read: malformed chunking is the client's fault, and a connection that broke
     * or stalled mid-body is no fault of the node; neither is worth an error in the log.
     */
    @ExceptionHandler({BadRequestException.class, ClientAbortException.class})
    ResponseEntity<ProblemDetail> unreadableBody(IOException e) {
        log.debug("could not read a request body: {}", e.toString());
        String detail = e instanceof BadRequestException
                ? "The request body is malformed: " + ProblemText.plain(e.getMessage())
                : "The request body did not arrive: the connection broke or stalled";
        return respond(ProblemType.INVALID_REQUEST, detail, Map.of(), new HttpHeaders());
    }

    /** A fault of the node's: the log has the details under the request id; the client learns nothing of the code. */
    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletResponse response) {
        String requestId = response.getHeader(REQUEST_ID);
        log.error("unexpected error answering request {}", requestId, e);
        return respond(ProblemType.INTERNAL_ERROR, "An unexpected error occurred; the node's log has the details"
                + (requestId == null ? "" : " under request id " + requestId), Map.of(), new HttpHeaders());
    }

    /** A body that failed bean validation: the first field that is wrong, by name, with what it must be. */
    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        FieldError error = e.getBindingResult().getFieldError();
        if (error == null) {
            return widen(problem(new ProblemException(ProblemType.INVALID_REQUEST, "The request body is not valid")));
        }
        return widen(problem(new ProblemException(ProblemType.INVALID_REQUEST,
                "'" + error.getField() + "' " + error.getDefaultMessage()).with("field", error.getField())));
    }

    /** A parameter or path segment of the wrong type: Spring's detail, and the parameter's name as {@code field}. */
    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> response = super.handleTypeMismatch(e, headers, status, request);
        if (response != null && response.getBody() instanceof ProblemDetail detail && e.getPropertyName() != null) {
            detail.setProperty("field", e.getPropertyName());
        }
        return response;
    }

    /** Malformed JSON and values Jackson cannot bind: name the field that was wrong. */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        Throwable cause = e.getMostSpecificCause();
        if (cause instanceof ProblemException problem) {
            return widen(problem(problem));
        }
        if (cause instanceof BadRequestException || cause instanceof ClientAbortException) {
            return widen(unreadableBody((IOException) cause));
        }
        if (cause instanceof JacksonException jackson) {
            String field = fieldPath(jackson);
            String what = field.isEmpty() ? "Malformed JSON: "
                    : jackson instanceof UnrecognizedPropertyException ? "Unknown field '" + field + "': "
                    : "Invalid value for '" + field + "': ";
            ProblemException problem = new ProblemException(ProblemType.INVALID_REQUEST, what + reason(jackson));
            if (!field.isEmpty()) {
                problem.with("field", field);
            }
            return widen(problem(problem));
        }
        return widen(problem(new ProblemException(ProblemType.INVALID_REQUEST,
                "The request body is missing or unreadable")));
    }

    /** Every other Spring MVC error keeps its status and detail and gets a type from the catalogue. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        if (body == null && e instanceof ErrorResponse errorResponse) {
            body = errorResponse.updateAndGetBody(getMessageSource(), LocaleContextHolder.getLocale());
        }
        if (body instanceof ProblemDetail detail && (detail.getType() == null
                || "about:blank".equals(detail.getType().toString()))) {
            ProblemType type = ProblemType.forStatus(status.value());
            detail.setType(type.type());
            detail.setTitle(type.title());
        }
        HttpHeaders problemHeaders = new HttpHeaders();
        problemHeaders.putAll(headers);
        problemHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return super.handleExceptionInternal(e, body, problemHeaders, status, request);
    }

    private static ResponseEntity<Object> widen(ResponseEntity<ProblemDetail> response) {
        return ResponseEntity.status(response.getStatusCode()).headers(response.getHeaders()).body(response.getBody());
    }

    /** Jackson's reason in the API's terms: accepted names for an enum, JSON shapes for a type, no Java class names. */
    private static String reason(JacksonException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            List<String> known = new ArrayList<>();
            if (unknown.getKnownPropertyIds() != null) {
                unknown.getKnownPropertyIds().forEach(id -> known.add(String.valueOf(id)));
            }
            known.sort(null);
            return known.isEmpty() ? "this request takes no such field" : "this request takes " + known;
        }
        if (e instanceof InvalidNullException) {
            return "must not be null (leave the field out instead)";
        }
        if (e instanceof InvalidFormatException invalid && invalid.getTargetType() != null
                && invalid.getTargetType().isEnum()) {
            List<String> accepted = new ArrayList<>();
            for (Field constant : invalid.getTargetType().getFields()) {
                if (constant.isEnumConstant()) {
                    JsonProperty name = constant.getAnnotation(JsonProperty.class);
                    accepted.add(name != null ? name.value() : constant.getName());
                }
            }
            return "'" + invalid.getValue() + "' is not one of " + accepted;
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return "expected " + shape(mismatch.getTargetType());
        }
        return ProblemText.plain(e.getOriginalMessage());
    }

    /** What a client should have sent for a value bound to {@code type}, in JSON terms. */
    private static String shape(Class<?> type) {
        if (type == String.class || type.isEnum()) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Long.class || type == long.class || type == Integer.class || type == int.class
                || type == Short.class || type == short.class) {
            return "a whole number (a JSON integer: not a string, not a fraction)";
        }
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) {
            return "a number";
        }
        if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
            return "a JSON array";
        }
        return "a JSON object";
    }

    private static String fieldPath(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static ResponseEntity<ProblemDetail> respond(ProblemType type, String detail, Map<String, ?> properties,
            HttpHeaders headers) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(type.status(), detail);
        problem.setType(type.type());
        problem.setTitle(type.title());
        properties.forEach(problem::setProperty);
        return ResponseEntity.status(type.status()).headers(headers).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    private static HttpHeaders retryAfter() {
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        return headers;
    }
}
