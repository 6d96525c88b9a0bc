package io.muster.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** What the tests that run nodes as operating-system processes share: the packaged jar, and cleanup. */
final class Processes {

    /** Nodes still running when the test JVM is terminated (a cancelled build) are killed with it. */
    private static final Set<Process> ORPHAN_GUARD = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ORPHAN_GUARD.forEach(Process::destroyForcibly),
                "process-orphan-guard"));
    }

    private Processes() {
    }

    /** Starts {@code builder}'s process and makes sure it dies with the test JVM. */
    static Process start(ProcessBuilder builder) throws IOException {
        Process process = builder.start();
        ORPHAN_GUARD.add(process);
        return process;
    }

    /** SIGKILL, then waits for the process to be gone. */
    static void kill(Process process) {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** SIGTERM (what Kubernetes sends a pod it deletes), then waits up to 60 s for a graceful exit. */
    static void stop(Process process) {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    kill(process);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The JVM options and arguments that run the packaged application as a deployment would: the jar
     * extracted the way Spring Boot's tools jarmode lays it out (plain class path, no nested jars), with
     * an ahead-of-time cache (JDK 25, JEP 483/514/515) recorded by one training start
     * ({@code spring.context.exit=onRefresh}), as the image does. Prepared once per test run; a start
     * costs about half of what the fat jar costs, which matters when a restarted node boots on a machine
     * its peers and the test clients keep busy. If the training fails, nodes start without the cache.
     */
    static synchronized List<String> application() throws IOException {
        if (application == null) {
            application = prepareApplication();
        }
        return application;
    }

    private static List<String> application;

    /**
     * What a JDK 25 running Muster needs to run quietly, as the image's entry point and the POM give it:
     * Ratis' shaded Netty uses {@code sun.misc.Unsafe}'s memory access and loads its native transport.
     */
    static final List<String> QUIET = List.of("--sun-misc-unsafe-memory-access=allow",
            "--enable-native-access=ALL-UNNAMED");

    /** The JVM options every node process of the tests uses (the training start must use the same ones). */
    static final List<String> JVM_OPTIONS = Stream.concat(
            Stream.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), QUIET.stream()).toList();

    private static List<String> prepareApplication() throws IOException {
        Path jar = jar();
        Path dir = jar.getParent().resolve("launch");
        Path app = dir.resolve("app");
        Path extracted = app.resolve(jar.getFileName());
        Path cache = dir.resolve("app.aot");
        Path work = dir.resolve("training");
        try {
            if (Files.exists(dir)) {
                ProcessNode.deleteTree(dir);
            }
            Files.createDirectories(work);
            run(new ProcessBuilder(java(), "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination",
                    app.toString()), work, 120);
            List<String> training = new ArrayList<>(List.of(java()));
            training.addAll(JVM_OPTIONS);
            training.addAll(List.of("-XX:AOTCacheOutput=" + cache, "-Dspring.context.exit=onRefresh", "-jar",
                    extracted.toString(), "--server.address=127.0.0.1", "--server.port=" + TestNode.freePort(),
                    "--muster.raft.port=" + TestNode.freePort(), "--muster.data-dir=" + work.resolve("data"),
                    "--muster.security.bootstrap-token=" + TestNode.ADMIN_TOKEN, "--spring.main.banner-mode=off"));
            run(new ProcessBuilder(training), work, 300);
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            System.err.println("[processes] no ahead-of-time cache (" + e.getMessage() + "): using the fat jar");
            return List.of("-jar", jar.toString());
        }
        if (!Files.exists(cache)) {
            return Files.exists(extracted) ? List.of("-jar", extracted.toString()) : List.of("-jar", jar.toString());
        }
        // A JVM that cannot use the cache (it says why on the aot log) starts without it.
        return List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off", "-jar", extracted.toString());
    }

    private static void run(ProcessBuilder builder, Path work, int seconds) throws IOException, InterruptedException {
        Path log = work.resolve("output.log");
        Process process = start(builder.directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())));
        if (!process.waitFor(seconds, java.util.concurrent.TimeUnit.SECONDS)) {
            kill(process);
            throw new IOException(String.join(" ", builder.command()) + " did not finish in " + seconds + " s");
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", builder.command()) + " failed: see " + log);
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The executable jar {@code ./mvnw verify} packaged before the integration tests. */
    static Path jar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(file -> file.getFileName().toString().matches("muster-.*\\.jar"))
                    .filter(file -> !file.getFileName().toString().contains("plain"))
                    .findFirst().map(Path::toAbsolutePath)
                    .orElseThrow(() -> new IllegalStateException("no packaged jar in target/: run ./mvnw verify"));
        }
    }
}
