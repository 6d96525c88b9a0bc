package io.muster.cluster;

import io.muster.web.MusterHeaders;
import io.muster.replication.Replica;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Puts {@code X-Muster-Revision}, {@code X-Muster-Term} and {@code X-Muster-Leader} on every API
 * response, errors included, so that a client always knows what it talked to. The revision is the
 * node's applied index when the request arrived; a handler that knows better (the revision a read
 * reflects, or a write made) replaces it.
 */
@Component
class RaftHeadersFilter extends OncePerRequestFilter {


    private final Replica node;

    RaftHeadersFilter(Replica node) {
        this.node = node;
    }

    /**
     * Runs again when an asynchronous request (a lock wait, a long poll, a minRevision wait) is
     * dispatched to be answered: the headers then say where the node is at the answer, and the
     * handler's revision replaces the filter's instead of following it.
     */
    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/v1/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Replica.Headline headline = node.headline();
        response.setHeader(MusterHeaders.REVISION, Long.toString(headline.revision()));
        response.setHeader(MusterHeaders.TERM, Long.toString(headline.term()));
        if (headline.leaderId() != null) {
            response.setHeader(MusterHeaders.LEADER, headline.leaderId());
        }
        chain.doFilter(request, new SingleRevision(response));
    }

    /** Turns a handler's {@code addHeader} of the revision into a replacement of the filter's value. */
    private static final class SingleRevision extends HttpServletResponseWrapper {

        SingleRevision(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void addHeader(String name, String value) {
            if (MusterHeaders.REVISION.equalsIgnoreCase(name)) {
                super.setHeader(name, value);
            } else {
                super.addHeader(name, value);
            }
        }
    }
}
