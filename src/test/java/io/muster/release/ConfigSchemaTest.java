package io.muster.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Spring Boot's real configuration metadata compacts to a deterministic form small enough for one
 * stored entry, without descriptions, that reads back to the same digest; and what is not metadata, or
 * too large, is refused with a reason.
 */
class ConfigSchemaTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Every {@code META-INF/spring-configuration-metadata.json} on the test classpath (Boot 4's modules
     * each carry their own) whose location passes {@code include}, merged as an application's build
     * merges them: one object whose arrays are the concatenation of theirs.
     */
    static byte[] bootMetadata(Predicate<String> include, String... extraJson) {
        ObjectNode merged = JSON.createObjectNode();
        ArrayNode groups = merged.putArray("groups");
        ArrayNode properties = merged.putArray("properties");
        ArrayNode hints = merged.putArray("hints");
        try {
            List<String> documents = new ArrayList<>();
            for (URL url : Collections.list(ConfigSchemaTest.class.getClassLoader()
                    .getResources("META-INF/spring-configuration-metadata.json"))) {
                if (include.test(url.toString())) {
                    try (InputStream in = url.openStream()) {
                        documents.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
            documents.addAll(List.of(extraJson));
            for (String document : documents) {
                JsonNode root = JSON.readTree(document);
                groups.addAll(root.path("groups").values());
                properties.addAll(root.path("properties").values());
                hints.addAll(root.path("hints").values());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return JSON.writeValueAsBytes(merged);
    }

    static byte[] bootMetadata() {
        return bootMetadata(url -> true);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void bootsRealMetadataCompactsToOneStoredEntry() {
        for (var input : List.of(
                bootMetadata(url -> url.contains("/spring-boot-4.0.7.jar") || url.contains("/spring-boot-autoconfigure-4.0.7.jar")),
                bootMetadata())) {
            ConfigSchema schema = ConfigSchema.fromMetadata(input);
            int compact = schema.toCompactJson().length;
            System.out.printf("Boot metadata: %d bytes in, %d properties, %d bytes compacted, digest %s%n",
                    input.length, schema.properties(), compact, schema.digest());
            assertThat(compact).isLessThanOrEqualTo(ConfigSchema.MAX_COMPACT_BYTES).isLessThan(input.length / 2);
            assertThat(schema.properties()).isGreaterThan(100);
        }
    }

    @Test
    void theCompactFormKeepsTypesHintsAndDeprecationsButNoDescriptions() {
        ConfigSchema schema = ConfigSchema.fromMetadata(bootMetadata());
        String compact = new String(schema.toCompactJson(), StandardCharsets.UTF_8);

        assertThat(compact).contains("\"java.lang.Integer\":[").contains("\"server.port\"")
                .contains("\"logging.file\":{\"level\":\"error\",\"replacement\":\"logging.file.name\"}")
                .contains("\"server.tomcat.relaxed-path-chars\":[\"<\",\">\"")
                .doesNotContain("\"description\"").doesNotContain("Server HTTP port").doesNotContain("defaultValue");
        // Hints with a provider ("any", "handle-as", ...) are not the whole list, so they are not kept.
        assertThat(compact).doesNotContain("\"logging.level\":[").doesNotContain("\"logging.structured.format.console\":[");
    }

    @Test
    void theCompactFormRoundTripsAndIsDeterministic() {
        byte[] metadata = bootMetadata();
        ConfigSchema schema = ConfigSchema.fromMetadata(metadata);
        ConfigSchema again = ConfigSchema.fromMetadata(metadata);
        ConfigSchema read = ConfigSchema.fromCompactJson(schema.toCompactJson());

        assertThat(again.toCompactJson()).isEqualTo(schema.toCompactJson());
        assertThat(read.toCompactJson()).isEqualTo(schema.toCompactJson());
        assertThat(read.digest()).isEqualTo(schema.digest()).hasSize(16).isEqualTo(sha256Hex(schema.toCompactJson()).substring(0, 16));
        assertThat(read.properties()).isEqualTo(schema.properties());
        assertThat(read).isEqualTo(schema);
    }

    @Test
    void theOrderOfTheMetadataDoesNotChangeTheBytes() {
        ObjectNode metadata = (ObjectNode) JSON.readTree(bootMetadata());
        List<JsonNode> properties = new ArrayList<>(metadata.get("properties").values());
        Collections.reverse(properties);
        metadata.putArray("properties").addAll(properties);

        assertThat(ConfigSchema.fromMetadata(JSON.writeValueAsBytes(metadata)).toCompactJson())
                .isEqualTo(ConfigSchema.fromMetadata(bootMetadata()).toCompactJson());
    }

    @Test
    void ignoredPrefixesComeOnlyFromTheCompactFormAndChangeTheDigest() {
        ConfigSchema schema = ConfigSchema.fromMetadata(bootMetadata());
        ObjectNode compact = (ObjectNode) JSON.readTree(schema.toCompactJson());
        compact.putArray("ignoredPrefixes").add("zeta").add("acme.feature").add("zeta");

        ConfigSchema withPrefixes = ConfigSchema.fromCompactJson(JSON.writeValueAsBytes(compact));

        assertThat(schema.ignoredPrefixes()).isEmpty();
        assertThat(withPrefixes.ignoredPrefixes()).containsExactly("acme.feature", "zeta");
        assertThat(withPrefixes.digest()).isNotEqualTo(schema.digest());
        assertThat(ConfigSchema.fromCompactJson(withPrefixes.toCompactJson()).digest()).isEqualTo(withPrefixes.digest());
    }

    @Test
    void whatIsNotMetadataIsRefused() {
        assertRefused("hello", "not Spring Boot configuration metadata: not JSON");
        assertRefused("{\"properties\": [", "not Spring Boot configuration metadata: not JSON");
        assertRefused("{\"properties\": []} {}", "not Spring Boot configuration metadata: not JSON");
        assertRefused("[{\"name\": \"server.port\"}]", "expected an object with a \"properties\" array");
        assertRefused("{}", "expected an object with a \"properties\" array");
        assertRefused("{\"name\": \"orders\", \"profiles\": [\"dev\"]}", "expected an object with a \"properties\" array");
        assertRefused("{\"properties\": {\"server.port\": 8080}}", "expected an object with a \"properties\" array");
        assertRefused("{\"properties\": [{\"type\": \"java.lang.Integer\"}]}", "not Spring Boot configuration metadata: ");
        assertRefused("{\"properties\": [1]}", "not Spring Boot configuration metadata: ");
        assertRefused("{\"properties\": [{\"name\": \"a.b\"}], \"hints\": [{\"name\": \"a.b\", \"values\": [{}]}]}",
                "not Spring Boot configuration metadata: ");
        assertRefused("{\"properties\": []}", "it declares no properties");
    }

    @Test
    void metadataOverTwoMebibytesIsRefusedUnread() {
        byte[] big = new byte[ConfigSchema.MAX_METADATA_BYTES + 1];
        Arrays.fill(big, (byte) ' ');
        byte[] valid = bytes("{\"properties\": [{\"name\": \"a.b\"}]}");
        System.arraycopy(valid, 0, big, 0, valid.length);

        assertThatThrownBy(() -> ConfigSchema.fromMetadata(big)).isInstanceOf(InvalidSchema.class)
                .hasMessage("metadata is 2097153 bytes; the limit is 2097152");
        assertThat(ConfigSchema.fromMetadata(Arrays.copyOf(big, ConfigSchema.MAX_METADATA_BYTES)).properties()).isEqualTo(1);
    }

    @Test
    void aCompactedSchemaOverTheLimitIsRefused() {
        StringBuilder metadata = new StringBuilder("{\"properties\": [");
        for (int i = 0; i < 5000; i++) {
            metadata.append(i == 0 ? "" : ",").append("{\"name\": \"acme.a-rather-long-group-name.and-a-long-property-name-").append(i)
                    .append("\", \"type\": \"java.lang.String\"}");
        }
        byte[] input = bytes(metadata.append("]}").toString());

        assertThatThrownBy(() -> ConfigSchema.fromMetadata(input)).isInstanceOf(InvalidSchema.class)
                .hasMessageMatching("compacted schema is \\d+ bytes; the limit is 262144");
    }

    @Test
    void whatIsNotTheCompactFormIsRefused() {
        String valid = new String(ConfigSchema.fromMetadata(bytes(
                "{\"properties\": [{\"name\": \"a.b\", \"type\": \"java.lang.String\"}]}")).toCompactJson(), StandardCharsets.UTF_8);
        assertThat(ConfigSchema.fromCompactJson(bytes(valid)).properties()).isEqualTo(1);

        assertCompactRefused("nope", "not JSON");
        assertCompactRefused(valid.replace("\"format\":1", "\"format\":2"), "expected an object of format 1");
        assertCompactRefused(valid.replace("\"hints\":{}", "\"hints\":{\"x.y\":[\"a\"]}"), "'x.y' is not declared");
        assertCompactRefused(valid.replace("\"a.b\"", "\"a.B\""), "'a.B' is not a canonical property name");
        assertCompactRefused(valid.replace("\"untyped\":[]", "\"untyped\":[\"a.b\"]"), "'a.b' is declared twice");
        assertCompactRefused(valid.replace("\"deprecations\":{}", "\"deprecations\":{\"a.b\":{\"level\":\"fatal\"}}"),
                "the deprecation of 'a.b' is not");
        assertCompactRefused(valid.replace("\"format\":1", "\"format\":1,\"extra\":true"), "expected an object of format 1");
        for (String deprecation : List.of("{}", "{\"level\":1}", "\"error\"", "{\"level\":\"error\",\"reason\":\"gone\"}")) {
            assertCompactRefused(valid.replace("\"deprecations\":{}", "\"deprecations\":{\"a.b\":" + deprecation + "}"),
                    "the deprecation of 'a.b' is not");
        }
    }

    private static void assertRefused(String metadata, String message) {
        assertThatThrownBy(() -> ConfigSchema.fromMetadata(bytes(metadata))).as(metadata)
                .isInstanceOf(InvalidSchema.class).hasMessageContaining(message);
    }

    private static void assertCompactRefused(String compact, String message) {
        assertThatThrownBy(() -> ConfigSchema.fromCompactJson(bytes(compact))).as(compact)
                .isInstanceOf(InvalidSchema.class).hasMessageStartingWith("not a compact schema: ").hasMessageContaining(message);
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
