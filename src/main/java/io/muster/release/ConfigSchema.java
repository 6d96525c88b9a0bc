package io.muster.release;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;
import org.springframework.boot.configurationmetadata.Hints;
import org.springframework.boot.configurationmetadata.ValueHint;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import tools.jackson.databind.JsonNode;

/**
 * The part of one application's Spring Boot configuration metadata that validation needs: each declared
 * property's canonical name, type, exhaustive value hints and deprecation, plus prefixes whose keys are
 * never reported as unknown. An application's metadata runs to hundreds of KB, mostly descriptions
 * (SPRING.md pitfall 16), so they and the defaults are dropped and the rest is kept in a compact JSON
 * form that fits one stored entry. That form is deterministic (sorted, fixed field order), so the same
 * metadata gives the same bytes and the same {@link #digest()} on every node, which is how a release
 * names the schema it was validated against.
 *
 * <p>Map- and List-typed names are not stored apart: they follow from the type, which is kept.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConfigSchema {

    /** An application's merged metadata is about 0.3-0.6 MB (SPRING.md B4); four times that is refused unread. */
    static final int MAX_METADATA_BYTES = 2 * 1024 * 1024;
    /** The compact form is stored as one entry. */
    static final int MAX_COMPACT_BYTES = 256 * 1024;

    /** How far a property is deprecated; at {@code ERROR} Boot no longer binds it. */
    enum Deprecation {
        NONE,
        WARNING,
        ERROR
    }

    /**
     * One declared property. {@code hints} are the values it takes when metadata lists all of them, and
     * empty when any value may do; {@code type} and {@code replacement} may be null.
     */
    record Property(String name, String type, List<String> hints, Deprecation deprecation, String replacement) {

        boolean isMap() {
            return type != null && type.startsWith("java.util.Map<");
        }

        /** Boot binds these from indexed keys ({@code name[0]}) or from one comma-separated value. */
        boolean isCollection() {
            return type != null && (type.startsWith("java.util.List<") || type.startsWith("java.util.Set<")
                    || type.startsWith("java.util.Collection<") || type.endsWith("[]"));
        }
    }

    private final SortedMap<String, Property> properties;
    private final List<String> ignoredPrefixes;
    private final Map<String, Property> byUniformName = new HashMap<>();
    private final List<ConfigurationPropertyName> ignored = new ArrayList<>();
    private final byte[] compact;
    private final String digest;

    /** {@code properties} by canonical name. */
    ConfigSchema(SortedMap<String, Property> properties, Collection<String> ignoredPrefixes) {
        this.properties = new TreeMap<>(properties);
        this.ignoredPrefixes = List.copyOf(new TreeSet<>(ignoredPrefixes));
        properties.values().forEach(property -> byUniformName.putIfAbsent(uniform(adapt(property.name())), property));
        for (String prefix : this.ignoredPrefixes) {
            ConfigurationPropertyName name = adapt(prefix);
            if (name == null) {
                throw new InvalidSchema("not a compact schema: ignored prefix '" + prefix + "' is not a property name");
            }
            ignored.add(name);
        }
        this.compact = CompactSchemaJson.write(properties.values(), this.ignoredPrefixes);
        if (compact.length > MAX_COMPACT_BYTES) {
            throw new InvalidSchema("compacted schema is " + compact.length + " bytes; the limit is " + MAX_COMPACT_BYTES);
        }
        this.digest = sha256Hex(compact).substring(0, 16);
    }

    /**
     * Compacts a merged {@code META-INF/spring-configuration-metadata.json} (one JSON object with
     * {@code groups}, {@code properties} and {@code hints}), read with Spring Boot's own metadata reader.
     *
     * @throws InvalidSchema when it is over {@value #MAX_METADATA_BYTES} bytes, not metadata, declares no
     *         property, or compacts to more than {@value #MAX_COMPACT_BYTES} bytes
     */
    public static ConfigSchema fromMetadata(byte[] json) {
        if (json.length > MAX_METADATA_BYTES) {
            throw new InvalidSchema("metadata is " + json.length + " bytes; the limit is " + MAX_METADATA_BYTES);
        }
        // Boot's reader is lenient (unquoted names, trailing garbage); only strict JSON gets that far.
        JsonNode root = CompactSchemaJson.readTree(json, "not Spring Boot configuration metadata");
        if (!root.isObject() || !root.path("properties").isArray()
                || !(root.path("groups").isMissingNode() || root.path("groups").isArray())
                || !(root.path("hints").isMissingNode() || root.path("hints").isArray())) {
            throw notMetadata("expected an object with a \"properties\" array and optional \"groups\" and \"hints\" arrays");
        }
        Map<String, ConfigurationMetadataProperty> declared;
        try {
            declared = ConfigurationMetadataRepositoryJsonBuilder.create()
                    .withJsonResource(new ByteArrayInputStream(json))
                    .build()
                    .getAllProperties();
        } catch (IOException | RuntimeException e) {
            Throwable cause = innermost(e);
            throw notMetadata(cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName());
        }
        if (declared.isEmpty()) {
            throw notMetadata("it declares no properties");
        }
        SortedMap<String, Property> properties = new TreeMap<>();
        new TreeMap<>(declared).values().forEach(property -> {
            Property compacted = compact(property);
            properties.putIfAbsent(compacted.name(), compacted);
        });
        return new ConfigSchema(properties, List.of());
    }

    /**
     * Reads the form {@link #toCompactJson()} writes; {@code ignoredPrefixes} can be set only here.
     *
     * @throws InvalidSchema when it is over {@value #MAX_COMPACT_BYTES} bytes or not that form
     */
    public static ConfigSchema fromCompactJson(byte[] json) {
        if (json.length > MAX_COMPACT_BYTES) {
            throw new InvalidSchema("compacted schema is " + json.length + " bytes; the limit is " + MAX_COMPACT_BYTES);
        }
        return CompactSchemaJson.read(json);
    }

    /** The deterministic compact form, at most {@value #MAX_COMPACT_BYTES} bytes. */
    public byte[] toCompactJson() {
        return compact.clone();
    }

    /** The first 16 hex digits of the SHA-256 of {@link #toCompactJson()}. */
    public String digest() {
        return digest;
    }

    /** How many properties are declared. */
    public int properties() {
        return properties.size();
    }

    /** Prefixes whose keys are never unknown, sorted. */
    public List<String> ignoredPrefixes() {
        return ignoredPrefixes;
    }

    /** The property declared under this name, matched as Boot binds names (case and dashes do not count). */
    Property property(ConfigurationPropertyName name) {
        return byUniformName.get(uniform(name));
    }

    /** The declared properties, sorted by name. */
    Collection<Property> declared() {
        return properties.values();
    }

    boolean ignores(ConfigurationPropertyName name) {
        return ignored.stream().anyMatch(prefix -> prefix.equals(name) || prefix.isAncestorOf(name));
    }

    /** Boot's reading of a key ({@code server.servlet.contextPath} is {@code server.servlet.contextpath}), or null. */
    static ConfigurationPropertyName adapt(String key) {
        try {
            ConfigurationPropertyName name = ConfigurationPropertyName.adapt(key, '.');
            return name.isEmpty() ? null : name;
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ConfigSchema schema && Arrays.equals(compact, schema.compact);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(compact);
    }

    @Override
    public String toString() {
        return "ConfigSchema[" + properties.size() + " properties, digest " + digest + "]";
    }

    private static Property compact(ConfigurationMetadataProperty property) {
        ConfigurationPropertyName name = adapt(property.getId());
        if (name == null) {
            throw notMetadata("'" + property.getId() + "' is not a property name");
        }
        var deprecation = property.getDeprecation();
        Deprecation level = deprecation == null ? Deprecation.NONE
                : deprecation.getLevel() == null ? Deprecation.WARNING : Deprecation.valueOf(deprecation.getLevel().name());
        return new Property(name.toString(), blankToNull(property.getType()), exhaustiveHints(property.getHints()), level,
                deprecation == null ? null : blankToNull(deprecation.getReplacement()));
    }

    /**
     * Hinted values, when they are all the values the property takes. Any value provider opens the list:
     * {@code any} says so, and the others ({@code handle-as}, {@code logger-name}, {@code class-reference}...)
     * accept more than is listed: Boot hints {@code logging.structured.format.console} with ecs, gelf and
     * logstash and a {@code handle-as} provider, because a formatter class name is valid too.
     */
    private static List<String> exhaustiveHints(Hints hints) {
        if (!hints.getValueProviders().isEmpty()) {
            return List.of();
        }
        LinkedHashSet<String> values = new LinkedHashSet<>();
        for (ValueHint hint : hints.getValueHints()) {
            Object value = hint.getValue();
            values.add(value instanceof Object[] array
                    ? Arrays.stream(array).map(String::valueOf).collect(Collectors.joining(","))
                    : String.valueOf(value));
        }
        return List.copyOf(values);
    }

    /** Dashes and case dropped from every element, so relaxed spellings of one name meet. */
    private static String uniform(ConfigurationPropertyName name) {
        StringBuilder uniform = new StringBuilder();
        for (int i = 0; i < name.getNumberOfElements(); i++) {
            String element = name.getElement(i, Form.UNIFORM);
            if (name.isNumericIndex(i)) {
                uniform.append('[').append(element).append(']');
            } else {
                uniform.append(i == 0 ? "" : ".").append(element);
            }
        }
        return uniform.toString();
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static Throwable innermost(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    private static InvalidSchema notMetadata(String why) {
        return new InvalidSchema("not Spring Boot configuration metadata: " + why);
    }
}
