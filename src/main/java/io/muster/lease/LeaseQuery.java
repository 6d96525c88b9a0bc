package io.muster.lease;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The questions a node asks the leader's {@link Lessor} and its answers, as bytes for the trip
 * between nodes. Not persistent (never logged), but versioned, since nodes of two builds talk during
 * a rolling upgrade.
 */
public final class LeaseQuery {

    static final int FORMAT = 1;

    enum Kind {
        /** Reset the lease's timer to its full TTL. */
        KEEP_ALIVE(1),
        /** Only read how long the lease has left. */
        TIME_LEFT(2),
        /** Keep several leases alive at once (a follower's batch of forwarded keep-alives). */
        KEEP_ALIVE_MANY(3),
        /**
         * Only read how long several leases have left (a page of {@code GET /v1/leases}). A leader of a build
         * from before it refuses it as an unknown kind; the asker then answers without the times.
         */
        TIME_LEFT_MANY(4);

        final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind of(int code) {
            return byCode(values(), kind -> kind.code, code, "lease query");
        }
    }

    /** What the leader knows of a lease. */
    public enum Status {
        /** The lease lives; the answer carries its TTL and time left. */
        ALIVE(1),
        /** No such lease, or its time ran out and its expiry is under way. */
        GONE(2),
        /** The answering node does not lead (any more); ask again. */
        NOT_LEADER(3);

        final int code;

        Status(int code) {
            this.code = code;
        }

        static Status of(int code) {
            return byCode(values(), status -> status.code, code, "lease answer");
        }
    }

    /** The constant among {@code values} whose code is {@code code}; an unknown code names {@code what}. */
    private static <E> E byCode(E[] values, ToIntFunction<E> codeOf, int code, String what) {
        for (E value : values) {
            if (codeOf.applyAsInt(value) == code) {
                return value;
            }
        }
        throw new IllegalArgumentException("unknown " + what + " " + code);
    }

    /** A question about lease {@code id}. */
    record Question(Kind kind, long id) {

        byte[] encode() {
            return write(out -> {
                out.writeByte(kind.code);
                out.writeLong(id);
            });
        }

        static Question decode(byte[] bytes) {
            return read(bytes, in -> new Question(Kind.of(in.readUnsignedByte()), in.readLong()));
        }
    }

    /**
     * A question about several leases at once: keep-alives forwarded together ({@link Kind#KEEP_ALIVE_MANY},
     * at most {@link #MAX_BATCH}), or the time left of a page of leases ({@link Kind#TIME_LEFT_MANY}, at most
     * {@link #MAX_TIME_LEFT_BATCH}, which resets no timer). Both are encoded alike: the kind, the count, the
     * ids; the answers in the same order.
     */
    record Batch(Kind kind, List<Long> ids) {

        Batch {
            if (kind != Kind.KEEP_ALIVE_MANY && kind != Kind.TIME_LEFT_MANY) {
                throw new IllegalArgumentException("not a batch kind: " + kind);
            }
            ids = List.copyOf(ids);
        }

        /** Keep-alives for {@code ids}. */
        static Batch keepAlives(List<Long> ids) {
            return new Batch(Kind.KEEP_ALIVE_MANY, ids);
        }

        /** How long each of {@code ids} has left; resets nothing. */
        static Batch timeLeft(List<Long> ids) {
            return new Batch(Kind.TIME_LEFT_MANY, ids);
        }

        byte[] encode() {
            return write(out -> {
                out.writeByte(kind.code);
                out.writeInt(ids.size());
                for (long id : ids) {
                    out.writeLong(id);
                }
            });
        }

        static Batch decode(byte[] bytes) {
            return read(bytes, in -> {
                Kind kind = Kind.of(in.readUnsignedByte());
                if (kind != Kind.KEEP_ALIVE_MANY && kind != Kind.TIME_LEFT_MANY) {
                    throw new IllegalArgumentException("not a batch: " + kind);
                }
                int count = in.readInt();
                if (count < 0 || count > maxOf(kind)) {
                    throw new IllegalArgumentException("a batch of " + count + " leases (" + kind + ")");
                }
                List<Long> ids = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    ids.add(in.readLong());
                }
                return new Batch(kind, ids);
            });
        }

        private static int maxOf(Kind kind) {
            return kind == Kind.KEEP_ALIVE_MANY ? MAX_BATCH : MAX_TIME_LEFT_BATCH;
        }

        static byte[] encodeAnswers(List<Answer> answers) {
            return write(out -> {
                out.writeInt(answers.size());
                for (Answer answer : answers) {
                    out.writeByte(answer.status().code);
                    out.writeLong(answer.ttlMillis());
                    out.writeLong(answer.remainingMillis());
                }
            });
        }

        static List<Answer> decodeAnswers(byte[] bytes) {
            return read(bytes, in -> {
                int count = in.readInt();
                if (count < 0 || count > Math.max(MAX_BATCH, MAX_TIME_LEFT_BATCH)) {
                    throw new IllegalArgumentException("a batch of " + count + " answers");
                }
                List<Answer> answers = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    answers.add(new Answer(Status.of(in.readUnsignedByte()), in.readLong(), in.readLong()));
                }
                return answers;
            });
        }
    }

    /** The most keep-alives one batch carries. */
    static final int MAX_BATCH = 4096;
    /** The most leases one time-left batch asks about: a page of {@code GET /v1/leases}. */
    static final int MAX_TIME_LEFT_BATCH = 10_000;

    /** The kind of a question, read without decoding the rest. */
    static Kind kindOf(byte[] bytes) {
        if (bytes.length < 2 || bytes[0] != FORMAT) {
            throw new IllegalArgumentException("lease query format " + (bytes.length == 0 ? "?" : bytes[0])
                    + " is not known to this build");
        }
        return Kind.of(bytes[1] & 0xFF);
    }

    /** The leader's answer; the times are meaningful only when {@code status} is {@link Status#ALIVE}. */
    public record Answer(Status status, long ttlMillis, long remainingMillis) {

        static final Answer GONE = new Answer(Status.GONE, 0, 0);
        static final Answer NOT_LEADER = new Answer(Status.NOT_LEADER, 0, 0);

        public boolean alive() {
            return status == Status.ALIVE;
        }

        byte[] encode() {
            return write(out -> {
                out.writeByte(status.code);
                out.writeLong(ttlMillis);
                out.writeLong(remainingMillis);
            });
        }

        static Answer decode(byte[] bytes) {
            return read(bytes, in -> new Answer(Status.of(in.readUnsignedByte()), in.readLong(), in.readLong()));
        }
    }

    private LeaseQuery() {
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(24);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            writer.write(out);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(byte[] bytes, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("lease query format " + format + " is not known to this build");
            }
            T value = reader.read(in);
            if (in.available() > 0) {
                throw new IllegalArgumentException("lease query has " + in.available() + " trailing bytes");
            }
            return value;
        } catch (IOException e) {
            throw new IllegalArgumentException("lease query is truncated", e);
        }
    }
}
