package io.muster.core;

import java.util.Arrays;

/**
 * One retained version of a key: its value as it was written at {@code modRevision}.
 *
 * @param value            the bytes as stored (never mutated; callers must not mutate them either)
 * @param contentType      the media type the writer declared
 * @param modRevision      the revision (log index) that wrote this version
 * @param version          1 for the write that created the key, +1 for every write after it
 * @param modifiedAtMillis the leader's time stamped into that write
 */
public record Version(byte[] value, String contentType, long modRevision, long version, long modifiedAtMillis) {

    @Override
    public boolean equals(Object other) {
        return other instanceof Version that
                && Arrays.equals(value, that.value)
                && contentType.equals(that.contentType)
                && modRevision == that.modRevision
                && version == that.version
                && modifiedAtMillis == that.modifiedAtMillis;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(value) + Long.hashCode(modRevision);
    }

    @Override
    public String toString() {
        return "Version[" + value.length + " bytes " + contentType + ", modRevision=" + modRevision
                + ", version=" + version + ", modifiedAtMillis=" + modifiedAtMillis + "]";
    }
}
