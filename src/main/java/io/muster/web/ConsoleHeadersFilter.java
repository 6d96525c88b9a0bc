package io.muster.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Puts the web console's security headers on every {@code /console} and {@code /console/**} response,
 * errors included. The console is plain ES modules and style sheets served from the jar, so its policy
 * allows only this origin's scripts, styles, images (and data: images), fonts and API calls: no inline
 * script or style, no {@code eval}, no {@code <base>}, no form posts, and no framing (clickjacking).
 * {@code nosniff} keeps a browser from running a file as a script unless it is served as one, and no
 * page of the console leaks its address (which may name a key) as a referrer.
 *
 * <p>{@code Cache-Control: no-cache}: a browser keeps the assets but asks again before each use, with the
 * {@code ETag} and {@code Last-Modified} the resource handler sends ({@link ConsoleResources}), so a node
 * upgraded to a new jar serves its new console at once while an unchanged one costs a 304.
 *
 * <p>Runs before the token filter, so even a refusal carries the headers. Thread-safe: stateless.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class ConsoleHeadersFilter extends OncePerRequestFilter {

    /** About 250 bytes: well within Tomcat's 4 KB response header buffer (application.yml). */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !ConsoleResources.covers(request.getRequestURI().substring(request.getContextPath().length()));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        chain.doFilter(request, response);
    }
}
