package io.muster.spring.client;

import java.net.URI;

/**
 * No Muster node answered a request, or every one refused it: the message names each node and what it
 * said; {@link #response()} is the last refusal, when there was one.
 */
public class MusterUnavailableException extends RuntimeException {

    private final URI node;
    private final transient Response response;

    public MusterUnavailableException(URI node, String message, Response response, Throwable cause) {
        super(message, cause);
        this.node = node;
        this.response = response;
    }

    /** The node asked last. */
    public URI node() {
        return node;
    }

    /** The last refusal ({@code null} when no node answered at all). */
    public Response response() {
        return response;
    }

    /** The status of the last refusal, or -1 when no node answered. */
    public int status() {
        return response == null ? -1 : response.status();
    }
}
