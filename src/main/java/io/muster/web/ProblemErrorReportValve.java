package io.muster.web;

import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat's error report, for every error no servlet answered: requests Tomcat rejects before any
 * servlet runs (an undecodable path, a control character, an oversized header, {@code CONNECT}, an
 * {@code HTTP/2.0} request line, {@code TRACE}), a body Tomcat could not read, and anything thrown past
 * Spring MVC. A problem detail instead of Tomcat's HTML page, so that every error the node answers is
 * {@code application/problem+json}. (Spring Boot's own error page is switched off in
 * {@code MusterApplication} so that such errors end here rather than in its default JSON body.)
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.isCommitted() || response.getContentWritten() > 0) {
            return;
        }
        ProblemType type = ProblemType.forStatus(status);
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                String message = response.getMessage();
                if ((message == null || message.isBlank()) && throwable != null) {
                    message = throwable.getMessage();
                }
                writer.write(ProblemJson.render(type, status, detail(type, status, message)));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the connection is gone or the response already started; nothing more to say
        }
    }

    /**
     * Tomcat's message (or its exception's) for what the client did wrong, without Java names; for the
     * node's own faults nothing from the exception, which the log already has.
     */
    static String detail(ProblemType type, int status, String message) {
        if (type == ProblemType.HTTP_VERSION_NOT_SUPPORTED) {
            return "This port serves HTTP/1.0 and HTTP/1.1 only";
        }
        if (status >= 500 && type != ProblemType.NOT_IMPLEMENTED) {
            return "An unexpected error occurred; the node's log has the details";
        }
        String plain = ProblemText.plain(message);
        return plain.isEmpty() ? "The request was refused (HTTP " + status + ")" : plain;
    }
}
