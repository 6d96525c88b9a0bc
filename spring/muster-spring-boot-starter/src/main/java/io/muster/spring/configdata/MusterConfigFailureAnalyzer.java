package io.muster.spring.configdata;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a start-up that failed because its {@code muster:} configuration could not load, and what to do. */
public class MusterConfigFailureAnalyzer extends AbstractFailureAnalyzer<MusterConfigUnavailableException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MusterConfigUnavailableException cause) {
        String description = "The application's configuration could not be loaded from Muster.\n\n  URL:      "
                + cause.url() + "\n  Status:   " + (cause.status() < 0 ? "no answer" : Integer.toString(cause.status()))
                + "\n  Attempts: " + cause.attempts() + "\n  Reason:   " + cause.getMessage();
        return new FailureAnalysis(description, action(cause.status()), cause);
    }

    private static String action(int status) {
        return switch (status) {
            case 401 -> "Set muster.client.token to a token Muster knows (it was not sent, or it was revoked).";
            case 403 -> "Give the token a reader role on the application's documents (config/<name>/ and "
                    + "config/application/), or set spring.application.name / muster.client.config.name to the "
                    + "name it may read.";
            case 404 -> "Check muster.client.config.label: Muster serves the labels in muster.springconfig.labels.";
            case -1, 502, 503, 504 -> "Check that muster.client.url (or the URLs in spring.config.import=muster:...) "
                    + "names running Muster nodes reachable from here, or import with optional:muster: to start "
                    + "without Muster's configuration.";
            default -> "Check the import's names, profiles and label; Muster's answer above says what it refused.";
        };
    }
}
