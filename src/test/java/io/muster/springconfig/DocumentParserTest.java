package io.muster.springconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Configuration documents flatten as a local file of the same content would for a Spring Boot
 * application, in each format, and a document that does not parse, or sets what documents may not,
 * is refused with where and why.
 */
class DocumentParserTest {

    private static Map<String, Object> parse(DocumentFormat format, String text) {
        return DocumentParser.parse(format, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void yamlFlattensToSpringBootsNamesAndTypes() {
        Map<String, Object> properties = parse(DocumentFormat.YAML, """
                compat:
                  greeting: hello
                  list: [a, b]
                  port: 8080
                  enabled: true
                  nested:
                    - name: x
                      value: "${other}"
                secret: '{cipher}abc'
                """);
        assertThat(properties).containsExactly(
                Map.entry("compat.greeting", "hello"), Map.entry("compat.list[0]", "a"), Map.entry("compat.list[1]", "b"),
                Map.entry("compat.port", 8080), Map.entry("compat.enabled", true),
                Map.entry("compat.nested[0].name", "x"), Map.entry("compat.nested[0].value", "${other}"),
                Map.entry("secret", "{cipher}abc"));
    }

    @Test
    void propertiesAreUtf8AndKeepTheirOrder() {
        Map<String, Object> properties = parse(DocumentFormat.PROPERTIES, "b=2\na=caf\u00e9\nlist[0]=x\n");
        assertThat(properties).containsExactly(Map.entry("b", "2"), Map.entry("a", "caf\u00e9"), Map.entry("list[0]", "x"));
    }

    @Test
    void jsonFlattensLikeYaml() {
        Map<String, Object> properties = parse(DocumentFormat.JSON,
                "{\"compat\":{\"greeting\":\"hi\",\"list\":[\"a\",{\"b\":1}],\"on\":false,\"none\":null,\"empty\":{}}}");
        assertThat(properties).containsExactly(Map.entry("compat.greeting", "hi"), Map.entry("compat.list[0]", "a"),
                Map.entry("compat.list[1].b", 1), Map.entry("compat.on", false), Map.entry("compat.none", ""),
                Map.entry("compat.empty", ""));
    }

    @Test
    void emptyDocumentsHaveNoProperties() {
        assertThat(parse(DocumentFormat.YAML, "")).isEmpty();
        assertThat(parse(DocumentFormat.PROPERTIES, "# nothing\n")).isEmpty();
        assertThat(parse(DocumentFormat.JSON, "{}")).isEmpty();
    }

    @Test
    void malformedYamlNamesLineAndColumn() {
        assertThatThrownBy(() -> parse(DocumentFormat.YAML, "a: 1\nb: [unclosed\nc: 2\n"))
                .isInstanceOfSatisfying(InvalidDocument.class, e -> {
                    assertThat(e.line()).isGreaterThanOrEqualTo(2);
                    assertThat(e.column()).isPositive();
                    assertThat(e.describe()).startsWith("line " + e.line() + ", column ");
                });
        assertThatThrownBy(() -> parse(DocumentFormat.YAML, "a: 1\na: 2\n"))
                .isInstanceOfSatisfying(InvalidDocument.class, e -> assertThat(e.line()).isEqualTo(2));
        assertThatThrownBy(() -> parse(DocumentFormat.YAML, "a:\n\tb: 1\n"))
                .isInstanceOfSatisfying(InvalidDocument.class, e -> assertThat(e.line()).isEqualTo(2));
    }

    @Test
    void malformedJsonNamesLineAndColumn() {
        assertThatThrownBy(() -> parse(DocumentFormat.JSON, "{\n  \"a\": 1,\n  \"b\": }\n"))
                .isInstanceOfSatisfying(InvalidDocument.class, e -> {
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.column()).isPositive();
                });
        assertThatThrownBy(() -> parse(DocumentFormat.JSON, "{\"a\":1,\"a\":2}")).isInstanceOf(InvalidDocument.class);
        assertThatThrownBy(() -> parse(DocumentFormat.JSON, "[1,2]")).isInstanceOf(InvalidDocument.class)
                .hasMessageContaining("must be an object");
        assertThatThrownBy(() -> parse(DocumentFormat.JSON, "{} {}")).isInstanceOf(InvalidDocument.class);
    }

    @Test
    void malformedPropertiesEscapesNameLineAndColumn() {
        assertThatThrownBy(() -> parse(DocumentFormat.PROPERTIES, "a=1\nb=x\\u00zz\n"))
                .isInstanceOfSatisfying(InvalidDocument.class, e -> {
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.column()).isEqualTo(4);
                });
    }

