package io.muster.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HexFormat;

/** Digests of a store's state for tests that check what a command changed. */
final class StateDigests {

    private StateDigests() {
    }

    /**
     * SHA-256 of the store's snapshot bytes apart from the revision and the applied time, which every
     * entry moves, a rejected one too: equal before and after a command exactly when it changed nothing.
     */
    static String timeless(KvStore store) {
        KvStore.Image image = store.image();
        KvStore.Image timeless = new KvStore.Image(0, 0, image.leases(), image.entries(), image.instances(),
                image.locks(), image.tokens(), image.desiredVoters(), image.remembered(), image.clusterVersion(),
                image.releases());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            SnapshotCodec.write(timeless, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(Sha256.of(out.toByteArray()));
    }
}
