package io.muster.security;

import io.muster.core.Access;
import io.muster.core.Command;
import io.muster.core.Token;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * Who sent the request being served: the token it carried ({@code null} on a node with security
 * turned off, where everything is allowed), its request id and its {@code Idempotency-Key} (empty
 * when none). Set by {@link TokenFilter}.
 */
public record Caller(Token token, String requestId, String idempotencyKey) {

    /** A caller without an Idempotency-Key. */
    public Caller(Token token, String requestId) {
        this(token, requestId, Command.Authored.NO_KEY);
    }

    static final String ATTRIBUTE = Caller.class.getName();

    /** The caller of the request this thread serves, or {@code null} on a thread that serves none. */
    public static Caller current() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        return attributes == null ? null
                : (Caller) attributes.getAttribute(ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
    }

    /** The caller of the current request; a request that reached an endpoint without one is refused. */
    public static Caller required() {
        Caller caller = current();
        if (caller == null) {
            throw new ProblemException(ProblemType.UNAUTHORIZED, "This request carried no credentials");
        }
        return caller;
    }

    /** Whether the request carried an Idempotency-Key. */
    public boolean idempotent() {
        return !idempotencyKey.isEmpty();
    }

    /** The name recorded as the author of this caller's commands. */
    public String principal() {
        return token == null ? Command.Authored.ANONYMOUS : token.name();
    }

    /** Refuses with 403 unless this caller may use {@code key}. */
    public static void requireKey(String key) {
        Caller caller = required();
        if (caller.token != null) {
            deny(Access.keyDenial(caller.token, key));
        }
    }

    /** Refuses with 403 unless this caller may use leases, services, locks and elections. */
    public static void requireUnconfined() {
        Caller caller = required();
        if (caller.token != null) {
            deny(Access.unconfinedDenial(caller.token));
        }
    }

    /** Refuses with 403 unless this caller may write instances of {@code service}. */
    public static void requireService(String service) {
        Caller caller = required();
        if (caller.token != null) {
            deny(Access.serviceDenial(caller.token, service));
        }
    }

    /** Refuses with 403 unless this caller may read and watch the service registry. */
    public static void requireServiceReader() {
        Caller caller = required();
        if (caller.token != null) {
            deny(Access.serviceReadDenial(caller.token));
        }
    }

    static void deny(String denial) {
        if (denial != null) {
            throw new ProblemException(ProblemType.FORBIDDEN, denial);
        }
    }
}
