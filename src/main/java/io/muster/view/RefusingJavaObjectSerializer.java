package io.muster.view;

import org.h2.api.JavaObjectSerializer;

/**
 * H2's serializer for {@code JAVA_OBJECT} values in this process: it refuses both ways, so that no
 * bytes a caller supplies are ever handed to Java deserialization (the classic gadget-chain entry
 * point), whatever SQL spelling produced them. The view stores no Java objects. {@link H2Hardening}
 * installs it process-wide and {@link ViewDatabase} per database. Public with a public constructor
 * because H2 instantiates it by name; stateless and thread-safe.
 */
public final class RefusingJavaObjectSerializer implements JavaObjectSerializer {

    @Override
    public byte[] serialize(Object object) {
        throw new UnsupportedOperationException("the view stores no Java objects");
    }

    @Override
    public Object deserialize(byte[] bytes) {
        throw new UnsupportedOperationException("the view constructs no Java objects");
    }
}
