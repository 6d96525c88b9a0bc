package io.muster.compat.client;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * A stock Spring Boot application that takes its configuration from a Spring Cloud Config Server with
 * {@code spring-cloud-starter-config}, as any application would: no Muster code, only properties.
 */
@SpringBootApplication
@EnableConfigurationProperties(CompatProperties.class)
public class CompatClientApplication {
}
