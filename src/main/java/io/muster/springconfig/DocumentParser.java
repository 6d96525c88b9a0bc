package io.muster.springconfig;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.boot.env.PropertySourceLoader;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import java.io.StringReader;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a configuration document into the flat property map a local file of the same content would
 * give a Spring Boot application ({@code a.b[0].c} keys, YAML scalars typed as Boot types them), with
 * Spring Boot's own YAML and properties loaders; JSON is flattened the same way. Runs on the node that
 * receives a write, before anything is proposed, and when a document is served: never in apply.
 *
 * <p>Thread-safe: stateless.
 */
final class DocumentParser {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final PropertySourceLoader YAML = new YamlPropertySourceLoader();
    /**
     * Spring Boot's YAML loader lifts SnakeYAML's limits (it trusts local files): documents come from
     * clients, so they are first read with these, which refuse alias bombs, deep nesting and recursion.
     */
    private static final int MAX_ALIASES = 50;
    private static final int MAX_NESTING = 50;
    private static final int MAX_EXPANDED_NODES = 200_000;
    private static final ConfigurationPropertyName ACTIVATE = ConfigurationPropertyName.of("spring.config.activate");
    private static final ConfigurationPropertyName IMPORT = ConfigurationPropertyName.of("spring.config.import");
    private static final PropertySourceLoader PROPERTIES = new PropertiesPropertySourceLoader();

    private DocumentParser() {
    }

    /**
     * The document's properties in document order, values unwrapped (strings, numbers, booleans).
     *
     * @throws InvalidDocument when it does not parse or holds what a document may not
     */
    static Map<String, Object> parse(DocumentFormat format, byte[] content) {
        String text = utf8(content);
        Map<String, Object> properties = switch (format) {
            case YAML -> {
                checkYamlLimits(text);
                yield load(YAML, text.getBytes(StandardCharsets.UTF_8));
            }
            case PROPERTIES -> load(PROPERTIES, asciiProperties(text));
            case JSON -> json(text);
        };
        return Collections.unmodifiableMap(properties);
    }

