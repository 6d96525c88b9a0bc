package io.muster.springconfig;

import io.muster.core.Access;
import io.muster.core.Applied;
import io.muster.core.Role;
import io.muster.core.Token;
import io.muster.web.ProblemException;
import io.muster.watch.WatchStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One environment watch: the group it belongs to, the caller as gray rules see it, and the version it
 * last told its client about. Apply marks it {@link #changed}; its drain (on the watch sender threads,
 * never two at once) recomputes the version once however often it was marked, and sends an
 * {@code environment} message only when the version differs. It holds nothing else, so an idle stream
 * costs a few hundred bytes here beyond what the servlet container keeps for the request.
 */
final class EnvironmentStream extends WatchStream {

    private static final Logger log = LoggerFactory.getLogger(EnvironmentStream.class);

    private final EnvironmentWatches watches;
    private final EnvironmentWatches.Group group;
    private final GrayCaller caller;
    /** Set by apply when a change may concern the stream; the first drain recomputes anyway. */
    private final AtomicBoolean dirty = new AtomicBoolean(true);
    /** The version the client has (last sent, or the one it opened with); only the drain moves it. */
    private String version;
    /** The revision the last recompute read; only the drain moves it. */
    private long reached;

    EnvironmentStream(Opening opening, EnvironmentWatches watches, EnvironmentWatches.Group group, GrayCaller caller,
            String version) {
        super(opening);
        this.watches = watches;
        this.group = group;
        this.caller = caller;
        this.version = version;
    }

    EnvironmentWatches.Group group() {
        return group;
    }

    /** Marks the stream for a recompute; never blocks (apply calls it). */
    void changed() {
        if (dirty.compareAndSet(false, true)) {
            wake();
        }
    }

    /**
     * Whether a change of {@code instance} may change what gray rules see of this caller: the instance it
     * names; or, when it names none, any instance of its applications, since the caller is the one
     * instance at its address and a change anywhere (one arriving there, one moving away, one removed) can
     * change which that is. The change itself does not say where an updated instance was before.
     */
    boolean concerns(Applied.InstanceChange instance) {
        return caller.instanceId() == null || caller.instanceId().equals(instance.id());
    }

    @Override
    protected String denial(Token now) {
        String denial = Access.require(now, Role.READER);
        for (int i = 0; denial == null && i < group.keys().size(); i++) {
            denial = Access.keyDenial(now, group.keys().get(i));
        }
        return denial;
    }

    @Override
    protected boolean pending() {
        return dirty.get();
    }

    @Override
    protected boolean deliver() throws IOException {
        long applied = watches.revision(); // every mark up to it is visible below
        boolean sent = false;
        if (dirty.getAndSet(false)) {
            Environments.Resolved now;
            try {
                now = watches.environments().resolveAuthorized(group.query(), group.label(), caller);
            } catch (ProblemException unreadable) {
                // A stored document that does not parse: no version to tell; the next write to it marks again.
                log.debug("environment watch of {} not recomputed: {}", group.query().name(), unreadable.getMessage());
                return sendDue(false, Math.max(reached, applied));
            }
            if (revokedNow()) {
                return sendDue(false, reached); // the final 'revoked', before anything read after the revoke
            }
            reached = Math.max(reached, now.revision());
            if (!now.version().equals(version)) {
                version = now.version();
                send("environment", now.revision(), new EnvironmentWatches.EnvironmentChange(version, now.revision(),
                        now.distinctReleases()));
                sent = true;
            }
        }
        return sendDue(sent, Math.max(reached, applied));
    }

    @Override
    protected void onClosed() {
        watches.leave(this);
    }
}
