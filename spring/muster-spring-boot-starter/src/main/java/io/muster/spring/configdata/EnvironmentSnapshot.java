package io.muster.spring.configdata;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One answer of {@code GET /v1/config/{names}/environment}: the version (a digest: compare for equality
 * only), the revision it was read at, the releases it shows, and the property sources, highest
 * precedence first.
 */
record EnvironmentSnapshot(String version, long revision, List<String> releases, List<Source> sources) {

    /** One document's properties, with the profile that selected it ({@code default} for base documents). */
    record Source(String name, String profile, String release, Map<String, Object> properties) {

        boolean profileSpecific() {
            return profile != null && !profile.equals("default");
        }
    }

    static EnvironmentSnapshot parse(JsonNode json) {
        List<String> releases = new ArrayList<>();
        json.path("releases").forEach(release -> releases.add(release.asString()));
        List<Source> sources = new ArrayList<>();
        for (JsonNode source : json.path("propertySources")) {
            Map<String, Object> properties = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> property : source.path("source").properties()) {
                properties.put(property.getKey(), value(property.getValue()));
            }
            JsonNode release = source.get("release");
            sources.add(new Source(source.path("name").asString(), source.path("profile").asString("default"),
                    release == null || release.isNull() ? null : release.asString(), properties));
        }
        return new EnvironmentSnapshot(json.path("version").asString(), json.path("revision").asLong(),
                List.copyOf(releases), List.copyOf(sources));
    }

    /** A property's value as Spring reads it from a map: strings, numbers and booleans as they are. */
    private static Object value(JsonNode node) {
        if (node.isNumber()) {
            return node.numberValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNull()) {
            return "";
        }
        return node.isString() ? node.asString() : node.toString();
    }
}
