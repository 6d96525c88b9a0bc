package io.muster.spring.client;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One answer from a Muster node: its status, headers and body, and which node gave it. */
public record Response(int status, HttpHeaders headers, byte[] body, URI node, JsonMapper mapper) {

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    public JsonNode json() {
        return mapper.readTree(body);
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The revision the answer was read at ({@code X-Muster-Revision}), when it says. */
    public OptionalLong revision() {
        return headers.firstValue(MusterHttpClient.REVISION_HEADER).map(value -> {
            try {
                return OptionalLong.of(Long.parseLong(value.trim()));
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        }).orElse(OptionalLong.empty());
    }

    /** The problem's type name (the last path segment of {@code type}), or "" when the body is no problem. */
    public String problemType() {
        JsonNode problem = problem();
        String type = problem == null ? "" : problem.path("type").asString("");
        return type.substring(type.lastIndexOf('/') + 1);
    }

    /** The problem's detail, else its title, else the start of the body. */
    public String problemDetail() {
        JsonNode problem = problem();
        if (problem != null) {
            String detail = problem.path("detail").asString("");
            return detail.isEmpty() ? problem.path("title").asString("") : detail;
        }
        String text = text();
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    private JsonNode problem() {
        if (body == null || body.length == 0 || body[0] != '{') {
            return null;
        }
        try {
            return mapper.readTree(body);
        } catch (JacksonException e) {
            return null;
        }
    }

    /** Throws {@link MusterUnavailableException} unless the status is 2xx. */
    public Response requireOk(String what) {
        if (!ok()) {
            throw new MusterUnavailableException(node, what + ": " + node + " answered " + status + " "
                    + problemDetail(), this, null);
        }
        return this;
    }
}
