package io.muster.release;

import io.muster.release.ConfigSchema.Property;
import io.muster.release.ValidationProblem.Severity;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.convert.PeriodStyle;
import org.springframework.util.NumberUtils;
import org.springframework.util.unit.DataSize;

/**
 * Checks a configuration document's flattened properties against an application's {@link ConfigSchema}
 * before a release is published, so that what would fail the application's start-up, or be silently
 * ignored by it, is found on the server instead: unknown keys (with the closest declared name), values
 * Boot could not convert to the declared type, values outside an exhaustive hint list, and deprecated
 * properties. Values are parsed with Boot's and Spring's own converters where they exist, so a value is
 * refused exactly when binding it would fail; a value holding a {@code ${...}} placeholder is not
 * checked, nor is an empty one (Boot binds it as null).
 *
 * <p>Enums are checked only through value hints: metadata names the enum's class, which lives in the
 * application, not here.
 *
 * <p>Thread-safe: stateless. Deterministic: the problems depend only on the schema and the document.
 */
public final class SchemaValidator {

    private static final int MAX_SUGGESTION_DISTANCE = 2;
    /** What Spring's {@code StringToBooleanConverter} accepts, ignoring case. */
    private static final Set<String> BOOLEANS = Set.of("true", "false", "on", "off", "yes", "no", "1", "0");

    /** How a key relates to the schema, which decides what is checked. */
    private enum Kind {
        DECLARED,
        /** under a Map property: a value of the map, or a field of one */
        MAP_ENTRY,
        /** {@code list[0]}: one element of a List or array property */
        ELEMENT,
        /** {@code list[0].field}: a field of an element, not described by the metadata */
        ELEMENT_FIELD,
        IGNORED
    }

    private record Match(Property property, Kind kind) {
    }

    private SchemaValidator() {
    }

    /**
     * The problems of one document, in the document's key order and, per key: unknown, deprecated, not
     * of its type, not a hinted value.
     *
     * @param document the document's label ({@code orders/dev}), copied into each problem
     * @param flattened the document's properties as Spring Boot's loaders flatten them ({@code a.b[0].c}
     *        keys, scalar values)
     * @param unknownKeys how keys the schema does not declare are graded
     */
    public static List<ValidationProblem> validate(ConfigSchema schema, String document, Map<String, Object> flattened,
            UnknownKeys unknownKeys) {
        Objects.requireNonNull(unknownKeys, "unknownKeys");
        List<ValidationProblem> problems = new ArrayList<>();
        flattened.forEach((key, value) -> check(schema, key, value == null ? "" : String.valueOf(value), unknownKeys,
                (severity, message, suggestion) -> problems.add(new ValidationProblem(document, key, severity, message, suggestion))));
        return List.copyOf(problems);
    }

    private interface Report {
        void problem(Severity severity, String message, String suggestion);
    }

    private static void check(ConfigSchema schema, String key, String value, UnknownKeys unknownKeys, Report report) {
        ConfigurationPropertyName name = ConfigSchema.adapt(key);
        Match match = name == null ? null : match(schema, name);
        if (match == null) {
            if (unknownKeys != UnknownKeys.IGNORE) {
                String closest = name == null ? null : closest(schema, name.toString());
                report.problem(unknownKeys == UnknownKeys.ERROR ? Severity.ERROR : Severity.WARNING, "unknown property",
                        closest == null ? null : "did you mean " + closest);
            }
            return;
        }
        if (match.kind() == Kind.IGNORED) {
            return;
        }
        Property property = match.property();
        String replacement = property.replacement() == null ? null : "use " + property.replacement();
        switch (property.deprecation()) {
            case ERROR -> report.problem(Severity.ERROR, "deprecated (error)", replacement);
            case WARNING -> report.problem(Severity.WARNING, "deprecated (warning)", replacement);
            case NONE -> { }
        }
        if (value.isEmpty() || value.contains("${")) {
            return;
        }
        if (match.kind() == Kind.DECLARED && !converts(property.type(), value)) {
            report.problem(Severity.ERROR, "'" + value + "' is not a " + property.type(), null);
        }
        if (!property.hints().isEmpty() && match.kind() != Kind.ELEMENT_FIELD) {
            List<String> values = match.kind() == Kind.DECLARED && property.isCollection()
                    ? Arrays.stream(value.split(",")).map(String::trim).filter(element -> !element.isEmpty()).toList()
                    : List.of(value);
            values.stream().filter(element -> !hinted(property.hints(), element)).findFirst().ifPresent(element ->
                    report.problem(Severity.ERROR, "'" + element + "' is not one of " + property.hints(), null));
        }
    }

