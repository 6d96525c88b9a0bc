package io.muster.raft;

import io.muster.core.Command;
import io.muster.core.Stamp;

/**
 * What the leader asks before it logs a proposed command ({@code startTransaction}, through
 * {@link Admitter}): whether to refuse it, and the stamp (the leader's time, the history retention) to
 * log it with. The rules are {@code io.muster.cluster.AdmissionPolicy}'s. Implementations are
 * thread-safe and quick: they run on Ratis' threads.
 */
public interface Admission {

    /** Why the leader refuses {@code command}, whose encoding is {@code encodedBytes} long, or {@code null}. */
    String problem(Command command, int encodedBytes);

    /** The stamp to log the next admitted command with. */
    Stamp stamp();
}
