package io.muster.wait;

import io.muster.MusterProperties;
import io.muster.core.Command;
import io.muster.replication.Gateway;
import io.muster.replication.GatewayException;
import io.muster.view.MinRevision;
import io.muster.view.View;
import io.muster.web.ProblemException;
import io.muster.web.ProblemJson;
import io.muster.web.ProblemType;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Makes every {@code minRevision} wait without a thread. A {@code /v1/} request whose
 * {@code minRevision} (in the query string; for {@code POST /v1/query}, in its JSON body) is beyond what
 * will answer it (this node's applied state; for the endpoints the H2 view answers, the view) takes a
 * wait slot and turns asynchronous, and its thread goes back to Tomcat. Once the revision is reached
 * the request is dispatched again (an ASYNC dispatch: the token filter checks the caller's token once
 more, without charging its rate again, and the caller it found stays on the request) and its
 controller reads at once. When
 * {@code muster.read.min-revision-timeout} runs out first, this filter answers 504
 * {@code revision-not-reached} itself, as the controller would have. The controllers only check the
 * revision (504 at once when it is missing, as after a view replaced meanwhile): they never wait.
 *
 * <p>Runs after the token filter, so that an unauthenticated request never waits and the slot counts
 * against the caller's token, and after the request-size filter, so that the body of a
 * {@code /v1/query} it reads ahead is already bounded. Thread-safe.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 30)
class MinRevisionFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(MinRevisionFilter.class);
    private static final String PARAMETER = "minRevision";
    /** Tomcat's own timeout for the async request: only a backstop behind this filter's. */
    private static final Duration CONTAINER_GRACE = Duration.ofSeconds(5);
    private static final Map<String, String> RETRY_AFTER = Map.of(HttpHeaders.RETRY_AFTER, "1");

    private final Gateway gateway;
    private final View view;
    private final WaitingRequests waiting;
    private final JsonMapper json;
    private final Duration timeout;

    MinRevisionFilter(Gateway gateway, View view, WaitingRequests waiting, JsonMapper json,
            MusterProperties properties) {
        this.gateway = gateway;
        this.view = view;
        this.waiting = waiting;
        this.json = json;
        this.timeout = properties.read().minRevisionTimeout();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !path(request).startsWith("/v1/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        HttpServletRequest forwarded = request;
        Long revision = fromQuery(request.getQueryString());
        if (revision == null && "POST".equals(request.getMethod()) && path(request).equals("/v1/query")) {
            QueryBody body;
            try {
                body = new QueryBody(request);
            } catch (ProblemException tooLarge) {
                ProblemJson.send(response, tooLarge.type(), tooLarge.getMessage(), Map.of("Connection", "close"));
                return;
            }
            forwarded = body;
            revision = body.minRevision(json);
        }
        Target target = Target.of(path(request));
        if (revision == null || revision <= 0 || reachedAlready(target, revision)) {
            chain.doFilter(forwarded, response); // a negative or malformed value is the controller's to refuse
            return;
        }
        Runnable release;
        try {
            release = waiting.enter(principal(request));
        } catch (ProblemException refused) {
            ProblemJson.send(response, refused.type(), refused.getMessage(), RETRY_AFTER);
            return;
        }
        waitFor(forwarded, response, target, revision, release);
    }

    /** What a request's {@code minRevision} refers to: this node's applied state, or its H2 view. */
    enum Target {
        STATE, VIEW;

        /** The endpoints the H2 view answers; every other one reads the applied state. */
        static Target of(String path) {
            return path.startsWith("/v1/history/") || path.startsWith("/v1/rollback/") || path.equals("/v1/search")
                    || path.equals("/v1/query") || path.equals("/v1/audit") ? VIEW : STATE;
        }
    }

    private boolean reachedAlready(Target target, long revision) {
        return (target == Target.VIEW ? view.revision() : gateway.appliedRevision()) >= revision;
    }

    private CompletableFuture<Long> reached(Target target, long revision) {
        return target == Target.VIEW ? view.reached(revision) : gateway.applied(revision);
    }

    /**
     * Lets the thread go until {@code revision} is reached (then dispatches the request again) or the
     * timeout passes (then answers 504). Whichever comes first, or the client leaving, gives the slot
     * back, once.
     */
    private void waitFor(HttpServletRequest request, HttpServletResponse response, Target target, long revision,
            Runnable release) {
        AsyncContext async = request.startAsync(request, response);
        async.setTimeout(timeout.plus(CONTAINER_GRACE).toMillis());
        AtomicBoolean settled = new AtomicBoolean();
        async.addListener(new Backstop(settled, release, () -> answerNotReached(async, target, revision)));
        // The future completes on the apply (or projector) thread: dispatching only hands the request to
        // Tomcat's threads, and the 504 is written on one of them.
        reached(target, revision).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((reachedAt, failure) -> {
                    if (!settled.compareAndSet(false, true)) {
                        return;
                    }
                    release.run();
                    if (failure == null) {
                        async.dispatch();
                    } else {
                        async.start(() -> answerNotReached(async, target, revision));
                    }
                });
    }

    private void answerNotReached(AsyncContext async, Target target, long revision) {
        try {
            HttpServletResponse response = (HttpServletResponse) async.getResponse();
            if (target == Target.VIEW) {
                ProblemException problem = MinRevision.notReached(view, revision, timeout);
                ProblemJson.send(response, problem.type(), problem.getMessage(), RETRY_AFTER, problem.properties());
            } else {
                long applied = gateway.appliedRevision();
                ProblemJson.send(response, ProblemType.REVISION_NOT_REACHED,
                        new GatewayException.RevisionNotReached(revision, applied).getMessage(), RETRY_AFTER,
                        Map.of("minRevision", revision, "appliedRevision", applied));
            }
        } catch (IOException | RuntimeException e) {
            log.debug("could not answer a minRevision wait that ran out (the client may have gone)", e);
        } finally {
            async.complete();
        }
    }

    /**
     * Tomcat's side of the wait: an error on the connection gives the slot back (Tomcat does not watch
     * an idle asynchronous request's socket, so a client that just goes away holds it until the timeout);
     * Tomcat's own timeout (later than this filter's, so only if that one never fired) answers 504.
     */
    private record Backstop(AtomicBoolean settled, Runnable release, Runnable answer) implements AsyncListener {

        @Override
        public void onTimeout(AsyncEvent event) {
            if (settled.compareAndSet(false, true)) {
                release.run();
                answer.run();
            }
        }

        @Override
        public void onError(AsyncEvent event) {
            if (settled.compareAndSet(false, true)) {
                release.run();
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            if (settled.compareAndSet(false, true)) {
                release.run();
            }
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // a dispatched request that starts async again (Spring MVC) is not this wait any more
        }
    }

    /**
     * The {@code minRevision} of a query string, decoded as Tomcat would; {@code null} when absent or
     * not a number (which the controller then refuses). Parsed here rather than with
     * {@code getParameter}, which would read a form-encoded body that the endpoint never parses.
     */
    static Long fromQuery(String query) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            try {
                if (equals > 0 && PARAMETER.equals(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8))) {
                    return Long.parseLong(URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
                }
            } catch (IllegalArgumentException malformed) {
                return null; // NumberFormatException too: the controller says what is wrong
            }
        }
        return null;
    }

    private static String principal(HttpServletRequest request) {
        Principal principal = request.getUserPrincipal();
        return principal == null ? Command.Authored.ANONYMOUS : principal.getName();
    }

    private static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }
}
