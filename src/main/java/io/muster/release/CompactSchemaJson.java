package io.muster.release;

import io.muster.release.ConfigSchema.Deprecation;
import io.muster.release.ConfigSchema.Property;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The stored form of a {@link ConfigSchema}. Names are grouped under their type, so each type is
 * written once, and only the few hinted or deprecated properties say more:
 *
 * <pre>{"format":1, "ignoredPrefixes":["acme"], "types":{"java.lang.Integer":["server.port", ...], ...},
 *  "untyped":[...], "hints":{"spring.main.banner-mode":["console","log","off"]},
 *  "deprecations":{"logging.file":{"level":"error","replacement":"logging.file.name"}}}</pre>
 *
 * Written deterministically (fields in that order, types, names and keys sorted) so that equal schemas
 * are equal bytes; read strictly (no unknown field, only canonical names, each declared once), so that
 * what was stored reads back to the same bytes.
 *
 * <p>Thread-safe: stateless.
 */
final class CompactSchemaJson {

    private static final int FORMAT = 1;
    private static final List<String> FIELDS = List.of("format", "ignoredPrefixes", "types", "untyped", "hints", "deprecations");
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private CompactSchemaJson() {
    }

    /** {@code properties} sorted by name, {@code ignoredPrefixes} sorted. */
    static byte[] write(Collection<Property> properties, List<String> ignoredPrefixes) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        ignoredPrefixes.forEach(root.putArray("ignoredPrefixes")::add);
        ObjectNode types = root.putObject("types");
        ArrayNode untyped = root.putArray("untyped");
        ObjectNode hints = root.putObject("hints");
        ObjectNode deprecations = root.putObject("deprecations");
        SortedMap<String, List<String>> namesByType = new TreeMap<>();
        for (Property property : properties) {
            if (property.type() == null) {
                untyped.add(property.name());
            } else {
                namesByType.computeIfAbsent(property.type(), type -> new ArrayList<>()).add(property.name());
            }
            if (!property.hints().isEmpty()) {
                property.hints().forEach(hints.putArray(property.name())::add);
            }
            if (property.deprecation() != Deprecation.NONE) {
                ObjectNode deprecation = deprecations.putObject(property.name());
                deprecation.put("level", property.deprecation().name().toLowerCase(Locale.ROOT));
                if (property.replacement() != null) {
                    deprecation.put("replacement", property.replacement());
                }
            }
        }
        namesByType.forEach((type, names) -> names.forEach(types.putArray(type)::add));
        return JSON.writeValueAsBytes(root);
    }

    /** @throws InvalidSchema when it is not the form {@link #write} gives */
    static ConfigSchema read(byte[] json) {
        JsonNode root = readTree(json, "not a compact schema");
        if (!root.isObject() || !FIELDS.containsAll(root.propertyNames()) || !root.path("format").isInt()
                || root.get("format").intValue() != FORMAT) {
            throw invalid("expected an object of format " + FORMAT + " with the fields " + FIELDS);
        }
        Map<String, String> types = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : object(root, "types").properties()) {
            strings(entry.getValue(), entry.getKey()).forEach(name -> declare(types, name, entry.getKey()));
        }
        strings(root.path("untyped"), "untyped").forEach(name -> declare(types, name, null));
        Map<String, List<String>> hints = new HashMap<>();
        object(root, "hints").properties().forEach(entry ->
                hints.put(declared(types, entry.getKey()), strings(entry.getValue(), entry.getKey())));
        Map<String, JsonNode> deprecations = new HashMap<>();
        object(root, "deprecations").properties().forEach(entry ->
                deprecations.put(declared(types, entry.getKey()), entry.getValue()));
        SortedMap<String, Property> properties = new TreeMap<>();
        types.forEach((name, type) -> properties.put(name, property(name, type,
                hints.getOrDefault(name, List.of()), deprecations.get(name))));
        return new ConfigSchema(properties, strings(root.path("ignoredPrefixes"), "ignoredPrefixes"));
    }

    /** Strict JSON: no duplicate field, nothing after the value. */
    static JsonNode readTree(byte[] json, String what) {
        try {
            return JSON.readTree(json);
        } catch (JacksonException e) {
            throw new InvalidSchema(what + ": not JSON (" + e.getOriginalMessage() + ")");
        }
    }

    private static Property property(String name, String type, List<String> hints, JsonNode deprecation) {
        if (deprecation == null) {
            return new Property(name, type, hints, Deprecation.NONE, null);
        }
        JsonNode level = deprecation.path("level");
        JsonNode replacement = deprecation.path("replacement");
        if (!deprecation.isObject() || !List.of("warning", "error").contains(level.stringValue(""))
                || !(replacement.isMissingNode() || replacement.isString())
                || deprecation.size() != (replacement.isMissingNode() ? 1 : 2)) {
            throw invalid("the deprecation of '" + name + "' is not {\"level\": \"warning\"|\"error\", \"replacement\"?: string}");
        }
        return new Property(name, type, hints, Deprecation.valueOf(level.stringValue().toUpperCase(Locale.ROOT)),
                replacement.isMissingNode() ? null : ConfigSchema.blankToNull(replacement.stringValue()));
    }

    private static void declare(Map<String, String> types, String name, String type) {
        ConfigurationPropertyName canonical = ConfigSchema.adapt(name);
        if (canonical == null || !canonical.toString().equals(name) || (type != null && type.isBlank())) {
            throw invalid("'" + name + "' is not a canonical property name with a type");
        }
        if (types.containsKey(name)) {
            throw invalid("'" + name + "' is declared twice");
        }
        types.put(name, type);
    }

    private static String declared(Map<String, String> types, String name) {
        if (!types.containsKey(name)) {
            throw invalid("'" + name + "' is not declared");
        }
        return name;
    }

    private static JsonNode object(JsonNode root, String field) {
        JsonNode node = root.path(field);
        if (!node.isObject()) {
            throw invalid("\"" + field + "\" is not an object");
        }
        return node;
    }

    private static List<String> strings(JsonNode node, String field) {
        if (!node.isArray() || node.values().stream().anyMatch(value -> !value.isString())) {
            throw invalid("\"" + field + "\" is not an array of strings");
        }
        return node.values().stream().map(JsonNode::stringValue).toList();
    }

    private static InvalidSchema invalid(String why) {
        return new InvalidSchema("not a compact schema: " + why);
    }
}
