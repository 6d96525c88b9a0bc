/**
 * Discovery and registration against Muster's registry: a watch-fed cache of service instances behind
 * Spring Cloud's {@code DiscoveryClient} and {@code ReactiveDiscoveryClient}, and this application's own
 * registration with lease heartbeats behind {@code ServiceRegistry} and {@code AutoServiceRegistration}.
 *
 * <p>Rules: one service watch per application instance (SPRING.md pitfall 18); the cache keeps what a
 * default lookup returns (UP instances); revisions are compared only to detect that one went back
 * (a restore), which means "list again".
 */
package io.muster.spring.discovery;
