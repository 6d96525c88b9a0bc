package io.muster.compat.starter.discovery;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * A stock Spring Boot web + actuator application with no Muster code: it answers {@code /hello} with
 * its own name, and calls others through a {@code @LoadBalanced RestClient.Builder}. Everything about
 * Muster comes from the starter on the classpath and command-line properties.
 */
@SpringBootApplication
@RestController
public class DiscoveryApplication {

    private final String name;

    public DiscoveryApplication(@Value("${compat.name:unnamed}") String name) {
        this.name = name;
    }

    @GetMapping("/hello")
    String hello() {
        return name;
    }

    @Bean
    @LoadBalanced
    RestClient.Builder loadBalancedRestClientBuilder() {
        return RestClient.builder();
    }

    public static void main(String[] args) {
        SpringApplication.run(DiscoveryApplication.class, args);
    }
}
