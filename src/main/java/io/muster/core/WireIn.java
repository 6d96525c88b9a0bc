package io.muster.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads what {@link WireOut} wrote, strictly: every length is bounded and running out of bytes is an
 * {@link UndecodableException}, never an index error. Not thread-safe.
 */
final class WireIn {

    private final byte[] bytes;
    private int position;
    private final int end;

    WireIn(byte[] bytes) {
        this(bytes, 0, bytes.length);
    }

    WireIn(byte[] bytes, int offset, int length) {
        this.bytes = bytes;
        this.position = offset;
        this.end = offset + length;
    }

    int readByte() {
        need(1);
        return bytes[position++] & 0xFF;
    }

    boolean readBoolean() {
        int value = readByte();
        if (value > 1) {
            throw new UndecodableException("boolean byte " + value + " at " + (position - 1));
        }
        return value == 1;
    }

    long readLong() {
        need(8);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (bytes[position++] & 0xFF);
        }
        return value;
    }

    int readVarint(int max, String what) {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = readByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (value < 0 || value > max) {
                    throw new UndecodableException(what + " " + Integer.toUnsignedString(value) + " exceeds " + max);
                }
                return value;
            }
        }
        throw new UndecodableException("varint longer than 5 bytes for " + what);
    }

    byte[] readBytes(int maxLength, String what) {
        int length = readVarint(maxLength, what + " length");
        need(length);
        byte[] value = Arrays.copyOfRange(bytes, position, position + length);
        position += length;
        return value;
    }

    String readString(int maxLength, String what) {
        return new String(readBytes(maxLength, what), StandardCharsets.UTF_8);
    }

    void expectEnd(String what) {
        if (position != end) {
            throw new UndecodableException((end - position) + " trailing bytes after " + what);
        }
    }

    private void need(int count) {
        if (count > end - position) {
            throw new UndecodableException("truncated: needed " + count + " bytes at " + position + ", have "
                    + (end - position));
        }
    }
}
