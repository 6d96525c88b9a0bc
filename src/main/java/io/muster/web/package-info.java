/**
 * What every endpoint shares: RFC 9457 problem details with stable types (for the API's own errors,
 * Spring MVC's, the filters' and Tomcat's alike, with details that never name a Java class), strict
 * JSON reading, the request size limit, the Tomcat settings, and the OpenAPI description of the API.
 * Controllers live with their feature ({@code kv}, {@code cluster}).
 */
package io.muster.web;
