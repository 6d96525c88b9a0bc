/**
 * Locks and elections over HTTP. The rules live in the core ({@code Lock}): one holder at a time,
 * waiters in arrival order, a fencing token that grows with every holder, and the lease that frees a
 * lock when its holder stops heart-beating. An election is a lock whose holder is the leader. A
 * request that waits for a lock holds no thread: its acquisition commits on this package's own small
 * pool, its {@code LockQueue} answers it when a change of the lock (heard from the watch hub) shows
 * it at the front, and a timer withdraws it from the queue when its wait runs out. Waiting requests
 * take a slot of {@code io.muster.wait.WaitingRequests}. {@code /v1/coordination} lists every lock and
 * election and streams their changes, for operators.
 */
package io.muster.locks;
