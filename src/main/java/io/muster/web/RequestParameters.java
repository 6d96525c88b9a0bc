package io.muster.web;

import io.muster.MusterProperties;
import io.muster.core.Command;
import io.muster.core.CommandRules;
import io.muster.core.Keys;
import io.muster.replication.Consistency;
import io.muster.security.Caller;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

/**
 * Turns the raw parts of a request (path variables, query parameters, headers, a raw value body) into
 * checked values, answering a problem that names the part that was wrong. The one home of this parsing
 * for every controller. Thread-safe: immutable.
 */
@Component
public class RequestParameters {

    public static final String DEFAULT_CONTENT_TYPE = MediaType.APPLICATION_OCTET_STREAM_VALUE;

    private final MusterProperties.Limits limits;
    private final int maxPageSize;

    RequestParameters(MusterProperties properties) {
        this.limits = properties.limits();
        this.maxPageSize = properties.read().maxPageSize();
    }

    /** The key from a {@code {*key}} path variable, which Spring hands over with its leading slash. */
    public static String key(String pathKey) {
        String key = pathKey.startsWith("/") ? pathKey.substring(1) : pathKey;
        String problem = Keys.problem(key);
        if (problem != null) {
            throw new ProblemException(ProblemType.INVALID_KEY, problem).with("key", key);
        }
        Caller.requireKey(key);
        return key;
    }

    public static String prefix(String prefix) {
        String problem = Keys.prefixProblem(prefix);
        if (problem != null) {
            throw new ProblemException(ProblemType.INVALID_KEY, problem).with("field", "prefix");
        }
        Caller.requireKey(prefix == null ? "" : prefix);
        return prefix == null ? "" : prefix;
    }

    public static Consistency consistency(String value) {
        if (value == null || value.equalsIgnoreCase("linearizable")) {
            return Consistency.LINEARIZABLE;
        }
        if (value.equalsIgnoreCase("stale")) {
            return Consistency.STALE;
        }
        throw new ProblemException(ProblemType.INVALID_REQUEST,
                "consistency must be 'linearizable' or 'stale', not '" + value + "'").with("field", "consistency");
    }

    /** The lease a put binds its key to: 0 when none is named. */
    public static long lease(Long value) {
        if (value != null && value <= 0) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "lease must be a lease id (positive), not " + value)
                    .with("field", "lease");
        }
        return value == null ? 0 : value;
    }

    public static long minRevision(Long value) {
        if (value != null && value < 0) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "minRevision must not be negative")
                    .with("field", "minRevision");
        }
        return value == null ? 0 : value;
    }

    public int limit(Integer value) {
        if (value == null) {
            return Math.min(100, maxPageSize);
        }
        if (value < 1 || value > maxPageSize) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "limit must be between 1 and " + maxPageSize)
                    .with("field", "limit");
        }
        return value;
    }

    /** The stored content type: the request's, normalised, or {@value #DEFAULT_CONTENT_TYPE} when absent. */
    public static String contentType(String header) {
        if (header == null || header.isBlank()) {
            return DEFAULT_CONTENT_TYPE;
        }
        try {
            String normalised = MediaType.parseMediaType(header).toString();
            String problem = CommandRules.contentTypeProblem(normalised);
            if (problem != null) {
                throw new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE, problem).with("field", "Content-Type");
            }
            return normalised;
        } catch (InvalidMediaTypeException e) {
            throw new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type '" + header + "' is not a media type: " + e.getMessage()).with("field", "Content-Type");
        }
    }

    /**
     * Parses {@code If-Match: "<modRevision>"} into an expected modRevision ({@link Command#ANY} when
     * absent). {@code If-None-Match: *} asks for the key to be absent.
     */
    public static long expectedModRevision(String ifMatch, String ifNoneMatch) {
        if (ifMatch != null && ifNoneMatch != null) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "send If-Match or If-None-Match, not both");
        }
        if (ifNoneMatch != null) {
            if (!ifNoneMatch.trim().equals("*")) {
                throw new ProblemException(ProblemType.INVALID_REQUEST,
                        "If-None-Match supports only '*' (create only)").with("field", "If-None-Match");
            }
            return Command.ABSENT;
        }
        if (ifMatch == null) {
            return Command.ANY;
        }
        String tag = ifMatch.trim();
        if (tag.startsWith("W/")) {
            tag = tag.substring(2);
        }
        if (tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
            tag = tag.substring(1, tag.length() - 1);
        }
        try {
            long revision = Long.parseLong(tag);
            if (revision >= 1) {
                return revision;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ProblemException(ProblemType.INVALID_REQUEST,
                "If-Match must be an entity tag holding a modRevision, like \"42\"; got '" + ifMatch + "'")
                .with("field", "If-Match");
    }

    /** Reads the body, refusing (413) more than the value limit without reading it all. */
    public byte[] value(InputStream body, long declaredLength) throws IOException {
        long max = limits.maxValueBytes().toBytes();
        if (declaredLength > max) {
            throw tooLarge(declaredLength, max);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(declaredLength > 0 ? (int) declaredLength : 256);
        byte[] buffer = new byte[8192];
        int read;
        while ((read = body.read(buffer)) != -1) {
            out.write(buffer, 0, read);
            if (out.size() > max) {
                throw tooLarge(out.size(), max);
            }
        }
        return out.toByteArray();
    }

    public ProblemException tooLarge(long size, long max) {
        return new ProblemException(ProblemType.VALUE_TOO_LARGE,
                "value is " + (size > max ? "more than " + max : String.valueOf(size)) + " bytes; muster.limits.max-value-bytes is " + max)
                .with("maxValueBytes", max);
    }

    public MusterProperties.Limits limits() {
        return limits;
    }

}
