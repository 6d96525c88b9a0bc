package io.muster.sample;

import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The sample: its greeting comes from Muster (config/muster-sample/default) and changes while it runs
 * when a release is published; it registers itself and lists the instances of its service that Muster
 * knows.
 */
@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }

    /** {@code GET /greeting}: rebuilt with the new value after each refresh. */
    @RestController
    @RefreshScope
    static class Greeting {

        private final String greeting;

        Greeting(@Value("${sample.greeting:hello from the jar (no document in Muster yet)}") String greeting) {
            this.greeting = greeting;
        }

        @GetMapping("/greeting")
        Map<String, String> greeting() {
            return Map.of("greeting", greeting);
        }
    }

    /** {@code GET /instances}: this service's instances, from the discovery cache the starter keeps. */
    @RestController
    static class Instances {

        private final DiscoveryClient discovery;

        Instances(DiscoveryClient discovery) {
            this.discovery = discovery;
        }

        @GetMapping("/instances")
        List<String> instances() {
            return discovery.getInstances("muster-sample").stream()
                    .map(instance -> instance.getInstanceId() + " " + instance.getUri()).toList();
        }
    }
}
