/**
 * The deterministic heart of Muster: commands, the key/value state they act on, and the results
 * they produce.
 *
 * <p>Rules for everything in this package, enforced by {@code TidyTest}:
 * <ul>
 *   <li>Only {@code java.*}: no Spring, no Ratis, no logging.</li>
 *   <li>No clock, no randomness, no environment, no files, no network. Time enters only as the
 *       leader's {@link io.muster.core.Stamp} carried in each log entry.</li>
 *   <li>No hash-ordered collections: every iteration order that can reach a result, an encoding or
 *       a digest is sorted or insertion ordered.</li>
 *   <li>Business outcomes (a failed precondition, a malformed command) are returned as
 *       {@link io.muster.core.Rejected} values. A broken invariant (a revision going backwards, an
 *       undecodable entry) throws, so that the node stops instead of diverging.</li>
 * </ul>
 *
 * <p>Threading: {@link io.muster.core.KvStore} is not thread-safe. It has one writer (the Raft apply
 * thread); the adapter that owns it serialises readers against that writer.
 */
package io.muster.core;
