package io.muster.view;

/**
 * The view cannot answer right now: its database failed and is being rebuilt from the state into a
 * fresh one. Answered as 503 with {@code Retry-After}; the caller may retry shortly.
 */
public final class ViewUnavailableException extends RuntimeException {

    ViewUnavailableException(String message) {
        super(message);
    }
}
