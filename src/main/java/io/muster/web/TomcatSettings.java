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
