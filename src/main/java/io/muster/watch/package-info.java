/**
 * Watches: applied changes fanned out to Server-Sent-Event streams. The {@link io.muster.watch.WatchHub}
 * keeps one shared, bounded history of recent revisions (by event count and by value bytes); each
 * watcher only holds a cursor into it, so a slow watcher costs no memory of its own: when the history
 * moves past its cursor it gets a final {@code compacted} event and is closed. One revision's events
 * travel as one SSE message whose id is the revision, so a resumed stream ({@code Last-Event-ID}) can
 * never see half a transaction.
 *
 * <p>Streams and long polls belong to the token that opened them: once apply revokes that token (or
 * changes it so that it no longer allows the filter), nothing at or after that revision reaches them,
 * on every node; a stream ends with a {@code revoked} problem, a long poll answers 401 (or 403). A
 * client that went away is noticed by the next failed write, which heartbeats make come soon.
 *
 * <p>Every SSE stream of the node, of this package's history or of another feature, is a
 * {@link io.muster.watch.WatchStream} admitted by {@link io.muster.watch.Watches}: one set of limits,
 * sender threads, progress and heartbeat timers, and revocation for all of them.
 */
package io.muster.watch;
