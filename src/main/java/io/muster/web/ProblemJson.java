package io.muster.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/**
 * A problem detail written by hand, for the places that answer before Spring MVC runs (Tomcat's error
 * report, the security filter): the same members {@link ProblemHandler} renders.
 */
public final class ProblemJson {

    private ProblemJson() {
    }

    /** The problem as JSON text, with {@code status} (which may differ from the type's, e.g. for a generic type). */
    public static String render(ProblemType type, int status, String detail) {
        return render(type, status, detail, Map.of());
    }

    /** As {@link #render(ProblemType, int, String)}, with extension members (numbers, or text) after the standard ones. */
    public static String render(ProblemType type, int status, String detail, Map<String, ?> members) {
        StringBuilder json = new StringBuilder("{\"type\":\"").append(type.type()).append("\",\"title\":\"")
                .append(escape(type.title())).append("\",\"status\":").append(status).append(",\"detail\":\"")
                .append(escape(detail)).append('"');
        members.forEach((name, value) -> {
            json.append(",\"").append(escape(name)).append("\":");
            if (value instanceof Number) {
                json.append(value);
            } else {
                json.append('"').append(escape(String.valueOf(value))).append('"');
            }
        });
        return json.append('}').toString();
    }

    /** Answers {@code response} with the problem, its status and {@code headers}. */
    public static void send(HttpServletResponse response, ProblemType type, String detail, Map<String, String> headers)
            throws IOException {
        send(response, type, detail, headers, Map.of());
    }

    /** As {@link #send(HttpServletResponse, ProblemType, String, Map)}, with extension members. */
    public static void send(HttpServletResponse response, ProblemType type, String detail, Map<String, String> headers,
            Map<String, ?> members) throws IOException {
        response.setStatus(type.status().value());
        headers.forEach(response::setHeader);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(render(type, type.status().value(), detail, members));
        response.getWriter().flush();
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
