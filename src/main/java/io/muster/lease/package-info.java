/**
 * Leases: the only place where time is kept. The {@link io.muster.lease.Lessor} on the leader holds a
 * timer per lease in memory; keep-alives reset it without touching the Raft log (a follower forwards
 * them to the leader); when a timer runs out the leader proposes an ordinary logged expiry, which
 * every replica applies alike. A new leader restarts every timer at its full TTL, so a leader change
 * can only lengthen a lease, never shorten it. Listing leases asks the leader for a whole page's time left
 * in one question that resets nothing.
 */
package io.muster.lease;
