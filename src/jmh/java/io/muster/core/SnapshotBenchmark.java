package io.muster.core;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Writing and loading a snapshot of {@code entries} entries of 100-byte values (keys like
 * {@code load/entry-123456}), through a file as the node does (64 KiB buffers, no fsync: the disk is
 * measured by the scale figures, the codec here).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-XX:+UseSerialGC"})
public class SnapshotBenchmark {

    @Param({"1000000"})
    int entries;

    private KvStore store;
    private Path file;

    @Setup(Level.Trial)
    public void fill() throws IOException {
        store = new KvStore();
        byte[] value = new byte[100];
        Stamp stamp = new Stamp(1_764_000_000_000L, 10);
        for (int i = 1; i <= entries; i++) {
            store.apply(i, stamp, new Command.Put("load/entry-" + i, value, "text/plain", Command.ANY, 0));
        }
        if (store.size() != entries) {
            throw new IllegalStateException("the store holds " + store.size() + " entries, not " + entries);
        }
        file = Files.createTempFile("muster-snapshot-bench", ".snapshot");
        write();
        System.out.printf("%n%d entries: snapshot file %,d bytes%n", entries, Files.size(file));
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    public long write() throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            SnapshotCodec.write(store, out);
        }
        return Files.size(file);
    }

    @Benchmark
    public KvStore load() throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return SnapshotCodec.read(in);
        }
    }
}
