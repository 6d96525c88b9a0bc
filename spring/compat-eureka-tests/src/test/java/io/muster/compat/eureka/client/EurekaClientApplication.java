package io.muster.compat.eureka.client;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A stock Spring Boot application that registers with, and discovers through, a Eureka server with
 * {@code spring-cloud-starter-netflix-eureka-client}: no Muster code, only properties.
 */
@SpringBootApplication
public class EurekaClientApplication {
}
