/**
 * Spring Cloud LoadBalancer fed by the discovery cache's watch: a drained or removed instance stops
 * receiving calls as soon as the watch tells the cache, with no 35 s list cache in between (SPRING.md
 * pitfall 13). Used only when the application has spring-cloud-loadbalancer.
 */
package io.muster.spring.loadbalancer;
