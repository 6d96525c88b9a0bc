package io.muster.wait;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.muster.MusterProperties;
import io.muster.security.SecurityProperties;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.stereotype.Component;

/**
 * The slots of the requests that wait on this node: a request takes one before it starts to wait and
 * gives it back when it is answered. At most {@code muster.security.max-waits-per-token} per token
 * (with security off, every request is the same anonymous caller) and {@code muster.waits.max-waiting}
 * in all; the gauge {@code muster.wait.requests} shows how many are taken.
 *
 * <p>Thread-safe.
 */
@Component
public class WaitingRequests {

    private final WaitCounter counter;

    public WaitingRequests(MusterProperties properties, SecurityProperties security, MeterRegistry meterRegistry) {
        this.counter = new WaitCounter(security.maxWaitsPerToken(), properties.waits().maxWaiting());
        Gauge.builder("muster.wait.requests", counter, WaitCounter::total)
                .description("Requests waiting on this node (locks, elections, minRevision) without a thread")
                .register(meterRegistry);
    }

    /**
     * Takes a slot for a request of {@code principal} (a token's name; empty for the anonymous caller).
     *
     * @return what gives the slot back: once, however often it runs
     * @throws ProblemException {@code rate-limited} (429) when the token has its most requests waiting,
     *                          {@code too-many-waits} (503) when the node has; both carry Retry-After
     */
    public Runnable enter(String principal) {
        switch (counter.enter(principal)) {
            case TOKEN_FULL -> throw new ProblemException(ProblemType.RATE_LIMITED, "token '" + principal + "' has "
                    + counter.perToken() + " requests waiting on this node (muster.security.max-waits-per-token); "
                    + "wait for one of them to be answered");
            case NODE_FULL -> throw new ProblemException(ProblemType.TOO_MANY_WAITS, "this node has " + counter.perNode()
                    + " requests waiting (muster.waits.max-waiting); try another node or later");
            case ADMITTED -> {
                // the request may wait
            }
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                counter.leave(principal);
            }
        };
    }

    /** How many requests wait on this node now. */
    public int count() {
        return counter.total();
    }
}