    @Test
    void multiDocumentFilesAndProfileActivationAreRefused() {
        assertThatThrownBy(() -> parse(DocumentFormat.YAML, "a: 1\n---\na: 2\n")).isInstanceOf(InvalidDocument.class)
                .hasMessageContaining("profiles are keys here");
        assertThatThrownBy(() -> parse(DocumentFormat.PROPERTIES, "a=1\n#---\na=2\n")).isInstanceOf(InvalidDocument.class);
        assertThatThrownBy(() -> parse(DocumentFormat.YAML, "x: 1\nspring:\n  config:\n    activate:\n      on-profile: dev\n"))
                .isInstanceOfSatisfying(InvalidDocument.class, e -> {
                    assertThat(e.getMessage()).contains("spring.config.activate.on-profile");
                    assertThat(e.line()).isEqualTo(5);
                });
        assertThatThrownBy(() -> parse(DocumentFormat.PROPERTIES, "spring.config.import=file:/etc/x\n"))
                .isInstanceOf(InvalidDocument.class).hasMessageContaining("cannot import");
        assertThatThrownBy(() -> parse(DocumentFormat.JSON, "{\"spring\":{\"config\":{\"import\":[\"a\"]}}}"))
                .isInstanceOf(InvalidDocument.class);
    }

    @Test
    void aliasBombsDeepNestingAndRecursionAreRefusedNotExpanded() {
        StringBuilder doubling = new StringBuilder("a0: &a0 [x, x]\n");
        for (int i = 1; i <= 24; i++) {
            doubling.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a")
                    .append(i - 1).append("]\n");
        }
        assertThatThrownBy(() -> parse(DocumentFormat.YAML, doubling.toString())).isInstanceOf(InvalidDocument.class)
                .hasMessageContaining("expands to more than");
        StringBuilder laughs = new StringBuilder("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i <= 9; i++) {
            laughs.append("l").append(i).append(": &l").append(i).append(" [").append(
                    String.join(", ", java.util.Collections.nCopies(10, "*l" + (i - 1)))).append("]\n");
        }
        assertThatThrownBy(() -> parse(DocumentFormat.YAML, laughs.toString())).isInstanceOf(InvalidDocument.class);
        assertThatThrownBy(() -> parse(DocumentFormat.YAML, "a: &a [*a]\n")).isInstanceOf(InvalidDocument.class)
                .hasMessageContaining("refers to itself");
        assertThatThrownBy(() -> parse(DocumentFormat.YAML, "a: " + "[".repeat(60) + "]".repeat(60) + "\n"))
                .isInstanceOf(InvalidDocument.class);
        assertThat(parse(DocumentFormat.YAML, "base: &base {x: 1}\nother: *base\n"))
                .as("a plain alias is fine").containsEntry("other.x", 1);
    }

    @Test
    void reservedNamesAreRecognisedAsSpringBindsThem() {
        assertThatThrownBy(() -> parse(DocumentFormat.PROPERTIES, "spring.config.Import=file:/x\n")).isInstanceOf(InvalidDocument.class);
        assertThatThrownBy(() -> parse(DocumentFormat.PROPERTIES, "spring.config.im-port=file:/x\n")).isInstanceOf(InvalidDocument.class);
        assertThatThrownBy(() -> parse(DocumentFormat.PROPERTIES, "spring.config.activate.onProfile=dev\n"))
                .isInstanceOf(InvalidDocument.class);
        assertThat(parse(DocumentFormat.PROPERTIES, "spring.config.name=x\nspring.configx.import=y\n")).hasSize(2);
    }

    @Test
    void anEscapeSpringBootCannotReadIsRefusedWhereItIsEvenInAComment() {
        // Spring Boot's reader decodes escapes before it knows a line is a comment: a local file fails alike.
        assertThatThrownBy(() -> parse(DocumentFormat.PROPERTIES, "a=1\n# C:\\users\\x\n"))
                .isInstanceOfSatisfying(InvalidDocument.class, e -> assertThat(e.line()).isEqualTo(2));
    }

    @Test
    void contentThatIsNotUtf8IsRefused() {
        assertThatThrownBy(() -> DocumentParser.parse(DocumentFormat.YAML, new byte[] {'a', ':', ' ', (byte) 0xC3, '\n'}))
                .isInstanceOf(InvalidDocument.class).hasMessageContaining("UTF-8");
    }

    @Test
    void formatsAreToldByContentType() {
        assertThat(DocumentFormat.of("application/yaml")).isEqualTo(DocumentFormat.YAML);
        assertThat(DocumentFormat.of("text/yaml;charset=UTF-8")).isEqualTo(DocumentFormat.YAML);
        assertThat(DocumentFormat.of("application/x-yaml")).isEqualTo(DocumentFormat.YAML);
        assertThat(DocumentFormat.of("text/x-java-properties")).isEqualTo(DocumentFormat.PROPERTIES);
        assertThat(DocumentFormat.of("Application/JSON")).isEqualTo(DocumentFormat.JSON);
        assertThat(DocumentFormat.of("text/plain")).isNull();
        assertThat(DocumentFormat.of("application/octet-stream")).isNull();
    }
}
