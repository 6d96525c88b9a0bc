package io.muster.springconfig;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes an environment in each of its {@link Environments.View views}. Deterministic: equal
 * sources give equal bytes on every node.
 *
 * <p>Thread-safe: the mapper is immutable; a YAML writer is made per call.
 */
final class EnvironmentRendering {

    /** A plain mapper: Muster's own drops nulls, while the Environment JSON keeps label and state. */
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private EnvironmentRendering() {
    }

    /** Plain JSON of {@code value}. */
    static byte[] json(Object value) {
        return JSON.writeValueAsBytes(value);
    }

    static byte[] render(Environments.View view, EnvironmentQuery query, String label, String version,
            List<Environments.Source> sources) {
        return switch (view) {
            case ENVIRONMENT -> JSON.writeValueAsBytes(Environments.environment(query, label, version, sources));
            case PROPERTIES -> properties(Environments.merged(sources));
            case YAML -> yaml(nested(Environments.merged(sources)));
            case JSON -> JSON.writeValueAsBytes(nested(Environments.merged(sources)));
        };
    }

    private static Map<String, Object> nested(Map<String, Object> merged) {
        PropertyTree tree = new PropertyTree();
        merged.forEach(tree::put);
        return tree.build();
    }

    private static byte[] properties(Map<String, Object> merged) {
        StringBuilder text = new StringBuilder();
        merged.forEach((name, value) -> text.append(escapeName(name)).append(": ").append(escape(String.valueOf(value))).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** As java.util.Properties would escape them: a name's separators and a value's leading space. */
    private static String escapeName(String name) {
        StringBuilder escaped = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == ' ' || c == ':' || c == '=' || c == '#' || c == '!' || c == '\\') {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    private static String escape(String value) {
        String escaped = value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
        return escaped.startsWith(" ") ? "\\" + escaped : escaped;
    }

    private static byte[] yaml(Map<String, Object> tree) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        return (tree.isEmpty() ? "{}\n" : new Yaml(options).dump(tree)).getBytes(StandardCharsets.UTF_8);
    }
}
