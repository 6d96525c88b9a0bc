package io.muster.spring.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registration's address precedence, id and metadata (labels, management port and path, secure). */
class MusterRegistrationTest {

    @Test
    void addressIsConfiguredElsePodIpElseTheFallback() {
        assertThat(MusterRegistration.address("10.1.1.1", "10.2.2.2", () -> "10.3.3.3")).isEqualTo("10.1.1.1");
        assertThat(MusterRegistration.address(null, "10.2.2.2", () -> "10.3.3.3")).isEqualTo("10.2.2.2");
        assertThat(MusterRegistration.address(" ", "", () -> "10.3.3.3")).isEqualTo("10.3.3.3");
    }

    @Test
    void metadataCarriesLabelsUserMetadataManagementAndSecure() {
        MusterRegistration registration = new MusterRegistration("orders", "orders-1", "10.0.0.7", "eu-1a",
                List.of("blue"), Map.of("track", "canary"), Map.of("team", "pay"), false);
        registration.initialize(8080, 9090, "/manage");
        assertThat(registration.getInstanceId()).isEqualTo("orders-1");
        assertThat(registration.getPort()).isEqualTo(8080);
        assertThat(registration.getUri().toString()).isEqualTo("http://10.0.0.7:8080");
        assertThat(registration.getMetadata()).containsEntry("track", "canary").containsEntry("team", "pay")
                .containsEntry("management.port", "9090").containsEntry("management.context-path", "/manage")
                .containsEntry("secure", "false");
    }
}
