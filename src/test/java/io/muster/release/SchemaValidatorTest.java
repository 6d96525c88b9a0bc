package io.muster.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.muster.release.ValidationProblem.Severity;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Documents are checked against Spring Boot's real metadata as Boot would bind them: unknown keys
 * graded by policy with the closest declared name, relaxed spellings, Map and List keys, placeholders
 * skipped, values Boot cannot convert, values outside an exhaustive hint list, and deprecations.
 */
class SchemaValidatorTest {

    private static final String DOCUMENT = "orders/dev";
    /** An application's additional metadata: Boot's own metadata hints no enum, so this one does. */
    private static final String BANNER_MODE_HINT = """
            {"properties": [], "hints": [{"name": "spring.main.banner-mode",
              "values": [{"value": "console"}, {"value": "log"}, {"value": "off"}]}]}
            """;

    private static ConfigSchema boot;
    private static ConfigSchema bootWithHint;

    @BeforeAll
    static void schemas() {
        boot = ConfigSchema.fromMetadata(ConfigSchemaTest.bootMetadata());
        bootWithHint = ConfigSchema.fromMetadata(ConfigSchemaTest.bootMetadata(url -> true, BANNER_MODE_HINT));
    }

    private static List<ValidationProblem> validate(ConfigSchema schema, UnknownKeys unknownKeys, Object... keysAndValues) {
        Map<String, Object> flattened = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            flattened.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return SchemaValidator.validate(schema, DOCUMENT, flattened, unknownKeys);
    }

    private static List<ValidationProblem> validate(Object... keysAndValues) {
        return validate(boot, UnknownKeys.ERROR, keysAndValues);
    }

    private static ValidationProblem error(String key, String message, String suggestion) {
        return new ValidationProblem(DOCUMENT, key, Severity.ERROR, message, suggestion);
    }

    @Test
    void integersMustParse() {
        assertThat(validate("server.port", "abc")).containsExactly(error("server.port", "'abc' is not a java.lang.Integer", null));
        assertThat(validate("server.port", "99999999999")).hasSize(1);
        assertThat(validate("server.port", "8080")).isEmpty();
        assertThat(validate("server.port", 8080)).isEmpty();
    }

    @Test
    void placeholdersAndEmptyValuesAreNotTypeChecked() {
        assertThat(validate("server.port", "${PORT:8080}")).isEmpty();
        assertThat(validate("server.port", "")).isEmpty();
    }

    @Test
    void unknownKeysAreGradedByPolicyWithTheClosestDeclaredName() {
        ValidationProblem unknown = error("sevrer.port", "unknown property", "did you mean server.port");

        assertThat(validate(boot, UnknownKeys.ERROR, "sevrer.port", 8080)).containsExactly(unknown);
        assertThat(validate(boot, UnknownKeys.WARN, "sevrer.port", 8080)).containsExactly(
                new ValidationProblem(DOCUMENT, "sevrer.port", Severity.WARNING, "unknown property", "did you mean server.port"));
        assertThat(validate(boot, UnknownKeys.IGNORE, "sevrer.port", 8080)).isEmpty();
        assertThat(validate("compat.greeting", "hello")).containsExactly(error("compat.greeting", "unknown property", null));
    }

    @Test
    void keysUnderAMapPropertyAreKnown() {
        assertThat(validate("logging.level.com.acme", "debug", "logging.level.root", "warn", "logging.level[org.Acme.Web]", "info"))
                .isEmpty();
        assertThat(validate("server.port.extra", "1")).extracting(ValidationProblem::message).containsExactly("unknown property");
    }

    @Test
    void indexesOfAListPropertyAreKnown() {
        assertThat(validate("spring.profiles.include[0]", "a", "spring.profiles.include[1]", "b",
                "management.endpoints.web.exposure.include[0]", "health",
                "server.ssl.server-name-bundles[0].server-name", "example.com")).isEmpty();
        assertThat(validate("spring.profiles.include.first", "a")).extracting(ValidationProblem::message)
                .containsExactly("unknown property");
    }

    @Test
    void relaxedSpellingsOfADeclaredNameAreThatName() {
        assertThat(validate("server.servlet.contextPath", "/orders", "spring.main.bannerMode", "off",
                "Server.Servlet.Session.Timeout", "30m")).isEmpty();
        assertThat(validate("server.servlet.session.Timeout", "forever")).extracting(ValidationProblem::message)
                .containsExactly("'forever' is not a java.time.Duration");
    }

    @Test
    void enumsAreCheckedThroughExhaustiveValueHints() {
        assertThat(validate(bootWithHint, UnknownKeys.ERROR, "spring.main.banner-mode", "sideways")).containsExactly(
                error("spring.main.banner-mode", "'sideways' is not one of [console, log, off]", null));
        assertThat(validate(bootWithHint, UnknownKeys.ERROR, "spring.main.banner-mode", "off")).isEmpty();
        assertThat(validate(bootWithHint, UnknownKeys.ERROR, "spring.main.banner-mode", "OFF")).isEmpty();
        // Without a hint the enum's values are unknown here, so any value passes.
        assertThat(validate("spring.main.banner-mode", "sideways")).isEmpty();
    }

    @Test
    void hintsWithAProviderAreNotTheWholeList() {
        assertThat(validate("logging.structured.format.console", "com.acme.JsonFormatter")).isEmpty();
        assertThat(validate("logging.level.com.acme", "sideways")).isEmpty();
    }

