package io.muster.web;

import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.parameters.Parameter;
import java.util.Map;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.web.method.HandlerMethod;

/**
 * Describes, in one place, the parameters that mean the same on every endpoint that takes them (a name
 * has one meaning across the API), unless the endpoint describes its own. Thread-safe: immutable.
 */
class CommonParameters implements OperationCustomizer {

    /** By where the parameter goes and its name. */
    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "path key", "1-512 bytes; segments of [A-Za-z0-9._~:@=+-] separated by single '/'",
            "query consistency", "linearizable (default) or stale",
            "query minRevision", "Wait until this node has applied this revision",
            "query wait", "How long to wait: 30s (default), 500ms, 2m",
            "query fromRevision", "Deliver changes from this revision on (default: the next one)",
            "header Last-Event-ID", "Resume after this revision (what an EventSource sends when it reconnects)");

    @Override
    public Operation customize(Operation operation, HandlerMethod handler) {
        if (operation.getParameters() != null) {
            for (Parameter parameter : operation.getParameters()) {
                if (parameter.getDescription() == null) {
                    parameter.setDescription(DESCRIPTIONS.get(parameter.getIn() + " " + parameter.getName()));
                }
            }
        }
        return operation;
    }
}
