/**
 * Configuration for Spring applications: configuration documents (entries under
 * {@code muster.springconfig.key-prefix}, one per application and profile, checked with Spring Boot's
 * own property source loaders before anything is proposed) and the Spring Cloud Config Server
 * protocol over them ({@code /config}), so that stock {@code spring-cloud-starter-config} clients work
 * unchanged.
 *
 * <p>Rules: documents are ordinary entries, so the core knows nothing of them; every check runs on the
 * node that receives a write, never in apply. Environments are read from the node's applied state
 * (or linearizably when asked), answered in Spring Cloud Config Server's precedence with every
 * candidate source listed, and cached per request until a document they include changes. The native
 * environment ({@code /v1/config/{names}/environment}) is the same assembly with profiles and releases;
 * its watch never computes in apply: apply marks the streams a change concerns, and they recompute on
 * the watch sender threads. The package
 * is named for Spring's configuration, not {@code config}, which Spring owns.
 */
package io.muster.springconfig;
