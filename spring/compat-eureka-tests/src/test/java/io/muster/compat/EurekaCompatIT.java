package io.muster.compat;

import static org.assertj.core.api.Assertions.assertThat;

import com.netflix.appinfo.InstanceInfo;
import com.netflix.discovery.converters.EurekaJacksonCodec;
import com.netflix.discovery.shared.Applications;
import io.muster.compat.eureka.client.EurekaClientApplication;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A stock eureka client (spring-cloud-starter-netflix-eureka-client, nothing of Muster's) registers with
 * a real Muster node through {@code /eureka/}, with a token confined to its service in the defaultZone
 * URL: it shows up in Muster's registry, sees itself and natively registered instances through its own
 * DiscoveryClient, is deregistered when it closes, and every instance Muster renders decodes with the
 * client's own codec (SPRING.md ).
 */
class EurekaCompatIT {

    private static final Duration WITHIN = Duration.ofSeconds(20);
    /** The instance fields eureka-client 2.0's EurekaJacksonCodec reads. */
    private static final List<String> CODEC_FIELDS = List.of("instanceId", "hostName", "app", "ipAddr", "sid",
            "identifyingAttribute", "status", "overriddenStatus", "overriddenstatus", "port", "securePort", "countryId",
            "dataCenterInfo", "leaseInfo", "healthCheckUrl", "secureHealthCheckUrl", "appGroupName", "homePageUrl",
            "statusPageUrl", "vipAddress", "secureVipAddress", "isCoordinatingDiscoveryServer", "lastUpdatedTimestamp",
            "lastDirtyTimestamp", "actionType", "asgName", "metadata");
    private static MusterNodes muster;
    private static MusterClient admin;
    private static String secret;

    @BeforeAll
    static void start() throws Exception {
        muster = MusterNodes.start(1);
        admin = muster.admin(1);
        secret = admin.createToken("compat-svc", "reader", List.of(), List.of("compat-svc"));
    }

    @AfterAll
    static void stop() {
        if (muster != null) {
            muster.close();
        }
    }

    private static ConfigurableApplicationContext startClient() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("spring.application.name", "compat-svc");
        settings.put("server.port", "0");
        settings.put("server.address", "127.0.0.1");
        settings.put("spring.main.banner-mode", "off");
        settings.put("spring.jmx.enabled", "false");
        settings.put("eureka.client.service-url.defaultZone", "http://t:" + secret + "@127.0.0.1:"
                + muster.url(1).substring(muster.url(1).lastIndexOf(':') + 1) + "/eureka/");
        settings.put("eureka.client.registry-fetch-interval-seconds", "1");
        settings.put("eureka.client.initial-instance-info-replication-interval-seconds", "1");
        settings.put("eureka.client.instance-info-replication-interval-seconds", "1");
        settings.put("eureka.instance.lease-renewal-interval-in-seconds", "1");
        settings.put("eureka.instance.lease-expiration-duration-in-seconds", "10");
        settings.put("eureka.instance.prefer-ip-address", "true");
        settings.put("eureka.instance.ip-address", "127.0.0.1");
        settings.put("eureka.instance.instance-id", "compat-svc-1");
        return SpringApps.run(EurekaClientApplication.class, settings);
    }

    @Test
    void aStockClientRegistersDiscoversAndDeregisters() throws Exception {
        admin.put("/v1/services/compat-svc/instances/native-1", "{\"address\":\"10.0.0.9\",\"port\":9090}");
        try (ConfigurableApplicationContext app = startClient()) {
            int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
            JsonNode registered = until("the client in Muster's registry", () -> {
                JsonNode instance = instance("compat-svc-1");
                return instance != null && "UP".equals(instance.path("status").asString()) ? instance : null;
            });
            assertThat(registered.path("port").asInt()).isEqualTo(port);
            assertThat(registered.path("address").asString()).isEqualTo("127.0.0.1");

            DiscoveryClient discovery = app.getBean(DiscoveryClient.class);
            List<ServiceInstance> seen = until("the client seeing itself and the native instance", () -> {
                List<ServiceInstance> instances = discovery.getInstances("compat-svc");
                return instances.size() == 2 ? instances : null;
            });
            assertThat(seen).extracting(ServiceInstance::getInstanceId).containsExactlyInAnyOrder("compat-svc-1", "native-1");
            assertThat(seen).filteredOn(i -> i.getInstanceId().equals("compat-svc-1")).first()
                    .extracting(ServiceInstance::getPort).isEqualTo(port);

            String body = admin.get("/eureka/apps/", "Accept", "application/json").expect(200).body();
            Applications decoded = EurekaJacksonCodec.getInstance().readValue(Applications.class,
                    new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
            List<InstanceInfo> infos = decoded.getRegisteredApplications("COMPAT-SVC").getInstances();
            assertThat(infos).extracting(InstanceInfo::getId).containsExactlyInAnyOrder("compat-svc-1", "native-1");
            assertThat(infos).allSatisfy(info -> assertThat(info.getStatus()).isEqualTo(InstanceInfo.InstanceStatus.UP));
            // Exactly the fields the client's codec knows (an unknown one breaks a strict client's every fetch).
            admin.get("/eureka/apps/").json().path("applications").path("application").forEach(application ->
                    application.path("instance").forEach(instance -> assertThat(instance.propertyNames())
                            .isSubsetOf(CODEC_FIELDS)));

            // A standing OUT_OF_SERVICE override hides it from discovery, even as the client keeps registering UP.
            admin.send("PUT", "/eureka/apps/COMPAT-SVC/compat-svc-1/status?value=OUT_OF_SERVICE").expect(200);
            until("the overridden instance hidden from discovery", () ->
                    discovery.getInstances("compat-svc").size() == 1 ? true : null);
            assertThat(instance("compat-svc-1").path("status").asString()).isEqualTo("OUT_OF_SERVICE");
            admin.send("DELETE", "/eureka/apps/COMPAT-SVC/compat-svc-1/status").expect(200);
            until("the instance back in discovery", () -> discovery.getInstances("compat-svc").size() == 2 ? true : null);
        }
        until("the closed client cancelled", () -> instance("compat-svc-1") == null ? true : null);
    }

    /** The instance as Muster's own registry API shows it, or {@code null}. */
    private static JsonNode instance(String id) {
        for (JsonNode instance : admin.get("/v1/services/compat-svc?consistency=stale&status=any").expect(200).json().path("instances")) {
            if (id.equals(instance.path("id").asString())) {
                return instance;
            }
        }
        return null;
    }

    private static <T> T until(String what, Supplier<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(200); // polling interval of a wait with a deadline
        }
        throw new AssertionError("timed out after " + WITHIN + " waiting for " + what);
    }
}
