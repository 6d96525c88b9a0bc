package io.muster.springconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.web.ProblemException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Names and profiles resolve to candidate documents in Spring Cloud Config Server's precedence (the
 * last profile wins, then the last name, the shared documents lowest), and the version is a digest of
 * exactly what is served.
 */
class EnvironmentQueryTest {

    private static final ConfigDocuments DOCUMENTS = new ConfigDocuments(
            new SpringConfigProperties("config/", "stale", List.of("main")));

    private static List<String> sources(String name, String profiles) {
        return EnvironmentQuery.of(name, profiles).candidates(DOCUMENTS).stream()
                .map(candidate -> candidate.sourceName() + "=" + candidate.key()).toList();
    }

    @Test
    void oneApplicationWithoutProfiles() {
        assertThat(sources("demo", "default")).containsExactly(
                "muster:demo=config/demo/default", "muster:application=config/application/default");
    }

    @Test
    void theLastProfileAndTheLastNameWin() {
        assertThat(sources("a,b", "dev,eu")).containsExactly(
                "muster:b-eu=config/b/eu", "muster:a-eu=config/a/eu", "muster:application-eu=config/application/eu",
                "muster:b-dev=config/b/dev", "muster:a-dev=config/a/dev", "muster:application-dev=config/application/dev",
                "muster:b=config/b/default", "muster:a=config/a/default", "muster:application=config/application/default");
    }

    @Test
    void applicationAloneAndDuplicates() {
        assertThat(sources("application", "dev,dev,default")).containsExactly(
                "muster:application-dev=config/application/dev", "muster:application=config/application/default");
        assertThat(EnvironmentQuery.of("demo", "dev,default").requestedProfiles()).containsExactly("dev", "default");
    }

    @Test
    void namesAndProfilesMustBeKeySegments() {
        for (String[] bad : new String[][] {{"de mo", "dev"}, {"demo", "d/ev"}, {"demo", ""}, {"demo", "dev,"},
                {"~schema", "dev"}, {"demo", ".."}, {"a,,b", "dev"}}) {
            assertThatThrownBy(() -> EnvironmentQuery.of(bad[0], bad[1])).as(String.join(" ", bad))
                    .isInstanceOf(ProblemException.class);
        }
    }

    @Test
    void theVersionChangesExactlyWhenWhatIsServedDoes() {
        List<Environments.Source> base = List.of(new Environments.Source("muster:demo", Map.of("a", "1", "b", "2")),
                new Environments.Source("muster:application", Map.of()));
        List<Environments.Source> reordered = List.of(new Environments.Source("muster:demo", Map.of("b", "2", "a", "1")),
                new Environments.Source("muster:application", Map.of()));
        List<Environments.Source> changed = List.of(new Environments.Source("muster:demo", Map.of("a", "1", "b", "3")),
                new Environments.Source("muster:application", Map.of()));
        List<Environments.Source> moved = List.of(new Environments.Source("muster:demo", Map.of("a", "1")),
                new Environments.Source("muster:application", Map.of("b", "2")));
        List<Environments.Source> typed = List.of(new Environments.Source("muster:demo", Map.of("a", 1, "b", "2")),
                new Environments.Source("muster:application", Map.of()));
        List<Environments.Source> untyped = List.of(new Environments.Source("muster:demo", Map.of("a", "1", "b", "2")),
                new Environments.Source("muster:application", Map.of()));
        assertThat(Environments.version(base)).hasSize(16).matches("[0-9a-f]{16}")
                .isEqualTo(Environments.version(reordered))
                .isNotEqualTo(Environments.version(changed))
                .isNotEqualTo(Environments.version(moved));
        assertThat(Environments.version(typed)).as("a number and a string differ to the client")
                .isNotEqualTo(Environments.version(untyped));
        assertThat(Environments.version(List.of(new Environments.Source("s", Map.of("a", "b=c")))))
                .isNotEqualTo(Environments.version(List.of(new Environments.Source("s", Map.of("a=b", "c")))));
    }

    @Test
    void tooManyNamesOrProfilesAreRefused() {
        String eleven = String.join(",", java.util.stream.IntStream.range(0, 11).mapToObj(i -> "p" + i).toList());
        assertThatThrownBy(() -> EnvironmentQuery.of("demo", eleven)).isInstanceOf(ProblemException.class)
                .hasMessageContaining("at most 10");
        assertThatThrownBy(() -> EnvironmentQuery.of(eleven, "dev")).isInstanceOf(ProblemException.class);
    }

    @Test
    void mergedViewsLetTheHigherSourceWin() {
        List<Environments.Source> sources = List.of(new Environments.Source("muster:demo-dev", Map.of("a", "dev")),
                new Environments.Source("muster:demo", Map.of("a", "base", "b", "base")));
        assertThat(Environments.merged(sources)).containsExactly(Map.entry("a", "dev"), Map.entry("b", "base"));
    }

    @Test
    void flatNamesNestBack() {
        PropertyTree tree = new PropertyTree();
        tree.put("a.b[0].c", "x");
        tree.put("a.b[1].c", "y");
        tree.put("a.d", 1);
        tree.put("m[k.with.dots]", "v");
        tree.put("top", "t");
        tree.put("top.child", "wins");
        tree.put("sparse[999999]", "far");
        assertThat(tree.build()).isEqualTo(Map.of(
                "a", Map.of("b", List.of(Map.of("c", "x"), Map.of("c", "y")), "d", 1),
                "m", Map.of("k.with.dots", "v"),
                "top", Map.of("child", "wins"),
                "sparse", Map.of("999999", "far")));
    }
}