    /**
     * Declared; else under a Map property (keys are free, so trailing elements are dropped until one is
     * found); else an index of a List property, with any fields below it; else under an ignored prefix.
     */
    private static Match match(ConfigSchema schema, ConfigurationPropertyName name) {
        Property declared = schema.property(name);
        if (declared != null) {
            return new Match(declared, Kind.DECLARED);
        }
        int elements = name.getNumberOfElements();
        for (int length = elements - 1; length > 0; length--) {
            Property ancestor = schema.property(name.chop(length));
            if (ancestor != null && ancestor.isMap()) {
                return new Match(ancestor, Kind.MAP_ENTRY);
            }
            if (ancestor != null && ancestor.isCollection() && name.isNumericIndex(length)) {
                return new Match(ancestor, length == elements - 1 ? Kind.ELEMENT : Kind.ELEMENT_FIELD);
            }
        }
        return schema.ignores(name) ? new Match(null, Kind.IGNORED) : null;
    }

    /**
     * Whether Boot would convert the value to the type, through the converter Boot itself uses. Types
     * not listed (String, enums, the application's classes) pass. Two choices stricter than Boot:
     * floating-point values must be finite, and a URL must be an absolute URI (Boot resolves URLs as
     * resources, so {@code classpath:} is fine).
     */
    static boolean converts(String type, String value) {
        if (type == null) {
            return true;
        }
        try {
            switch (type) {
                case "java.lang.Boolean", "boolean" -> {
                    return BOOLEANS.contains(value.trim().toLowerCase(Locale.ROOT));
                }
                case "java.lang.Integer", "int" -> NumberUtils.parseNumber(value, Integer.class);
                case "java.lang.Long", "long" -> NumberUtils.parseNumber(value, Long.class);
                case "java.lang.Short", "short" -> NumberUtils.parseNumber(value, Short.class);
                case "java.lang.Byte", "byte" -> NumberUtils.parseNumber(value, Byte.class);
                case "java.lang.Double", "double" -> {
                    return Double.isFinite(NumberUtils.parseNumber(value, Double.class));
                }
                case "java.lang.Float", "float" -> {
                    return Float.isFinite(NumberUtils.parseNumber(value, Float.class));
                }
                case "java.lang.Character", "char" -> {
                    return value.length() == 1;
                }
                case "java.time.Duration" -> DurationStyle.detectAndParse(value);
                case "java.time.Period" -> PeriodStyle.detectAndParse(value);
                case "org.springframework.util.unit.DataSize" -> DataSize.parse(value);
                case "java.nio.charset.Charset" -> Charset.forName(value);
                case "java.net.URI" -> new URI(value);
                case "java.net.URL" -> {
                    return new URI(value).isAbsolute();
                }
                default -> {
                }
            }
            return true;
        } catch (RuntimeException | URISyntaxException e) {
            return false;
        }
    }

    /** Case, {@code -} and {@code _} do not count, as with Boot's lenient enum conversion. */
    private static boolean hinted(List<String> hints, String value) {
        String wanted = normalised(value);
        return hints.stream().anyMatch(hint -> normalised(hint).equals(wanted));
    }

    private static String normalised(String value) {
        return value.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The declared name nearest to {@code name}, within {@value #MAX_SUGGESTION_DISTANCE} edits; ties go to the first by name. */
    static String closest(ConfigSchema schema, String name) {
        String closest = null;
        int best = MAX_SUGGESTION_DISTANCE + 1;
        for (Property property : schema.declared()) {
            String candidate = property.name();
            if (Math.abs(candidate.length() - name.length()) < best) {
                int distance = distance(name, candidate, best - 1);
                if (distance < best) {
                    closest = candidate;
                    best = distance;
                }
            }
        }
        return closest;
    }

    /** Levenshtein distance, or {@code limit + 1} as soon as it is known to be over {@code limit}. */
    static int distance(String a, String b, int limit) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            int rowMinimum = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
                rowMinimum = Math.min(rowMinimum, current[j]);
            }
            if (rowMinimum > limit) {
                return limit + 1;
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return Math.min(previous[b.length()], limit + 1);
    }
}
