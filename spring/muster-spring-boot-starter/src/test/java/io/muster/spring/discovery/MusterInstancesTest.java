package io.muster.spring.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.cloud.client.ServiceInstance;
import tools.jackson.databind.json.JsonMapper;

/** Muster's instance JSON maps to a ServiceInstance with zone, tags and secure in its metadata. */
class MusterInstancesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void mapsAddressPortZoneTagsAndSecure() {
        ServiceInstance instance = MusterInstances.of(JSON.readTree("""
                {"service":"orders","id":"o-1","address":"10.0.0.7","port":8443,"zone":"eu-1a","tags":["blue","v2"],
                 "metadata":{"secure":"true","track":"canary"},"status":"UP","lease":5}"""));
        assertThat(instance.getInstanceId()).isEqualTo("o-1");
        assertThat(instance.getServiceId()).isEqualTo("orders");
        assertThat(instance.getHost()).isEqualTo("10.0.0.7");
        assertThat(instance.getPort()).isEqualTo(8443);
        assertThat(instance.isSecure()).isTrue();
        assertThat(instance.getUri().toString()).isEqualTo("https://10.0.0.7:8443");
        assertThat(instance.getMetadata()).containsEntry("zone", "eu-1a").containsEntry("tags", "blue,v2")
                .containsEntry("track", "canary").containsEntry("secure", "true");
    }

    @Test
    void noZoneNoTagsAndNotSecureByDefault() {
        ServiceInstance instance = MusterInstances.of(JSON.readTree("""
                {"service":"orders","id":"o-2","address":"h","port":80,"zone":"","tags":[],"metadata":{},"status":"UP"}"""));
        assertThat(instance.isSecure()).isFalse();
        assertThat(instance.getMetadata()).doesNotContainKeys("zone", "tags");
    }

    @Test
    void onlyUpCounts() {
        assertThat(MusterInstances.isUp(JSON.readTree("{\"status\":\"UP\"}"))).isTrue();
        assertThat(MusterInstances.isUp(JSON.readTree("{\"status\":\"OUT_OF_SERVICE\"}"))).isFalse();
    }
}
