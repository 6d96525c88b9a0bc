package io.muster.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.spring.client.InstanceIdentity;
import io.muster.spring.discovery.MusterServiceCache;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stock application with the starter registers itself in Muster with its default id, real port and
 * management port, lists itself and a natively registered peer through both discovery clients, sees a
 * new peer through its watch within a second, one watch covering every service it looked up (SPRING.md
 * C-5); re-registers at once when its lease is
 * revoked and keeps its lease across a leadership move (C-6); and drains through the serviceregistry
 * actuator endpoint (C-8). Three Muster nodes, the application given all three.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistrationIT {

    private static final String SERVICE = "compat-client";
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static MusterNodes muster;
    private static MusterClient admin;
    private static ConfigurableApplicationContext app;
    private static String id;
    private static long registeredWithinMillis = -1;

    @BeforeAll
    static void start() throws Exception {
        muster = MusterNodes.start(3);
        admin = muster.admin(1);
        admin.put("/v1/services/" + SERVICE + "/instances/native-peer-1",
                "{\"address\":\"10.9.9.1\",\"port\":8081,\"zone\":\"z1\",\"tags\":[\"a\",\"b\"],\"ttlSeconds\":600}");
        app = DiscoveryApps.start(muster.url(1) + "," + muster.url(2) + "," + muster.url(3));
        long ready = System.nanoTime(); // SpringApplication.run returns right after ApplicationReadyEvent
        int port = StarterApps.port(app);
        id = InstanceIdentity.defaultId(null, System.getenv("HOSTNAME"), "127.0.0.1", SERVICE, port);
        StarterApps.await(Duration.ofSeconds(2), "registration of " + id, () -> admin.instance(SERVICE, id) != null);
        registeredWithinMillis = (System.nanoTime() - ready) / 1_000_000;
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (muster != null) {
            muster.close();
        }
    }

    @Test
    @Order(1)
    void registersWithTheDefaultIdAndRealPortsAndDiscoversItselfAndPeers() {
        assertThat(registeredWithinMillis).isBetween(0L, 2000L);
        JsonNode registered = admin.instance(SERVICE, id);
        String port = Integer.toString(StarterApps.port(app));
        assertThat(registered.path("port").asInt()).isEqualTo(StarterApps.port(app));
        assertThat(registered.path("address").asString()).isEqualTo("127.0.0.1");
        assertThat(registered.path("status").asString()).isEqualTo("UP");
        assertThat(registered.path("metadata").path("management.port").asString()).isEqualTo(port);
        assertThat(registered.path("metadata").path("management.context-path").asString()).isEqualTo("/actuator");

        DiscoveryClient blocking = app.getBean(DiscoveryClient.class);
        ReactiveDiscoveryClient reactive = app.getBean(ReactiveDiscoveryClient.class);
        assertThat(ids(blocking.getInstances(SERVICE))).containsExactlyInAnyOrder(id, "native-peer-1");
        assertThat(ids(reactive.getInstances(SERVICE).collectList().block(Duration.ofSeconds(10))))
                .containsExactlyInAnyOrder(id, "native-peer-1");
        ServiceInstance peer = blocking.getInstances(SERVICE).stream()
                .filter(instance -> instance.getInstanceId().equals("native-peer-1")).findFirst().orElseThrow();
        assertThat(peer.getHost()).isEqualTo("10.9.9.1");
        assertThat(peer.getMetadata()).containsEntry("zone", "z1").containsEntry("tags", "a,b");
        assertThat(blocking.getServices()).contains(SERVICE);

        MusterServiceCache cache = app.getBean(MusterServiceCache.class);
        StarterApps.await(Duration.ofSeconds(5), "the service watch open",
                () -> cache.state() == MusterServiceCache.StreamState.CONNECTED);
        admin.put("/v1/services/" + SERVICE + "/instances/native-peer-2",
                "{\"address\":\"10.9.9.2\",\"port\":8082,\"ttlSeconds\":600}");
        StarterApps.await(Duration.ofSeconds(1), "native-peer-2 in the cache",
                () -> ids(blocking.getInstances(SERVICE)).contains("native-peer-2"));
        assertThat(cache.state()).isEqualTo(MusterServiceCache.StreamState.CONNECTED);

        // A second service joins the same stream (one multiplexed watch per application).
        admin.put("/v1/services/compat-other/instances/other-1", "{\"address\":\"10.9.8.1\",\"port\":80,\"ttlSeconds\":600}");
        assertThat(ids(blocking.getInstances("compat-other"))).containsExactly("other-1");
        StarterApps.await(Duration.ofSeconds(5), "one watch over both services", () -> cache.state()
                == MusterServiceCache.StreamState.CONNECTED && cache.details().get("watched") instanceof List<?> watched
                && watched.containsAll(List.of(SERVICE, "compat-other")));
        admin.put("/v1/services/compat-other/instances/other-2", "{\"address\":\"10.9.8.2\",\"port\":80,\"ttlSeconds\":600}");
        StarterApps.await(Duration.ofSeconds(1), "other-2 in the cache",
                () -> ids(blocking.getInstances("compat-other")).contains("other-2"));
        admin.send("DELETE", "/v1/services/" + SERVICE + "/instances/native-peer-2").expect(200);
        StarterApps.await(Duration.ofSeconds(1), "native-peer-2 gone from the cache",
                () -> !ids(blocking.getInstances(SERVICE)).contains("native-peer-2"));
        assertThat(cache.state()).isEqualTo(MusterServiceCache.StreamState.CONNECTED);
    }

    @Test
    @Order(2)
    void reRegistersAtOnceWhenTheLeaseIsRevokedAndKeepsItsLeaseAcrossALeadershipMove() {
        long lease = admin.instance(SERVICE, id).path("lease").asLong();
        admin.revokeLease(lease);
        assertThat(admin.instance(SERVICE, id)).as("revoking the lease removes the instance").isNull();
        StarterApps.await(INTERVAL.plusMillis(1000), "re-registration after the lease was revoked", () -> {
            JsonNode now = admin.instance(SERVICE, id);
            return now != null && now.path("lease").asLong() != lease;
        });
        long renewed = admin.instance(SERVICE, id).path("lease").asLong();

        String leader = admin.leader();
        int leaderNumber = Integer.parseInt(leader.substring(1));
        String next = "n" + (leaderNumber % 3 + 1);
        muster.admin(leaderNumber).transferLeadership(next);
        StarterApps.await(Duration.ofSeconds(10), "leadership on " + next, () -> next.equals(admin.leader()));

        // Watch the lease for longer than its ttl (6 s): it must never lapse, and heartbeats must go on.
        long end = System.nanoTime() + Duration.ofSeconds(7).toNanos();
        while (System.nanoTime() < end) {
            JsonNode now = admin.instance(SERVICE, id);
            assertThat(now).as("the instance after the leadership move").isNotNull();
            assertThat(now.path("lease").asLong()).as("the lease after the leadership move").isEqualTo(renewed);
        }
        HttpResponse<String> details = StarterApps.call(app, "GET", "/actuator/muster", null);
        JsonNode registration = JSON.readTree(details.body()).path("registration");
        assertThat(registration.path("lease").asLong()).isEqualTo(renewed);
        assertThat(registration.path("msSinceLastHeartbeat").asLong()).isLessThan(2 * INTERVAL.toMillis() + 500);
    }

    @Test
    @Order(3)
    void theServiceRegistryEndpointDrainsTheInstance() {
        HttpResponse<String> drained = StarterApps.call(app, "POST", "/actuator/serviceregistry",
                "{\"status\":\"OUT_OF_SERVICE\"}");
        assertThat(drained.statusCode()).as(drained.body()).isEqualTo(200);
        try {
            assertThat(admin.instance(SERVICE, id).path("status").asString()).isEqualTo("OUT_OF_SERVICE");
            assertThat(ids(admin.instances(SERVICE, "UP"))).doesNotContain(id).contains("native-peer-1");
            HttpResponse<String> status = StarterApps.call(app, "GET", "/actuator/serviceregistry", null);
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.body()).contains("OUT_OF_SERVICE");
        } finally {
            StarterApps.call(app, "POST", "/actuator/serviceregistry", "{\"status\":\"UP\"}");
        }
        assertThat(admin.instance(SERVICE, id).path("status").asString()).isEqualTo("UP");
    }

    private static List<String> ids(List<ServiceInstance> instances) {
        return instances.stream().map(ServiceInstance::getInstanceId).toList();
    }

    private static List<String> ids(JsonNode instances) {
        return instances.valueStream().map(instance -> instance.path("id").asString()).toList();
    }
}
