package io.muster.core;

/**
 * What a lock command left behind at {@code revision}: the lock as it now is, and where the client
 * that sent the command stands in it ({@link Lock#position}: 0 = holds it, 1.. = waits, -1 = neither).
 *
 * @param released for a release, whether the token was the holder's and the lock was let go
 */
public record LockResult(long revision, Lock lock, int position, boolean released) implements Result {
}
