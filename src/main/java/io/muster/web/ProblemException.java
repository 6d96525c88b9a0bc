package io.muster.web;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the API answers with a problem: thrown by controllers before anything is proposed (or
 * after a command was rejected), rendered by {@link ProblemHandler}.
 */
public class ProblemException extends RuntimeException {

    private final ProblemType type;
    private final Map<String, Object> properties = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ProblemException(ProblemType type, String detail) {
        super(detail);
        this.type = type;
    }

    /** Adds an extension member to the problem (RFC 9457 §3.2), e.g. the field that was wrong. */
    public ProblemException with(String name, Object value) {
        properties.put(name, value);
        return this;
    }

    /** Adds a response header to the problem's answer, e.g. {@code Retry-After} on a 429. */
    public ProblemException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public ProblemType type() {
        return type;
    }

    public Map<String, Object> properties() {
        return properties;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
