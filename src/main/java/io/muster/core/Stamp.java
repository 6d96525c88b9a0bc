package io.muster.core;

/**
 * What the leader stamps into every log entry before it is logged: its clock and the history
 * retention in force. Apply reads both from here and never from the node it runs on, so every
 * replica computes the same state even when their clocks or configuration differ.
 *
 * @param timeMillis      the leader's wall clock when it accepted the command (the store keeps
 *                        applied time monotonic, so a leader with a slow clock cannot move it back)
 * @param historyVersions how many versions of a key to retain, including the current one (1–1000)
 */
public record Stamp(long timeMillis, int historyVersions) {

    public static final int MAX_HISTORY_VERSIONS = 1000;

    /** Returns why this stamp is unusable, or {@code null}. */
    public String problem() {
        if (historyVersions < 1 || historyVersions > MAX_HISTORY_VERSIONS) {
            return "historyVersions must be within 1.." + MAX_HISTORY_VERSIONS + " but was " + historyVersions;
        }
        return null;
    }
}
