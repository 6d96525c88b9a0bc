package io.muster.release;

import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An application's release policy, kept as JSON at {@code config/{app}/~policy} so that it is
 * replicated, audited and versioned like any key, and a publish can guard on its mod revision.
 *
 * @param validation  whether releases are checked against the application's schema, and whether a
 *                    failure refuses them
 * @param unknownKeys how a key the schema does not know is graded
 * @param fourEyes    whether a release must be published by someone other than its author
 */
public record ReleasePolicy(Validation validation, UnknownKeys unknownKeys, boolean fourEyes) {

    /** An application without a policy: validated as a warning when it has a schema, no four-eyes. */
    public static final ReleasePolicy DEFAULT = new ReleasePolicy(Validation.WARN, UnknownKeys.WARN, false);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public enum Validation {
        OFF, WARN, ENFORCE;

        /** Written as it is read: lower case. */
        @com.fasterxml.jackson.annotation.JsonValue
        String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The policy in {@code json}; a 400 naming the field for anything else. */
    public static ReleasePolicy parse(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw invalid("body", "a policy is a JSON object: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid("body", "a policy is a JSON object such as {\"validation\":\"enforce\",\"unknownKeys\":\"error\","
                    + "\"fourEyes\":true}");
        }
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (!field.getKey().equals("validation") && !field.getKey().equals("unknownKeys")
                    && !field.getKey().equals("fourEyes")) {
                throw invalid(field.getKey(), "unknown field '" + field.getKey() + "'; a policy has validation, "
                        + "unknownKeys and fourEyes");
            }
        }
        Validation validation = choice(root, "validation", Validation.class, DEFAULT.validation);
        UnknownKeys unknownKeys = choice(root, "unknownKeys", UnknownKeys.class, DEFAULT.unknownKeys);
        JsonNode fourEyes = root.get("fourEyes");
        if (fourEyes != null && !fourEyes.isBoolean()) {
            throw invalid("fourEyes", "fourEyes must be true or false");
        }
        return new ReleasePolicy(validation, unknownKeys, fourEyes != null && fourEyes.booleanValue());
    }

    /** The stored form: every field, lower-case names. */
    public byte[] json() {
        return ("{\"validation\":\"" + validation.name().toLowerCase(Locale.ROOT) + "\",\"unknownKeys\":\""
                + unknownKeys.name().toLowerCase(Locale.ROOT) + "\",\"fourEyes\":" + fourEyes + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static <E extends Enum<E>> E choice(JsonNode root, String field, Class<E> type, E fallback) {
        JsonNode node = root.get(field);
        if (node == null) {
            return fallback;
        }
        if (node.isString()) {
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equalsIgnoreCase(node.stringValue())) {
                    return constant;
                }
            }
        }
        StringBuilder names = new StringBuilder();
        for (E constant : type.getEnumConstants()) {
            names.append(names.isEmpty() ? "" : ", ").append(constant.name().toLowerCase(Locale.ROOT));
        }
        throw invalid(field, field + " must be one of " + names);
    }

    private static ProblemException invalid(String field, String detail) {
        return new ProblemException(ProblemType.INVALID_REQUEST, detail).with("field", field);
    }
}
