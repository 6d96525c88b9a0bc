package io.muster.security;

import io.muster.core.Command;
import io.muster.core.Role;
import io.muster.core.Token;
import io.muster.core.TokenRules;
import io.muster.replication.ReplicatedState;
import io.muster.web.ProblemJson;
import io.muster.web.ProblemType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates every request: {@code Authorization: Bearer <secret>} is hashed and looked up among
 * the tokens of the applied state (on the paths stock Spring Cloud clients call, {@code /config/**} and
 * {@code /eureka/**}, the secret may also come as {@code X-Config-Token} or as the password of Basic
 * credentials, which those clients send). Health, info, Prometheus (configurable), the API description
 * and the web console's static files are public; every other path needs a token, and actuator paths
 * other than the public ones need an admin token. Each authenticated request then takes one permit from
 * its token's rate limit.
 *
 * <p>Also gives every request an id ({@code X-Request-Id}, the client's if it is usable), which the
 * commands it proposes carry into the log and the audit trail.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class TokenFilter extends OncePerRequestFilter {

    static final String REQUEST_ID = "X-Request-Id";
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** What spring.cloud.config.token sends. */
    static final String CONFIG_TOKEN = "X-Config-Token";
    private static final Logger log = LoggerFactory.getLogger(TokenFilter.class);
    private static final String CHALLENGE = "Bearer realm=\"muster\"";

    private final ReplicatedState state;
    private final SecurityProperties properties;
    private final RateLimiter rateLimiter;

    TokenFilter(ReplicatedState state, SecurityProperties properties) {
        this.state = state;
        this.properties = properties;
        this.rateLimiter = new RateLimiter(properties.requestsPerSecond(), properties.requestBurst(), System::nanoTime);
    }

    /** A request that waited asynchronously comes back through here: its token is checked again. */
    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (isAsyncDispatch(request)) {
            recheck(request, response, chain);
            return;
        }
        String requestId = request.getHeader(REQUEST_ID);
        if (TokenRules.requestIdProblem(requestId) != null) {
            requestId = newRequestId();
        }
        response.setHeader(REQUEST_ID, requestId);
        String idempotencyKey = request.getHeader(IDEMPOTENCY_KEY);
        if (idempotencyKey != null && TokenRules.idempotencyKeyProblem(idempotencyKey) != null) {
            ProblemJson.send(response, ProblemType.INVALID_REQUEST, TokenRules.idempotencyKeyProblem(idempotencyKey),
                    Map.of());
            return;
        }
        String key = idempotencyKey == null ? Command.Authored.NO_KEY : idempotencyKey;
        if (!properties.enabled()) {
            request.setAttribute(Caller.ATTRIBUTE, new Caller(null, requestId, key));
            chain.doFilter(request, response);
            return;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String header = request.getHeader("Authorization");
        if (header != null && repeated(request, "Authorization")) {
            // Which one counts would be a guess (a proxy may add its own): refuse rather than pick the first.
            ProblemJson.send(response, ProblemType.INVALID_REQUEST, "Send one Authorization header, not several",
                    Map.of(), Map.of("field", "Authorization"));
            return;
        }
        boolean clientPath = acceptsClientCredentials(path);
        if (clientPath && request.getHeader(CONFIG_TOKEN) != null && repeated(request, CONFIG_TOKEN)) {
            ProblemJson.send(response, ProblemType.INVALID_REQUEST, "Send one X-Config-Token header, not several",
                    Map.of(), Map.of("field", CONFIG_TOKEN));
            return;
        }
        String secret = secretOf(request, header, clientPath);
        if (isPublic(path)) {
            Token token = secret == null ? null : lookUp(secret);
            chain.doFilter(token == null ? request : new Authenticated(request, token), response);
            return;
        }
        if (secret == null) {
            refuse(response, clientPath ? "This request needs a token: 'Authorization: Bearer <token>', "
                    + "'X-Config-Token: <token>', or Basic credentials with the token as the password"
                    : "This request needs 'Authorization: Bearer <token>'", CHALLENGE);
            return;
        }
        Token token = lookUp(secret);
        if (token == null) {
            refuse(response, clientPath ? "The token is malformed, unknown or revoked"
                    : "The bearer token is malformed, unknown or revoked", CHALLENGE + ", error=\"invalid_token\"");
            return;
        }
        if (path.startsWith("/actuator") && !token.role().includes(Role.ADMIN)) {
            ProblemJson.send(response, ProblemType.FORBIDDEN, "Actuator endpoints other than health, info and "
                    + "prometheus need an admin token", Map.of());
            return;
        }
        long waitNanos = rateLimiter.acquire(token.name());
        if (waitNanos > 0) {
            long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(waitNanos + 999_999_999L));
            ProblemJson.send(response, ProblemType.RATE_LIMITED, "Token '" + token.name() + "' exceeded "
                    + properties.requestsPerSecond() + " requests per second on this node",
                    Map.of("Retry-After", Long.toString(seconds)));
            return;
        }
        request.setAttribute(Caller.ATTRIBUTE, new Caller(token, requestId, key));
        chain.doFilter(new Authenticated(request, token), response);
    }

    /**
     * Lets a request that waited (a {@code minRevision} read, a lock wait, a long poll) be answered only
     * if its token is still what it was when the request came in: a revoke (or any change of the token)
     * applied meanwhile ends it with 401, as it would end the token's streams. Neither authenticates nor
     * charges the rate limit again. A response already committed (a stream that is ending) is left alone.
     */
    private void recheck(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Caller caller = (Caller) request.getAttribute(Caller.ATTRIBUTE);
        Token token = caller == null ? null : caller.token();
        if (token == null || response.isCommitted()
                || token.equals(state.read(store -> store.token(token.name())))) {
            chain.doFilter(request, response);
            return;
        }
        refuse(response, "The bearer token was revoked or changed while the request waited",
                CHALLENGE + ", error=\"invalid_token\"");
    }

    /**
     * A random (version 4) UUID for a request that brought no id of its own. Request ids name requests
     * in logs and the audit trail and need not be unguessable, so they come from {@link ThreadLocalRandom}:
     * {@link UUID#randomUUID()} reads the shared {@code SecureRandom} under its lock on every request.
     */
    static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
        return new UUID(high, low).toString();
    }

    private static boolean repeated(HttpServletRequest request, String name) {
        java.util.Enumeration<String> values = request.getHeaders(name);
        values.nextElement();
        return values.hasMoreElements();
    }

    private boolean isPublic(String path) {
        return path.equals("/actuator/health") || path.startsWith("/actuator/health/") || path.equals("/actuator/info")
                || (properties.publicPrometheus() && path.equals("/actuator/prometheus"))
                || path.equals("/v3/api-docs") || path.startsWith("/v3/api-docs/")
                || path.equals("/swagger-ui.html") || path.startsWith("/swagger-ui/")
                // The web console's static files (io.muster.web.ConsoleResources): they hold no secret, and every
                // API call the console makes carries the user's bearer token.
                || path.equals("/console") || path.startsWith("/console/");
    }

    /**
     * Where a stock Spring Cloud client calls: it cannot always send a bearer token (the Config client's
     * {@code spring.cloud.config.token} sends {@code X-Config-Token}, its username and password send
     * Basic, and a eureka client sends the user info of its defaultZone URL as Basic), so there the
     * secret may come in those too. Basic stays refused everywhere else.
     */
    private static boolean acceptsClientCredentials(String path) {
        return path.startsWith("/config/") || path.startsWith("/eureka/");
    }

    /**
     * The secret the request presents: a bearer token; on a client path also X-Config-Token, then the
     * password of Basic credentials (the user name is ignored). {@code null} when it presents none;
     * empty when its Authorization header is of no usable form. Never logged.
     */
    private static String secretOf(HttpServletRequest request, String header, boolean clientPath) {
        if (header != null && header.length() >= 7 && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        if (clientPath) {
            String configToken = request.getHeader(CONFIG_TOKEN);
            if (configToken != null) {
                return configToken.trim();
            }
            if (header != null && header.length() >= 6 && header.regionMatches(true, 0, "Basic ", 0, 6)) {
                return basicPassword(header.substring(6).trim());
            }
        }
        return header == null ? null : "";
    }

    private static String basicPassword(String encoded) {
        try {
            String decoded = new String(java.util.Base64.getDecoder().decode(encoded), java.nio.charset.StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? "" : decoded.substring(colon + 1);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** The token a secret names, or {@code null}. Never logs the secret. */
    private Token lookUp(String secret) {
        if (secret.isEmpty() || secret.length() > 1024) {
            return null;
        }
        byte[] hash = Secrets.hash(secret);
        return state.read(store -> store.tokenByHash(hash));
    }

    private static void refuse(HttpServletResponse response, String detail, String challenge) throws IOException {
        log.debug("refused a request without valid credentials");
        ProblemJson.send(response, ProblemType.UNAUTHORIZED, detail, Map.of("WWW-Authenticate", challenge));
    }

    /** Makes the token the request's principal, with its role, for Spring Boot's "when authorized" health details. */
    private static final class Authenticated extends HttpServletRequestWrapper {
        private final Token token;

        Authenticated(HttpServletRequest request, Token token) {
            super(request);
            this.token = token;
        }

        @Override
        public Principal getUserPrincipal() {
            return token::name;
        }

        @Override
        public String getRemoteUser() {
            return token.name();
        }

        @Override
        public boolean isUserInRole(String role) {
            Role asked = Role.ofLabel(role);
            return asked != null && token.role().includes(asked);
        }
    }
}
