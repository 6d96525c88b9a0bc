/**
 * What every endpoint shares: RFC 9457 problem details with stable types, and the OpenAPI
 * description of the API. Controllers live with their feature ({@code kv}, {@code cluster}).
 */
package io.muster.web;
