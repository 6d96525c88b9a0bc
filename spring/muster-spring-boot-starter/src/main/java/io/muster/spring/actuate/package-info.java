/**
 * What the starter shows operators: the {@code muster} health indicator (never in the readiness or
 * liveness groups: an outage of Muster must not take every application out of its load balancer), the
 * {@code muster} actuator endpoint, which collects {@link io.muster.spring.actuate.MusterEndpointContributor}
 * sections, and Micrometer meters. Each is used only when the application has the library it needs.
 */
package io.muster.spring.actuate;
