package io.muster.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable big-endian byte buffer for the pinned encodings. Not thread-safe. */
final class WireOut {

    private byte[] bytes;
    private int size;

    WireOut(int initialCapacity) {
        bytes = new byte[Math.max(16, initialCapacity)];
    }

    WireOut writeByte(int value) {
        ensure(1);
        bytes[size++] = (byte) value;
        return this;
    }

    WireOut writeBoolean(boolean value) {
        return writeByte(value ? 1 : 0);
    }

    WireOut writeLong(long value) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            bytes[size++] = (byte) (value >>> shift);
        }
        return this;
    }

    /** An unsigned LEB128 varint; {@code value} must not be negative. */
    WireOut writeVarint(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("varint must not be negative: " + value);
        }
        ensure(5);
        while ((value & ~0x7F) != 0) {
            bytes[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[size++] = (byte) value;
        return this;
    }

    WireOut writeBytes(byte[] value) {
        writeVarint(value.length);
        ensure(value.length);
        System.arraycopy(value, 0, bytes, size, value.length);
        size += value.length;
        return this;
    }

    WireOut writeString(String value) {
        return writeBytes(value.getBytes(StandardCharsets.UTF_8));
    }

    WireOut writeRaw(byte[] value) {
        ensure(value.length);
        System.arraycopy(value, 0, bytes, size, value.length);
        size += value.length;
        return this;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    /** Exposes the internal buffer; valid up to {@link #size()} until the next write. */
    byte[] buffer() {
        return bytes;
    }

    int size() {
        return size;
    }

    void reset() {
        size = 0;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
