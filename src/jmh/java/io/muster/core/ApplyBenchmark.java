package io.muster.core;

import java.util.List;
import java.util.TreeMap;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What apply costs per command kind, on the deterministic core alone (no Raft, no view, no HTTP): a
 * store holding {@code keys} entries, commands authored as a request's would be, each applied at the
 * next index. Each benchmark applies the commands that keep the store the same size, so every
 * iteration measures the same state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-XX:+UseSerialGC"})
public class ApplyBenchmark {

    private static final String PRINCIPAL = "bench";

    @Param({"10000"})
    int keys;

    private KvStore store;
    private long index;
    private long time;
    private int next;
    private byte[] value;
    private String[] names;
    private long lease;

    @Setup(Level.Trial)
    public void fill() {
        store = new KvStore();
        // The principal's token, as on a node that checks tokens: apply refuses commands of unknown ones.
        index++;
        store.apply(index, new Stamp(time, 10), new Command.CreateToken(PRINCIPAL, new byte[32], Role.WRITER,
                List.of(), false));
        value = new byte[64];
        names = new String[keys];
        for (int i = 0; i < keys; i++) {
            names[i] = "config/service-" + (i % 100) + "/key-" + i;
            apply(new Command.Put(names[i], value, "text/plain", Command.ANY, 0));
        }
        lease = store.revision() + 1;
        apply(new Command.GrantLease(60_000));
        // Every benchmark must measure applied commands, not refusals: check each kind once.
        for (Result result : List.of(put(), putIfUnchanged(), deleteAndPut(), txn(), registerInstance(), lockAndUnlock(),
                grantAndRevokeLease())) {
            if (result instanceof Rejected rejected) {
                throw new IllegalStateException("the benchmark's command was refused: " + rejected);
            }
        }
    }

    private Result apply(Command command) {
        index++;
        time += 1; // leader time moves a millisecond per entry, as stamped
        return store.apply(index, new Stamp(time, 10), new Command.Authored(PRINCIPAL, "request", command)).result();
    }

    private String key() {
        next = next + 1 == keys ? 0 : next + 1;
        return names[next];
    }

    @Benchmark
    public Result put() {
        return apply(new Command.Put(key(), value, "text/plain", Command.ANY, 0));
    }

    /** A compare-and-set put: the expected revision is read first, as a client's CAS loop would. */
    @Benchmark
    public Result putIfUnchanged() {
        String key = key();
        return apply(new Command.Put(key, value, "text/plain", store.get(key).modRevision(), 0));
    }

    /** A delete and the put that brings the key back: two entries per call. */
    @Benchmark
    public Result deleteAndPut() {
        String key = key();
        apply(new Command.Delete(key, Command.ANY));
        return apply(new Command.Put(key, value, "text/plain", Command.ANY, 0));
    }

    /** A transaction: compare one key's version, then put two keys. */
    @Benchmark
    public Result txn() {
        String first = key();
        String second = key();
        return apply(new Command.Txn(List.of(Compare.number(first, Compare.Target.VERSION, Compare.Operator.GREATER, 0)),
                List.of(new Op.Put(first, value, "text/plain", 0), new Op.Put(second, value, "text/plain", 0)),
                List.of()));
    }

    /** Registers (updates) one of 1,000 instances of a service, bound to a shared lease. */
    @Benchmark
    public Result registerInstance() {
        TreeMap<String, String> metadata = new TreeMap<>();
        metadata.put("version", "2.3");
        return apply(new Command.RegisterInstance("checkout", "i-" + (next++ % 1000), "10.0.0.1", 8080, "z1",
                List.of("v2"), metadata, Instance.Status.UP, lease, 0));
    }

    /** Acquires and releases a lock: two entries per call. */
    @Benchmark
    public Result lockAndUnlock() {
        LockResult acquired = (LockResult) apply(new Command.AcquireLock("jobs/nightly", lease, "worker"));
        return apply(new Command.ReleaseLock("jobs/nightly", acquired.lock().holder().token()));
    }

    /** Grants a lease and revokes it: two entries per call. */
    @Benchmark
    public Result grantAndRevokeLease() {
        long granted = index + 1;
        apply(new Command.GrantLease(30_000));
        return apply(new Command.RevokeLease(granted));
    }
}
