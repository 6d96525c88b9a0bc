package io.muster;

import io.muster.view.H2Hardening;
import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * One Muster node: a Raft member, its REST API and its health. Spring Boot's error page is left out:
 * its default JSON body is not a problem detail, and every error Spring MVC does not answer itself is
 * rendered by {@code web.ProblemErrorReportValve} instead.
 */
@SpringBootApplication(exclude = ErrorMvcAutoConfiguration.class)
@ConfigurationPropertiesScan
public class MusterApplication {

    public static void main(String[] args) {
        // Before anything touches H2: it reads its deserialization switches once.
        H2Hardening.apply();
        SpringApplication.run(MusterApplication.class, args);
    }

    /** The leader's clock, read only when stamping a command before it is logged. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
