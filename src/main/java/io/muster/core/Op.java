package io.muster.core;

import java.util.Arrays;

/** One operation inside a {@link Command.Txn} branch. Preconditions belong to the compares. */
public sealed interface Op {

    String key();

    /** Writes {@code key}; binds it to {@code lease} (0 = none, which also unbinds it). */
    record Put(String key, byte[] value, String contentType, long lease) implements Op {

        public Put(String key, byte[] value, String contentType) {
            this(key, value, contentType, 0);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Put that && key.equals(that.key) && Arrays.equals(value, that.value)
                    && contentType.equals(that.contentType) && lease == that.lease;
        }

        @Override
        public int hashCode() {
            return key.hashCode() * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Put[" + key + ", " + value.length + " bytes " + contentType + (lease == 0 ? "" : ", lease=" + lease) + "]";
        }
    }

    record Delete(String key) implements Op {
    }

    record Get(String key) implements Op {
    }
}
