package io.muster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs where the tests run, so this reads the Dockerfile and checks what the image
 * promises: a multi-stage build with the Maven wrapper and a dependency layer, a JRE runtime from
 * Spring Boot's extracted layers, a non-root numeric user, the data volume, both ports, container-aware
 * memory and graceful shutdown; and a .dockerignore that keeps the build context small.
 */
class DockerfileTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    /** The instructions of one stage, continuation lines joined, comments dropped. */
    record Stage(String from, List<String> instructions) {

        List<String> all(String keyword) {
            return instructions.stream().filter(line -> line.startsWith(keyword + " ")).toList();
        }
    }

    @Test
    void buildsWithTheWrapperAndADependencyLayerOnAJdk() throws IOException {
        List<Stage> stages = stages();
        assertThat(stages).hasSize(2);
        Stage build = stages.get(0);
        assertThat(build.from()).matches("eclipse-temurin:\\$\\{JAVA_VERSION}-jdk-\\w+ AS build");
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        java.util.regex.Matcher release = Pattern.compile("<java\\.version>(\\d+)</java\\.version>").matcher(pom);
        assertThat(release.find()).isTrue();
        assertThat(Files.readAllLines(ROOT.resolve("Dockerfile"))).as("the image's JDK is the build's")
                .contains("ARG JAVA_VERSION=" + release.group(1));
        List<String> steps = build.instructions();
        int goOffline = indexOf(steps, "RUN .*\\./mvnw .*dependency:go-offline.*");
        int copySources = indexOf(steps, "COPY src src");
        int packageStep = indexOf(steps, "RUN .*\\./mvnw .*package.*");
        assertThat(indexOf(steps, "COPY mvnw pom.xml \\./")).as("wrapper and POM first").isLessThan(goOffline);
        assertThat(goOffline).as("dependencies resolved before the sources are copied").isLessThan(copySources);
        assertThat(copySources).isLessThan(packageStep);
        assertThat(steps.get(packageStep)).contains("-Djarmode=tools").contains("extract --layers --destination /layers")
                .as("the plain class-path layout, which the ahead-of-time cache needs").doesNotContain("--launcher");
    }

    @Test
    void runsOnAJreAsANonRootNumericUserWithTheDataVolumeBothPortsAndGracefulShutdown() throws IOException {
        Stage runtime = stages().get(1);
        assertThat(runtime.from()).matches("eclipse-temurin:\\$\\{JAVA_VERSION}-jre-\\w+");
        assertThat(runtime.all("COPY")).filteredOn(line -> line.startsWith("COPY --from=build /layers/"))
                .extracting(line -> line.split("\\s+")[1].replace("--from=build", "") + line.split("\\s+")[2])
                .containsExactly("/layers/dependencies/", "/layers/spring-boot-loader/",
                        "/layers/snapshot-dependencies/", "/layers/application/");
        List<String> users = runtime.all("USER");
        assertThat(users).hasSize(1);
        assertThat(users.get(0)).matches("USER [1-9][0-9]*:[1-9][0-9]*");
        assertThat(runtime.all("VOLUME")).containsExactly("VOLUME [\"/data\"]");
        assertThat(runtime.all("EXPOSE")).containsExactly("EXPOSE 8080 7070");
        assertThat(runtime.all("ENV")).anySatisfy(env -> assertThat(env).contains("-XX:MaxRAMPercentage=")
                .contains("MUSTER_DATA_DIR=/data"));
        assertThat(runtime.all("STOPSIGNAL")).containsExactly("STOPSIGNAL SIGTERM");
        String quiet = "--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED";
        assertThat(runtime.all("ENTRYPOINT")).containsExactly("ENTRYPOINT [\"java\", "
                + "\"--sun-misc-unsafe-memory-access=allow\", \"--enable-native-access=ALL-UNNAMED\", "
                + "\"-XX:AOTCache=/app/muster.aot\", \"-jar\", \"/app/muster.jar\"]");
        assertThat(runtime.all("RUN")).as("the cache the entry point maps is recorded by a training start with its options")
                .anySatisfy(run -> assertThat(run).contains("java " + quiet + " -XX:AOTCacheOutput=/app/muster.aot")
                        .contains("-Dspring.context.exit=onRefresh").contains("-jar /app/muster.jar")
                        .contains("rm -rf /tmp/aot-training"));
        assertThat(runtime.all("ENV")).as("JVM options a JDK 17 refuses stay out of what the chart overrides")
                .noneMatch(env -> env.contains("--sun-misc") || env.contains("--enable-native-access"));
        int user = runtime.instructions().indexOf(users.get(0));
        assertThat(runtime.instructions().subList(user, runtime.instructions().size()))
                .as("nothing runs as root after USER").noneMatch(line -> line.startsWith("RUN "));
    }

    @Test
    void noImageIsUnpinnedAndTheContextLeavesOutWhatTheBuildDoesNotNeed() throws IOException {
        assertThat(stages()).allSatisfy(stage -> assertThat(stage.from()).doesNotContain(":latest").contains(":"));
        List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
        assertThat(ignored).contains(".git", "target", "data", "helm");
        assertThat(ignored).doesNotContain("src", "pom.xml", "mvnw", ".mvn", "application.yml");
    }

    private static int indexOf(List<String> steps, String regex) {
        Pattern pattern = Pattern.compile(regex);
        for (int i = 0; i < steps.size(); i++) {
            if (pattern.matcher(steps.get(i)).matches()) {
                return i;
            }
        }
        throw new AssertionError("no step matches " + regex + " in " + steps);
    }

    private static List<Stage> stages() throws IOException {
        List<String> lines = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String raw : Files.readAllLines(ROOT.resolve("Dockerfile"))) {
            String line = raw.strip();
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            lines.add((pending + line).replaceAll("\\s+", " ").strip());
            pending.setLength(0);
        }
        List<Stage> stages = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("FROM ")) {
                stages.add(new Stage(line.substring(5), new ArrayList<>()));
            } else if (!stages.isEmpty()) {
                stages.get(stages.size() - 1).instructions().add(line);
            }
        }
        return stages;
    }
}
