package io.muster.web;

import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.method.HandlerMethod;

/**
 * Gives every operation of the OpenAPI document its error answers, in one place, each as
 * application/problem+json with the {@code Problem} schema:
 * <ul>
 * <li>what any request may get: 400 (a malformed parameter, header or body), 413 (a body over
 *     {@code muster.limits.max-request-bytes}, {@link RequestSizeFilter}) and, with security on, 401, 403
 *     and the 429 of the token's request rate ({@code security.TokenFilter}, {@code RoleInterceptor});</li>
 * <li>what a linearizable read may get (an endpoint with a {@code consistency} parameter): 503
 *     {@code read-unavailable};</li>
 * <li>what a request with a {@code minRevision} parameter may get while it waits ({@code wait.MinRevisionFilter}):
 *     504 {@code revision-not-reached}, and the caps on waiting requests (429, 503 {@code too-many-waits});</li>
 * <li>the endpoint's own, named by {@link Problems};</li>
 * <li>and every error an {@code @ApiResponse} declares, which keeps its description.</li>
 * </ul>
 * Thread-safe: immutable (springdoc calls it while it builds the document).
 */
class ProblemResponses implements OperationCustomizer {

    static final String PROBLEM_JSON = org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;
    private static final String MIN_REVISION = "minRevision";
    private static final String CONSISTENCY = "consistency";

    private final boolean security;

    ProblemResponses(boolean security) {
        this.security = security;
    }

    @Override
    public Operation customize(Operation operation, HandlerMethod handler) {
        if (!handler.getBeanType().getName().startsWith("io.muster.")) {
            return operation;
        }
        Map<Integer, List<ProblemType>> answers = new LinkedHashMap<>();
        add(answers, ProblemType.INVALID_REQUEST, ProblemType.REQUEST_TOO_LARGE);
        if (security) {
            add(answers, ProblemType.UNAUTHORIZED, ProblemType.FORBIDDEN, ProblemType.RATE_LIMITED);
        }
        if (hasQueryParameter(operation, CONSISTENCY)) {
            add(answers, ProblemType.READ_UNAVAILABLE);
        }
        if (hasQueryParameter(operation, MIN_REVISION)) {
            add(answers, ProblemType.REVISION_NOT_REACHED, ProblemType.RATE_LIMITED, ProblemType.TOO_MANY_WAITS);
        }
        Problems declared = AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(), Problems.class);
        if (declared != null) {
            add(answers, declared.value());
        }
        if (answers.values().stream().anyMatch(types -> types.contains(ProblemType.WRITE_OUTCOME_UNKNOWN)
                || types.contains(ProblemType.READ_UNAVAILABLE))) {
            add(answers, ProblemType.LEADER_UNREACHABLE); // what reaches the leader is refused at once without one
        }
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        answers.forEach((status, types) -> responses.computeIfAbsent(Integer.toString(status),
                code -> new ApiResponse().description(describe(types))));
        responses.forEach((code, response) -> {
            if (isError(code)) {
                response.setContent(problemContent());
            }
        });
        return operation.responses(responses);
    }

    private static void add(Map<Integer, List<ProblemType>> answers, ProblemType... types) {
        for (ProblemType type : types) {
            List<ProblemType> atStatus = answers.computeIfAbsent(type.status().value(), status -> new ArrayList<>());
            if (!atStatus.contains(type)) {
                atStatus.add(type);
            }
        }
    }

    /** {@code key-not-found: Key not found; ...}: the types a client may branch on, with their titles. */
    static String describe(List<ProblemType> types) {
        return types.stream().map(type -> type.type().toString().substring(ProblemType.BASE.length()) + ": "
                + type.title()).collect(Collectors.joining("; "));
    }

    private static boolean hasQueryParameter(Operation operation, String name) {
        if (operation.getParameters() == null) {
            return false;
        }
        for (Parameter parameter : operation.getParameters()) {
            if (name.equals(parameter.getName()) && "query".equals(parameter.getIn())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isError(String code) {
        return !code.isEmpty() && (code.charAt(0) == '4' || code.charAt(0) == '5');
    }

    private static Content problemContent() {
        return new Content().addMediaType(PROBLEM_JSON,
                new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + OpenApiDocument.PROBLEM)));
    }
}
