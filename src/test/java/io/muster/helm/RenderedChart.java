package io.muster.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * The objects helm/muster renders to, by Helm's own engine (helm-java), with ways to walk them. Used by
 * the chart's tests and by the StatefulSet simulation, which starts processes exactly as rendered.
 */
public record RenderedChart(List<Map<String, Object>> objects) {

    public static final Path CHART = Path.of("helm", "muster").toAbsolutePath();

    /** Renders release {@code release} into {@code namespace} with these values set. */
    public static RenderedChart render(String release, String namespace, Map<String, Object> values) {
        return render(CHART, release, namespace, values);
    }

    /** Renders another chart (an application's, in the tests) the same way. */
    public static RenderedChart render(Path chart, String release, String namespace, Map<String, Object> values) {
        TemplateCommand template = new Helm(chart).template().withName(release).withNamespace(namespace)
                .withKubeVersion("1.30.0");
        values.forEach(template::set);
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml().loadAll(template.call())) {
            if (document != null) {
                objects.add(cast(document));
            }
        }
        return new RenderedChart(objects);
    }

    /**
     * These objects as Helm would render them for release revision {@code revision} ({@code helm template}
     * always renders revision 1; the members ConfigMap's generation is that revision).
     */
    public RenderedChart withRevision(int revision) {
        List<Map<String, Object>> changed = new ArrayList<>();
        for (Map<String, Object> object : objects) {
            Map<String, Object> copy = new java.util.LinkedHashMap<>(object);
            if ("ConfigMap".equals(object.get("kind")) && map(object, "data").containsKey("members.properties")) {
                Map<String, Object> data = new java.util.LinkedHashMap<>(map(object, "data"));
                data.put("members.properties", ((String) data.get("members.properties"))
                        .replace("muster.membership.desired-generation=1", "muster.membership.desired-generation=" + revision));
                copy.put("data", data);
            }
            changed.add(copy);
        }
        return new RenderedChart(changed);
    }

    public List<String> kinds() {
        return objects.stream().map(object -> (String) object.get("kind")).toList();
    }

    public Map<String, Object> one(String kind) {
        List<Map<String, Object>> found = objects.stream().filter(object -> kind.equals(object.get("kind"))).toList();
        assertThat(found).as("exactly one " + kind).hasSize(1);
        return found.get(0);
    }

    public Map<String, Object> named(String kind, String name) {
        return objects.stream().filter(object -> kind.equals(object.get("kind"))
                && name.equals(path(object, "metadata", "name"))).findFirst().orElseThrow();
    }

    /** The StatefulSet's pod template spec. */
    public Map<String, Object> podSpec() {
        return map(map(map(one("StatefulSet"), "spec"), "template"), "spec");
    }

    /** The one container of the pod template. */
    public Map<String, Object> container() {
        return container(podSpec());
    }

    /** application.yml as its ConfigMap carries it. */
    public String applicationYml() {
        return configMapFile("application.yml");
    }

    /** members.properties (the wanted voters and their generation) as its ConfigMap carries it. */
    public String membersProperties() {
        return configMapFile("members.properties");
    }

    private String configMapFile(String file) {
        List<Map<String, Object>> holders = objects.stream().filter(object -> "ConfigMap".equals(object.get("kind"))
                && map(object, "data").containsKey(file)).toList();
        assertThat(holders).as("one ConfigMap with " + file).hasSize(1);
        return (String) map(holders.get(0), "data").get(file);
    }

    public static Map<String, Object> container(Map<String, Object> pod) {
        List<Object> containers = list(pod, "containers");
        assertThat(containers).hasSize(1);
        return cast(containers.get(0));
    }

    public static Map<String, Object> envEntry(Map<String, Object> container, String name) {
        return list(container, "env").stream().map(RenderedChart::cast).filter(entry -> name.equals(entry.get("name")))
                .findFirst().orElseThrow(() -> new AssertionError("no env " + name));
    }

    public static Object env(Map<String, Object> container, String name) {
        return envEntry(container, name).get("value");
    }

    public static Object path(Map<String, Object> object, String... keys) {
        Object current = object;
        for (String key : keys) {
            assertThat(current).as("at " + key).isInstanceOf(Map.class);
            current = ((Map<?, ?>) current).get(key);
        }
        return current;
    }

    public static Map<String, Object> map(Map<String, Object> object, String key) {
        return cast(object.get(key));
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Map<String, Object> object, String key) {
        return (List<Object>) object.get(key);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> cast(Object object) {
        return (Map<String, Object>) object;
    }
}