    private static String utf8(byte[] content) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidDocument("the document is not UTF-8 text");
        }
    }

    /** Spring Boot reads properties files as ISO-8859-1; documents are UTF-8, so the rest is escaped. */
    private static byte[] asciiProperties(String text) {
        refuseMalformedEscapes(text);
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                escaped.append(c);
            } else {
                escaped.append(String.format("\\u%04x", (int) c));
            }
        }
        return escaped.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Map<String, Object> load(PropertySourceLoader loader, byte[] content) {
        List<PropertySource<?>> documents;
        try {
            documents = loader.load("document", new ByteArrayResource(content));
        } catch (IOException | RuntimeException e) {
            throw describe(e);
        } catch (StackOverflowError e) {
            throw new InvalidDocument("the document refers to itself (an alias inside its own anchor)");
        }
        if (documents.size() > 1) {
            throw new InvalidDocument("the document holds " + documents.size() + " documents ('---' or '#---'); "
                    + "store one document per key: profiles are keys here, config/{application}/{profile}");
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        if (!documents.isEmpty()) {
            Map<?, ?> source = ((OriginTrackedMapPropertySource) documents.get(0)).getSource();
            source.forEach((name, value) -> {
                Object plain = value instanceof OriginTrackedValue tracked ? tracked.getValue() : value;
                refuseReserved((String) name, value instanceof OriginTrackedValue tracked ? tracked.getOrigin() : null);
                properties.put((String) name, plain);
            });
        }
        return properties;
    }

    private static Map<String, Object> json(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            TokenStreamLocation at = e.getLocation();
            throw new InvalidDocument(e.getOriginalMessage(), at == null ? 0 : Math.max(0, at.getLineNr()),
                    at == null ? 0 : Math.max(0, at.getColumnNr()));
        }
        if (root == null || root.isMissingNode()) {
            return new LinkedHashMap<>();
        }
        if (!root.isObject()) {
            throw new InvalidDocument("a JSON document must be an object, not " + root.getNodeType().name().toLowerCase(), 1, 1);
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        root.properties().forEach(field -> flatten(field.getKey(), field.getValue(), properties));
        properties.keySet().forEach(name -> refuseReserved(name, null));
        return properties;
    }

    private static void flatten(String path, JsonNode node, Map<String, Object> into) {
        if (node.isObject() && !node.isEmpty()) {
            node.properties().forEach(field -> flatten(path + "." + field.getKey(), field.getValue(), into));
        } else if (node.isArray() && !node.isEmpty()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(path + "[" + i + "]", node.get(i), into);
            }
        } else if (node.isNumber()) {
            into.put(path, node.numberValue());
        } else if (node.isBoolean()) {
            into.put(path, node.booleanValue());
        } else if (node.isString()) {
            into.put(path, node.stringValue());
        } else {
            // null and empty containers: an empty value, as Spring Boot's YAML loading gives them
            into.put(path, "");
        }
    }

    /**
     * Profiles are keys here, and a document must not pull in more configuration: a client would
     * act on either without the server knowing.
     */
    private static void refuseReserved(String name, Origin origin) {
        // Compared as Spring binds names (relaxed): spring.config.Import and spring.config.im-port count too.
        ConfigurationPropertyName adapted = ConfigurationPropertyName.adapt(name, '.');
        boolean activate = ACTIVATE.isAncestorOf(adapted);
        if (activate || IMPORT.equals(adapted) || IMPORT.isAncestorOf(adapted)) {
            int line = 0;
            int column = 0;
            if (origin instanceof TextResourceOrigin text && text.getLocation() != null) {
                line = text.getLocation().getLine() + 1;
                column = text.getLocation().getColumn() + 1;
            }
            throw new InvalidDocument("'" + name + "' may not be set in a configuration document: "
                    + (activate
                            ? "profiles are keys here, config/{application}/{profile}"
                            : "a served document cannot import more configuration"), line, column);
        }
    }

    private static InvalidDocument describe(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYAMLException yaml) {
                Mark mark = yaml.getProblemMark() != null ? yaml.getProblemMark() : yaml.getContextMark();
                String problem = yaml.getProblem() != null ? yaml.getProblem() : yaml.getContext();
                return mark == null ? new InvalidDocument(String.valueOf(problem))
                        : new InvalidDocument(String.valueOf(problem), mark.getLine() + 1, mark.getColumn() + 1);
            }
        }
        String message = failure.getMessage();
        return new InvalidDocument(message == null ? failure.getClass().getSimpleName() : message);
    }

    /**
     * Spring Boot's loader fails on a malformed unicode escape without saying where; this says where.
     * Its reader decodes escapes before it knows a line is a comment, so comments are checked too.
     */
    private static void refuseMalformedEscapes(CharSequence text) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < text.length() - 1; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                lineStart = i + 1;
            } else if (c == '\\') {
                if (text.charAt(i + 1) == 'u') {
                    String digits = text.subSequence(i + 2, Math.min(text.length(), i + 6)).toString();
                    if (digits.length() < 4 || !digits.chars().allMatch(d -> Character.digit(d, 16) >= 0)) {
                        throw new InvalidDocument("malformed unicode escape '\\u" + digits + "'", line, i - lineStart + 1);
                    }
                }
                i++;
                if (text.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
        }
    }

    /** Reads the YAML once with SnakeYAML's limits; what breaks one is refused with where. */
    private static void checkYamlLimits(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setAllowRecursiveKeys(false);
        options.setAllowDuplicateKeys(false);
        options.setCodePointLimit(Math.max(text.length() + 1, 3 * 1024 * 1024));
        try {
            int[] budget = {MAX_EXPANDED_NODES};
            for (Node document : new Yaml(new SafeConstructor(options)).composeAll(new StringReader(text))) {
                refuseRecursion(document, new java.util.IdentityHashMap<>(), budget);
            }
        } catch (MarkedYAMLException e) {
            throw describe(e);
        } catch (YAMLException e) {
            throw new InvalidDocument(e.getMessage());
        }
    }

    /**
     * An alias that points into its own anchor makes a structure without end, and aliases of aliases
     * multiply (a few lines can stand for millions of values): both are refused, counting every node as
     * the expanded document would hold it.
     */
    private static void refuseRecursion(Node node, java.util.Map<Node, Boolean> open, int[] budget) {
        if (--budget[0] < 0) {
            throw new InvalidDocument("the document expands to more than " + MAX_EXPANDED_NODES
                    + " values (through its aliases)");
        }
        if (node instanceof ScalarNode) {
            return;
        }
        if (open.put(node, Boolean.TRUE) != null) {
            Mark at = node.getStartMark();
            throw new InvalidDocument("the document refers to itself (an alias inside its own anchor)",
                    at == null ? 0 : at.getLine() + 1, at == null ? 0 : at.getColumn() + 1);
        }
        if (node instanceof SequenceNode sequence) {
            sequence.getValue().forEach(child -> refuseRecursion(child, open, budget));
        } else if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                refuseRecursion(tuple.getKeyNode(), open, budget);
                refuseRecursion(tuple.getValueNode(), open, budget);
            }
        }
        open.remove(node);
    }
}
