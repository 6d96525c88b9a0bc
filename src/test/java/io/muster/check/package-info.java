/**
 * Checkers for recorded histories of operations against a cluster under faults: linearizability of a
 * register per key (Wing and Gong's search with Lowe's memoisation), and the set and counter checks
 * for lost and doubled writes. Test code; each checker is itself tested against hand-made histories
 * that must fail.
 */
package io.muster.check;
