/**
 * Watches: applied changes fanned out to Server-Sent-Event streams. The {@link io.muster.watch.WatchHub}
 * keeps one shared, bounded history of recent revisions (by event count and by value bytes); each
 * watcher only holds a cursor into it, so a slow watcher costs no memory of its own: when the history
 * moves past its cursor it gets a final {@code compacted} event and is closed. One revision's events
 * travel as one SSE message whose id is the revision, so a resumed stream ({@code Last-Event-ID}) can
 * never see half a transaction.
 */
package io.muster.watch;
