/**
 * The H2 view: an in-memory H2 database per node holding a materialized copy of the applied state
 * (current entries and their retained history) for queries the key/value API cannot answer. It follows
 * the state machine through {@link io.muster.replication.AppliedChanges}: apply hands it each change without
 * waiting, one projector thread writes them in log order in batched transactions together with the
 * revision they reflect, and anything the projector cannot keep up with is recovered by rebuilding from
 * a copy of the state. Never a source of truth. When its database fails (H2 closed it, ran out of
 * memory), the view reports it (health OUT_OF_SERVICE, {@code muster.view.failures}) and rebuilds into a
 * fresh database. Operators' SQL passes three lines of defence: {@link io.muster.view.SqlGuard}'s
 * allow-lists, a database user that may only read the view's tables, and H2 settings that refuse Java
 * deserialization ({@link io.muster.view.H2Hardening}).
 *
 * <p>Who does what: {@link io.muster.view.View} is the bean the rest of Muster reads through, and starts
 * and stops the projector; {@link io.muster.view.Projector} takes the changes from apply and runs the
 * projector thread, writing through {@link io.muster.view.Projection} and
 * {@link io.muster.view.CoordinationTables}; {@link io.muster.view.ViewStatus} holds the current
 * {@link io.muster.view.ViewDatabase}, whether it failed and the watermark; {@link io.muster.view.ViewReads}
 * (with {@link io.muster.view.ViewTables}) answers history, audit, search and the digest, and
 * {@link io.muster.view.QueryRunner} operators' SQL, which {@link io.muster.view.SqlGuard} checks with
 * {@link io.muster.view.SqlTokenizer}, {@link io.muster.view.SqlStatementCheck},
 * {@link io.muster.view.SqlNames}, {@link io.muster.view.SqlBounds} and {@link io.muster.view.SqlAllowList}.
 */
package io.muster.view;
