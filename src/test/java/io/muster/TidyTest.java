package io.muster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the architecture's promises by reading the sources: the core stays deterministic and
 * dependency-free (docs/design.md, determinism rules), and only the raft package touches Ratis.
 */
class TidyTest {

    private static final Path MAIN = Path.of("src/main/java/io/muster");

    /** What must never appear in the deterministic core, and why. */
    private static final Map<String, String> CORE_BANNED = Map.ofEntries(
            Map.entry("import org\\.springframework", "Spring"),
            Map.entry("import org\\.apache\\.ratis", "Ratis"),
            Map.entry("import org\\.slf4j|java\\.util\\.logging|System\\.out|System\\.err", "logging or printing"),
            Map.entry("currentTimeMillis|nanoTime|Instant\\.now|LocalDate(Time)?\\.now|Clock\\b|ZonedDateTime\\.now", "a clock"),
            Map.entry("\\bRandom\\b|ThreadLocalRandom|SecureRandom|randomUUID|Math\\.random", "randomness"),
            Map.entry("System\\.getenv|System\\.getProperty|Runtime\\.getRuntime", "the environment"),
            Map.entry("java\\.io\\.File\\b|java\\.io\\.File(Input|Output)Stream|java\\.io\\.RandomAccessFile|java\\.nio\\.file|java\\.nio\\.channels|java\\.net\\.",
                    "files or the network"),
            Map.entry("\\bHashMap\\b|\\bHashSet\\b|ConcurrentHashMap|Collectors\\.toSet|Collectors\\.toMap|Set\\.of\\(|Map\\.of\\(",
                    "a hash-ordered collection"),
            Map.entry("\\bThread\\b|synchronized|java\\.util\\.concurrent", "threads"),
            Map.entry("hashCode\\(\\)\\s*[%<>]|identityHashCode", "an identity- or hash-dependent decision"));

    @Test
    void theCoreIsDeterministicAndDependsOnNothingOfOurs() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : javaFiles(MAIN.resolve("core"))) {
            String code = withoutComments(Files.readString(file));
            CORE_BANNED.forEach((pattern, what) -> {
                var matcher = Pattern.compile(pattern).matcher(code);
                if (matcher.find()) {
                    violations.add(file.getFileName() + " uses " + what + ": '" + matcher.group() + "'");
                }
            });
            if (Pattern.compile("import io\\.muster\\.(?!core)").matcher(code).find()) {
                violations.add(file.getFileName() + " imports another Muster package");
            }
        }
        assertThat(violations).isEmpty();
        assertThat(javaFiles(MAIN.resolve("core"))).hasSizeGreaterThan(10);
    }

    @Test
    void onlyTheRaftPackageImportsRatis() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : javaFiles(MAIN)) {
            if (!file.startsWith(MAIN.resolve("raft")) && Files.readString(file).contains("import org.apache.ratis")) {
                violations.add(MAIN.relativize(file).toString());
            }
        }
        assertThat(violations).isEmpty();
    }

    /** The Ratis adapter carries rules out and holds none: it depends on the core and the helpers only. */
    @Test
    void theRaftPackageImportsNoFeature() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : javaFiles(MAIN.resolve("raft"))) {
            var matcher = Pattern.compile(
                    "import io\\.muster\\.(?!core\\.|support\\.|raft\\.|replication\\.|MusterProperties;)[\\w.]+")
                    .matcher(Files.readString(file));
            while (matcher.find()) {
                violations.add(file.getFileName() + ": " + matcher.group());
            }
        }
        assertThat(violations).isEmpty();
    }

    /**
     * Features write, read and follow the state through the replication boundary, never through the
     * Ratis adapter: only {@code cluster} (which changes the Raft configuration) reaches into {@code raft}.
     * And the boundary itself knows nothing of Ratis' adapter or of any feature.
     */
    @Test
    void featuresTalkToTheReplicationBoundaryNotToRaft() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : javaFiles(MAIN)) {
            Path relative = MAIN.relativize(file);
            boolean adapter = relative.startsWith("raft") || relative.startsWith("cluster");
            String code = Files.readString(file).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
            if (!adapter && code.contains("io.muster.raft.")) { // imports, static imports and qualified names
                violations.add(relative.toString());
            }
            if (relative.startsWith("replication")) {
                var matcher = Pattern.compile("import io\\.muster\\.(?!core\\.|support\\.|replication\\.)[\\w.]+")
                        .matcher(Files.readString(file));
                while (matcher.find()) {
                    violations.add(relative + ": " + matcher.group());
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void everyPackageStatesItsRules() throws IOException {
        try (Stream<Path> directories = Files.walk(MAIN)) {
            List<Path> missing = directories.filter(Files::isDirectory)
                    .filter(directory -> hasJava(directory))
                    .filter(directory -> !Files.exists(directory.resolve("package-info.java")))
                    .filter(directory -> !directory.equals(MAIN))
                    .toList();
            assertThat(missing).isEmpty();
        }
    }

    private static boolean hasJava(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.anyMatch(file -> file.toString().endsWith(".java"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Path> javaFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
        }
    }

    /** Drops comments so that prose about clocks or randomness does not count as using them. */
    static String withoutComments(String code) {
        return code.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
    }
}
