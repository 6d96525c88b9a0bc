/**
 * Who may call the API: tokens (replicated state, see {@code core.Token}), the filter that
 * authenticates every request, the interceptor that checks each endpoint's role, the author stamped
 * on every proposed command, the bootstrap admin token, per-token request limits and TLS for the
 * Raft port.
 */
package io.muster.security;
