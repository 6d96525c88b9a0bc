package io.muster.eureka;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.core.Command;
import io.muster.core.Instance;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A eureka client's registration maps onto a Muster instance (the service is the lower-case vipAddress,
 * the port the enabled one, Eureka-only fields kept under eureka.*), a standing override survives the
 * client's own registrations, and what is rendered back carries the client's fields and hash code.
 */
class EurekaInstancesTest {

    private static final JsonNode INSTANCE = JsonMapper.builder().build().readTree("""
            {"instanceId":"pay-1","hostName":"pay-1.local","app":"PAYMENTS","ipAddr":"10.0.0.7","status":"UP",
             "port":{"$":8080,"@enabled":"true"},"securePort":{"$":443,"@enabled":"false"},
             "vipAddress":"Payments","homePageUrl":"http://10.0.0.7:8080/","lastDirtyTimestamp":"1700000000000",
             "leaseInfo":{"renewalIntervalInSecs":5,"durationInSecs":15},
             "metadata":{"zone":"eu-1","management.port":"8081","@class":"x","bad key":"y"}}""");

    @Test
    void aRegistrationBecomesAnInstanceOfTheLowerCaseService() {
        Command.RegisterInstance register = EurekaInstances.registration("PAYMENTS", INSTANCE, null, 15_000);
        assertThat(register.service()).isEqualTo("payments");
        assertThat(register.id()).isEqualTo("pay-1");
        assertThat(register.address()).isEqualTo("10.0.0.7");
        assertThat(register.port()).isEqualTo(8080);
        assertThat(register.zone()).isEqualTo("eu-1");
        assertThat(register.lease()).isZero();
        assertThat(register.ttlMillis()).isEqualTo(15_000);
        assertThat(register.metadata()).containsEntry("management.port", "8081").containsEntry("eureka.hostName", "pay-1.local")
                .containsEntry("eureka.lastDirtyTimestamp", "1700000000000").doesNotContainKeys("@class", "bad key");
        assertThat(EurekaInstances.durationSeconds(INSTANCE)).isEqualTo(15);
    }

    @Test
    void aStandingOverrideOutlivesTheClientsRegistrations() {
        Instance existing = instance(Instance.Status.OUT_OF_SERVICE, Map.of("eureka.overriddenStatus", "OUT_OF_SERVICE"));
        Command.RegisterInstance again = EurekaInstances.registration("PAYMENTS", INSTANCE, existing, 15_000);
        assertThat(again.status()).isEqualTo(Instance.Status.OUT_OF_SERVICE);
        Command.RegisterInstance cleared = EurekaInstances.overridden(existing, null, Instance.Status.UP);
        assertThat(cleared.status()).isEqualTo(Instance.Status.UP);
        assertThat(cleared.metadata()).doesNotContainKey("eureka.overriddenStatus");
        assertThat(EurekaInstances.status("UNKNOWN")).isEqualTo(Instance.Status.STARTING);
    }

    @Test
    void renderingCarriesTheClientsFieldsAndHashCode() {
        Instance up = instance(Instance.Status.UP, Map.of("eureka.hostName", "pay-1.local", "zone", "eu-1"));
        Map<String, Object> rendered = EurekaInstances.render(up);
        assertThat(rendered).containsEntry("app", "PAYMENTS").containsEntry("vipAddress", "payments")
                .containsEntry("hostName", "pay-1.local").containsEntry("port", Map.of("$", 8080, "@enabled", "true"));
        assertThat(rendered.get("metadata")).isEqualTo(Map.of("zone", "eu-1"));
        assertThat(EurekaInstances.render(instance(Instance.Status.UP, Map.of())).get("metadata"))
                .isEqualTo(Map.of("@class", "java.util.Collections$EmptyMap"));
        assertThat(EurekaInstances.hashCode(List.of(up, up, instance(Instance.Status.DOWN, Map.of()))))
                .isEqualTo("DOWN_1_UP_2_");
    }

    private static Instance instance(Instance.Status status, Map<String, String> metadata) {
        return new Instance("payments", "pay-1", "10.0.0.7", 8080, "eu-1", List.of(), new TreeMap<>(metadata), status,
                20, 20, 21, 1_700_000_000_000L);
    }
}
