package io.muster.wait;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@code POST /v1/query} request whose JSON body was read ahead (it carries the query's
 * {@code minRevision}) and is served again to the controller. The body is bounded before it gets here
 * ({@code muster.limits.max-request-bytes}). Not thread-safe: one request's.
 */
final class QueryBody extends HttpServletRequestWrapper {

    private final byte[] body;

    /** @throws io.muster.web.ProblemException 413 when the body is over the request size limit */
    QueryBody(HttpServletRequest request) throws IOException {
        super(request);
        this.body = request.getInputStream().readAllBytes();
    }

    /** The body's top-level {@code minRevision} when it is an integer; else {@code null} (the controller judges). */
    Long minRevision(JsonMapper json) {
        try {
            JsonNode value = json.readTree(body).path("minRevision");
            return value.isIntegralNumber() && value.canConvertToLong() ? value.asLong() : null;
        } catch (JacksonException | IllegalArgumentException malformed) {
            return null;
        }
    }

    @Override
    public ServletInputStream getInputStream() {
        ByteArrayInputStream in = new ByteArrayInputStream(body);
        return new ServletInputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                return in.read(buffer, offset, length);
            }

            @Override
            public boolean isFinished() {
                return in.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
                throw new IllegalStateException("the body was read already; read it blocking");
            }
        };
    }

    @Override
    public BufferedReader getReader() {
        String encoding = getCharacterEncoding();
        Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
        return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), charset));
    }

    @Override
    public int getContentLength() {
        return body.length;
    }

    @Override
    public long getContentLengthLong() {
        return body.length;
    }
}
