/**
 * Locks and elections over HTTP. The rules live in the core ({@code Lock}): one holder at a time,
 * waiters in arrival order, a fencing token that grows with every holder, and the lease that frees a
 * lock when its holder stops heart-beating. An election is a lock whose holder is the leader. A
 * request that waits for a lock polls this node's applied state until it is served or its wait runs
 * out, then withdraws from the queue.
 */
package io.muster.locks;
