/**
 * The Eureka REST subset a stock eureka client needs ({@code /eureka/apps}), over the service registry,
 * so that an existing Eureka fleet moves to Muster by changing its URL: register, renew (a keep-alive of
 * the instance's lease, never logged), cancel, status override and full fetch, in JSON only. Not built:
 * XML, a real delta (404, so the client fetches the full registry), peer replication, self-preservation
 * (Muster's mass-expiry guard plays that part).
 *
 * <p>Rules: writes reach the leader through Raft like every registry write; without a majority the
 * answer is 503, never a redirect (a client counts a 302 as success). Eureka-only fields are kept in
 * the instance's metadata under {@code eureka.*}, and only the fields the client's strict codec knows
 * are rendered.
 */
package io.muster.eureka;