    @Test
    void aHintedListIsCheckedElementByElement() {
        assertThat(validate("server.tomcat.relaxed-path-chars", "<,>", "server.tomcat.relaxed-query-chars[0]", "|")).isEmpty();
        assertThat(validate("server.tomcat.relaxed-path-chars", "<, x")).containsExactly(error("server.tomcat.relaxed-path-chars",
                "'x' is not one of [<, >, [, \\, ], ^, `, {, |, }]", null));
    }

    @Test
    void durationsDataSizesAndBooleansParseAsBootParsesThem() {
        assertThat(validate("server.servlet.session.timeout", "30m", "spring.servlet.multipart.max-file-size", "10MB",
                "spring.main.lazy-initialization", "TRUE", "spring.main.allow-circular-references", "yes")).isEmpty();
        assertThat(validate("server.servlet.session.timeout", "forever", "spring.servlet.multipart.max-file-size", "ten",
                "spring.main.lazy-initialization", "maybe")).extracting(ValidationProblem::message).containsExactly(
                        "'forever' is not a java.time.Duration", "'ten' is not a org.springframework.util.unit.DataSize",
                        "'maybe' is not a java.lang.Boolean");
    }

    @Test
    void scalarTypesAreRangeAndSyntaxChecked() {
        assertThat(SchemaValidator.converts("java.lang.Byte", "127")).isTrue();
        assertThat(SchemaValidator.converts("java.lang.Byte", "128")).isFalse();
        assertThat(SchemaValidator.converts("short", "40000")).isFalse();
        assertThat(SchemaValidator.converts("java.lang.Long", "9223372036854775807")).isTrue();
        assertThat(SchemaValidator.converts("double", "1.5")).isTrue();
        assertThat(SchemaValidator.converts("java.lang.Double", "NaN")).isFalse();
        assertThat(SchemaValidator.converts("java.lang.Float", "1e39")).isFalse();
        assertThat(SchemaValidator.converts("java.time.Period", "1y2m")).isTrue();
        assertThat(SchemaValidator.converts("java.time.Period", "P1D")).isTrue();
        assertThat(SchemaValidator.converts("java.time.Period", "soon")).isFalse();
        assertThat(SchemaValidator.converts("java.nio.charset.Charset", "UTF-8")).isTrue();
        assertThat(SchemaValidator.converts("java.nio.charset.Charset", "no-such-charset")).isFalse();
        assertThat(SchemaValidator.converts("java.net.URI", "http://a b")).isFalse();
        assertThat(SchemaValidator.converts("java.net.URL", "classpath:banner.txt")).isTrue();
        assertThat(SchemaValidator.converts("java.net.URL", "banner.txt")).isFalse();
        assertThat(SchemaValidator.converts("com.acme.Mode", "anything")).isTrue();
    }

    @Test
    void deprecationsAtErrorAreErrorsAndAtWarningAreWarnings() {
        assertThat(validate("spring.resources.add-mappings", "false", "logging.file.max-history", "7")).containsExactly(
                error("spring.resources.add-mappings", "deprecated (error)", "use spring.web.resources.add-mappings"),
                new ValidationProblem(DOCUMENT, "logging.file.max-history", Severity.WARNING, "deprecated (warning)",
                        "use logging.logback.rollingpolicy.max-history"));
    }

    @Test
    void ignoredPrefixesAreNeverUnknown() {
        ObjectNode compact = (ObjectNode) JsonMapper.builder().build().readTree(boot.toCompactJson());
        compact.putArray("ignoredPrefixes").add("acme.feature");
        ConfigSchema schema = ConfigSchema.fromCompactJson(compact.toString().getBytes(StandardCharsets.UTF_8));

        assertThat(validate(schema, UnknownKeys.ERROR, "acme.feature.flag", "on", "acme.feature", "x", "acme.features.x", "y"))
                .extracting(ValidationProblem::key).containsExactly("acme.features.x");
    }

    @Test
    void problemsFollowTheDocumentsKeyOrder() {
        assertThat(validate("spring.resources.add-mappings", "maybe", "sevrer.port", 1, "server.port", "x"))
                .extracting(ValidationProblem::key, ValidationProblem::message)
                .containsExactly(
                        tuple("spring.resources.add-mappings", "deprecated (error)"),
                        tuple("spring.resources.add-mappings", "'maybe' is not a java.lang.Boolean"),
                        tuple("sevrer.port", "unknown property"),
                        tuple("server.port", "'x' is not a java.lang.Integer"));
    }

    @Test
    void suggestionsAreWithinTwoEdits() {
        assertThat(SchemaValidator.distance("sevrer.port", "server.port", 2)).isEqualTo(2);
        assertThat(SchemaValidator.distance("abc", "abc", 2)).isZero();
        assertThat(SchemaValidator.distance("kitten", "sitting", 5)).isEqualTo(3);
        assertThat(SchemaValidator.distance("kitten", "sitting", 2)).isEqualTo(3);
        assertThat(SchemaValidator.closest(boot, "server.prot")).isEqualTo("server.port");
        assertThat(SchemaValidator.closest(boot, "serverport")).isEqualTo("server.port");
        assertThat(SchemaValidator.closest(boot, "server.pxxxt")).isNull();
    }
}
