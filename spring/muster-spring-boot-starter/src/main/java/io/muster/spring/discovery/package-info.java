/**
 * Discovery and registration against Muster's registry: a watch-fed cache of service instances behind
 * Spring Cloud's {@code DiscoveryClient} and {@code ReactiveDiscoveryClient}, and this application's own
 * registration with lease heartbeats behind {@code ServiceRegistry} and {@code AutoServiceRegistration}.
 *
 * <p>Rules: one service watch per application instance (SPRING.md pitfall 18), split over several streams
 * only when one URL would exceed 4 KB; the cache keeps what a default lookup returns (UP instances);
 * revisions are compared to skip what a list already reflects (an older listing or event never replaces a
 * newer state) and to detect that one went back (a restore), which means "list again". A service once
 * cached is served from the cache without I/O, also while the watch is down.
 */
package io.muster.spring.discovery;
