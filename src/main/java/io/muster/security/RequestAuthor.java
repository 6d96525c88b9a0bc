package io.muster.security;

import io.muster.MusterProperties;
import io.muster.core.Access;
import io.muster.core.Command;
import io.muster.replication.CommandAuthor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * Stamps the caller of the current request on every command it proposes, after checking that its
 * token may issue it (403 before anything is proposed; apply checks again against the tokens at that
 * point of the log), with its Idempotency-Key and the window to remember the result for. A command
 * proposed outside any request is a programming error (a client write handed to another thread, say):
 * it fails closed, because going out unauthored would give it Muster's own rights. Muster's own
 * writes say so ({@code Gateway.writeAsMuster}) and never come here.
 */
@Component
class RequestAuthor implements CommandAuthor {

    private static final String KEY_USED = RequestAuthor.class.getName() + ".keyUsed";

    private final long idempotencyWindowMillis;

    @Autowired
    RequestAuthor(MusterProperties properties) {
        this(properties.limits().idempotencyWindow().toMillis());
    }

    RequestAuthor(long idempotencyWindowMillis) {
        this.idempotencyWindowMillis = idempotencyWindowMillis;
    }

    @Override
    public Command author(Command command) {
        Caller caller = Caller.current();
        if (caller == null) {
            throw new IllegalStateException("a client write of " + command.getClass().getSimpleName()
                    + " outside any request has no author; it is not proposed");
        }
        if (caller.token() != null) {
            Caller.deny(Access.denial(caller.token(), command));
        }
        if (!caller.idempotent() || !firstProposal()) {
            return new Command.Authored(caller.principal(), caller.requestId(), command);
        }
        return new Command.Authored(caller.principal(), caller.requestId(), caller.idempotencyKey(),
                idempotencyWindowMillis, command);
    }

    /**
     * Whether this is the request's first proposal. The Idempotency-Key covers that one: a request that
     * proposes again (a lock acquisition that gives up and leaves the queue) does so without the key,
     * so that a retried request replays its first command and runs the rest anew.
     */
    private static boolean firstProposal() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (attributes == null || attributes.getAttribute(KEY_USED, RequestAttributes.SCOPE_REQUEST) != null) {
            return false;
        }
        attributes.setAttribute(KEY_USED, Boolean.TRUE, RequestAttributes.SCOPE_REQUEST);
        return true;
    }
}
