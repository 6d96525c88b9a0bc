package io.muster.view;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands for a gadget chain's first link in the deserialization tests: counts every time Java
 * deserialization constructs one, so a test can prove that none was.
 */
public final class Gadget implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    /** How many gadgets deserialization has constructed in this JVM. */
    public static final AtomicInteger CONSTRUCTED = new AtomicInteger();

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        CONSTRUCTED.incrementAndGet();
    }

    /** {@code object} in Java serialization's bytes. */
    public static byte[] serialized(Serializable object) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
