package io.muster.web;

import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat's error report for requests it rejects before any servlet runs (an undecodable path, a
 * control character, an oversized header): a problem detail instead of Tomcat's HTML page, so that
 * every error the node answers is {@code application/problem+json}.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.isCommitted() || response.getContentWritten() > 0) {
            return;
        }
        ProblemType type = ProblemType.forStatus(status);
        String detail = "The request was rejected before it reached the API"
                + (response.getMessage() == null || response.getMessage().isBlank() ? "" : ": " + response.getMessage());
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(ProblemJson.render(type, status, detail));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the connection is gone or the response already started; nothing more to say
        }
    }
}
