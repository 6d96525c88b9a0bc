package io.muster.spring.configdata;

/**
 * A {@code muster:} import that is not optional could not load: after the retries when Muster did not
 * answer, at once when it refused (401, 403, 404). {@link MusterConfigFailureAnalyzer} turns it into a
 * start-up report naming the URL, the status and the fix.
 */
public class MusterConfigUnavailableException extends RuntimeException {

    private final String url;
    private final int status;
    private final int attempts;

    public MusterConfigUnavailableException(String url, int status, int attempts, String message, Throwable cause) {
        super(message, cause);
        this.url = url;
        this.status = status;
        this.attempts = attempts;
    }

    /** The request that failed last (node and path). */
    public String url() {
        return url;
    }

    /** The last status (-1: no node answered). */
    public int status() {
        return status;
    }

    /** How many times it was tried. */
    public int attempts() {
        return attempts;
    }
}
