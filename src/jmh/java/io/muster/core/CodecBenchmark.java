package io.muster.core;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The codecs on a put's path: the command a request proposes, the log entry the leader stamps, the
 * result the reply carries, with 64-byte and 4 KiB values.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC"})
public class CodecBenchmark {

    @Param({"64", "4096"})
    int valueBytes;

    private Command command;
    private byte[] commandBytes;
    private byte[] entryBytes;
    private Result result;
    private byte[] resultBytes;
    private final Stamp stamp = new Stamp(1_764_000_000_000L, 10);

    @Setup
    public void encodeOnce() {
        Command.Put put = new Command.Put("config/payments/feature-flags", new byte[valueBytes], "application/json",
                Command.ANY, 0);
        command = new Command.Authored("payments-ci", "0f8e4c1a-6a55-4a8e-9d1b-2b6c1f0b7e21", put);
        commandBytes = CommandCodec.encodeCommand(command);
        entryBytes = CommandCodec.encodeEntry(stamp, commandBytes);
        result = new KvStore().apply(1, stamp, put).result(); // a put's result (the author's token is not needed here)
        if (!(result instanceof PutResult)) {
            throw new IllegalStateException("expected a put's result, got " + result);
        }
        resultBytes = ResultCodec.encode(result);
    }

    @Benchmark
    public byte[] encodeCommand() {
        return CommandCodec.encodeCommand(command);
    }

    @Benchmark
    public Command decodeCommand() {
        return CommandCodec.decodeCommand(commandBytes);
    }

    @Benchmark
    public byte[] encodeEntry() {
        return CommandCodec.encodeEntry(stamp, commandBytes);
    }

    @Benchmark
    public CommandCodec.LogEntry decodeEntry() {
        return CommandCodec.decodeEntry(entryBytes);
    }

    @Benchmark
    public byte[] encodeResult() {
        return ResultCodec.encode(result);
    }

    @Benchmark
    public Result decodeResult() {
        return ResultCodec.decode(resultBytes);
    }
}
