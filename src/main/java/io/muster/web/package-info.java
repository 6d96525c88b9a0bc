/**
 * What every endpoint shares: RFC 9457 problem details with stable types (for the API's own errors,
 * Spring MVC's, the filters' and Tomcat's alike, with details that never name a Java class), strict
 * JSON reading, the parsing of request parameters and headers ({@code RequestParameters}), the request
 * size limit, the Tomcat settings, the OpenAPI description of the API (its error answers and shared
 * parameters described once, by {@code ProblemResponses} and {@code CommonParameters}), and the web
 * console's static files with their security headers ({@code ConsoleResources}, {@code ConsoleHeadersFilter}).
 * Controllers live with their feature ({@code kv}, {@code cluster}).
 */
package io.muster.web;
