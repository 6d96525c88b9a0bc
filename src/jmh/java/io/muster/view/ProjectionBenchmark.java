package io.muster.view;

import io.muster.core.Applied;
import io.muster.core.Command;
import io.muster.core.KvStore;
import io.muster.core.Stamp;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The H2 view's projection: batches of {@value #BATCH} applied puts (each with its audit record) over
 * {@code keys} keys written into an in-memory H2 database with the view's schema, as the projector
 * thread does. The score is per applied entry.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-XX:+UseSerialGC"})
public class ProjectionBenchmark {

    static final int BATCH = 32;

    @Param({"10000"})
    int keys;

    private Connection connection;
    private Projection projection;
    private KvStore store;
    private long watermark;
    private int next;

    @Setup(Level.Trial)
    public void open() throws SQLException {
        connection = DriverManager.getConnection("jdbc:h2:mem:projection-bench-" + UUID.randomUUID(), "sa", "");
        try (var statement = connection.createStatement()) {
            statement.execute("RUNSCRIPT FROM 'classpath:schema.sql'");
        }
        projection = new Projection(connection, 100_000);
        store = new KvStore();
        for (int i = 0; i < keys / BATCH; i++) {
            project();
        }
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
        projection.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long project() throws SQLException {
        List<Projection.Event> events = new ArrayList<>(BATCH);
        byte[] value = new byte[64];
        for (int i = 0; i < BATCH; i++) {
            long revision = watermark + 1 + i;
            String key = "config/key-" + (next++ % keys);
            Applied applied = store.apply(revision, new Stamp(revision, 10),
                    new Command.Authored(Command.Authored.ANONYMOUS, "request-" + revision, new Command.Put(key, value, "text/plain", Command.ANY, 0)));
            events.add(new Projection.Event(applied, 0));
        }
        projection.apply(events, watermark);
        watermark += BATCH;
        return watermark;
    }
}
