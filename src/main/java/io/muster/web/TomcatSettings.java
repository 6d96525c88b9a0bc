package io.muster.web;

import org.apache.catalina.core.StandardHost;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Tomcat settings that keep every answer a problem detail rather than a Tomcat HTML page. */
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
