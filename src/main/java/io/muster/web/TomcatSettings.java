package io.muster.web;

import org.apache.catalina.core.StandardHost;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tomcat settings that keep every answer a problem detail rather than a Tomcat HTML page, and that
 * invite no request body before the request has been authenticated.
 */
@Configuration(proxyBeanMethods = false)
class TomcatSettings {

    /**
     * Tomcat rejects an encoded slash ({@code %2F}) in a path with its own HTML 400 before the
     * application sees it. Pass it through instead, so the key rules answer with a problem detail.
     */
    @Bean
    TomcatConnectorCustomizer encodedSlashesReachTheApplication() {
        return connector -> connector.setEncodedSolidusHandling("passthrough");
    }

    /**
     * Tomcat answers {@code Expect: 100-continue} as soon as it has parsed the headers, inviting the body
     * before anyone has looked at the credentials or the declared size. Send the 100 only when the
     * application starts reading the body instead: a request refused with 401 or 413 never gets one, and
     * its client never sends the body.
     */
    @Bean
    TomcatConnectorCustomizer continueOnlyWhenTheBodyIsRead() {
        return connector -> {
            if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http) {
                http.setContinueResponseTiming("onRead");
            }
        };
    }

    /**
     * Smaller per-connection buffers. An open request holds its connection's buffers for as long as it lasts,
     * and an idle watch stream lasts for hours: at Tomcat's defaults each costs about 108 KB of heap, most of
     * it buffers sized 8 KB (docs/performance.md, "Environment watch figures"). These four are settable
     * and larger than this API needs; the rest (the servlet request's and response's 8 K-char buffers and the
     * response body buffer, 40 KB together) are fixed in Tomcat.
     * <ul>
     * <li>{@code socket.appReadBufSize} 4 KB (8 KB): the socket read buffer; Tomcat sizes each request's header
     * buffer as the header limit plus this, so it counts twice. Request headers keep their 8 KB limit (a long
     * bearer token, the instance and label headers fit as before); a body is read 4 KB at a time rather than
     * 8 KB, which costs a large {@code PUT} a few more reads, nothing else.
     * <li>{@code socket.appWriteBufSize} 4 KB (8 KB): the socket write buffer; a large answer is written to the
     * socket in 4 KB pieces rather than 8 KB ones.
     * <li>{@code maxHttpResponseHeaderSize} 4 KB (8 KB): the response header buffer, set in
     * {@code application.yml} ({@code server.tomcat.max-http-response-header-size}; Spring Boot applies that
     * property after these customizers). Muster's answers carry a dozen short headers, under 1 KB.
     * <li>{@code maxTrailerSize} 1 KB (8 KB): Tomcat allocates it for every request, chunked or not, to hold
     * the trailer of a chunked request body; no Muster client sends trailers.
     * </ul>
     * With TLS, Tomcat grows the socket buffers to the TLS engine's application buffer size (about 16 KB)
     * whatever is set here.
     */
    @Bean
    TomcatConnectorCustomizer smallerPerConnectionBuffers() {
        return connector -> {
            if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http) {
                http.setMaxTrailerSize(1024);
            }
            for (String buffer : new String[] {"socket.appReadBufSize", "socket.appWriteBufSize"}) {
                if (!connector.setProperty(buffer, Integer.toString(4 * 1024))) {
                    throw new IllegalStateException("Tomcat did not take " + buffer);
                }
            }
        };
    }

    /** Requests Tomcat rejects before any servlet runs are answered by {@link ProblemErrorReportValve}. */
    @Bean
    TomcatContextCustomizer problemDetailsForRejectedRequests() {
        return context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
            }
        };
    }
}
