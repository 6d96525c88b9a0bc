package io.muster.core;

import java.util.Arrays;

/** One operation inside a {@link Command.Txn} branch. Preconditions belong to the compares. */
public sealed interface Op {

    String key();

    record Put(String key, byte[] value, String contentType) implements Op {

        @Override
        public boolean equals(Object other) {
            return other instanceof Put that && key.equals(that.key) && Arrays.equals(value, that.value)
                    && contentType.equals(that.contentType);
        }

        @Override
        public int hashCode() {
            return key.hashCode() * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Put[" + key + ", " + value.length + " bytes " + contentType + "]";
        }
    }

    record Delete(String key) implements Op {
    }

    record Get(String key) implements Op {
    }
}
