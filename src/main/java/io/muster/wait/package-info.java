/**
 * Requests that wait: for a lock, an election, a revision ({@code minRevision}) this node or its
 * view has not reached yet, or a change (long polls). No such request holds a server thread while it waits: it becomes
 * asynchronous (a servlet async context, or a {@code CompletableFuture} returned to Spring MVC) and is
 * resumed by the event it waits for or by its deadline. Each one holds a slot of
 * {@link io.muster.wait.WaitingRequests} from the moment it starts waiting until it is answered,
 * however that happens, so that waiting requests are capped per token
 * ({@code muster.security.max-waits-per-token}, 429) and per node ({@code muster.waits.max-waiting},
 * 503), both with {@code Retry-After}, and a node keeps threads for everything else, its health
 * probes first.
 */
package io.muster.wait;
