package io.muster.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
