package io.muster.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The executable jar of an earlier commit of this repository, for the upgrade tests: exported from git
 * history ({@code git archive}, so the working tree and the repository are left as they are), built once
 * with its own Maven wrapper, tests skipped, and kept under {@code target/upgrade/} for later runs.
 */
final class OldBuild {

    private static final Path ROOT = Path.of("target", "upgrade");

    private OldBuild() {
    }

    /** The jar of {@code commit}, building it first if this checkout has not yet. */
    static synchronized Path jar(String commit) throws IOException, InterruptedException {
        Path jar = ROOT.resolve("muster-" + commit + ".jar").toAbsolutePath();
        if (Files.exists(jar)) {
            return jar;
        }
        Path source = ROOT.resolve("src-" + commit).toAbsolutePath();
        ProcessNode.deleteTree(source);
        Files.createDirectories(source);
        Path log = ROOT.resolve("build-" + commit + ".log").toAbsolutePath();
        run(log, 120, Path.of("").toAbsolutePath(), "bash", "-c",
                "git cat-file -e " + commit + "^{commit} && git archive " + commit + " | tar -x -C " + source);
        run(log, 900, source, "bash", "./mvnw", "-B", "-ntp", "-q", "package", "-DskipTests");
        try (Stream<Path> files = Files.list(source.resolve("target"))) {
            Path built = files.filter(file -> file.getFileName().toString().matches("muster-.*\\.jar"))
                    .filter(file -> !file.getFileName().toString().contains("plain")).findFirst()
                    .orElseThrow(() -> new IOException("the build of " + commit + " made no jar: see " + log));
            Files.copy(built, jar);
        }
        ProcessNode.deleteTree(source);
        return jar;
    }

    private static void run(Path log, int seconds, Path directory, String... command)
            throws IOException, InterruptedException {
        Process process = Processes.start(new ProcessBuilder(List.of(command)).directory(directory.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())));
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            Processes.kill(process);
            throw new IOException(String.join(" ", command) + " did not finish within " + seconds + " s: see " + log);
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (a clone without history cannot build an "
                    + "old commit): see " + log);
        }
    }
}
