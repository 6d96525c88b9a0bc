package io.muster.spring.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.muster.spring.client.MusterClientProperties;
import io.muster.spring.client.MusterContacts;
import io.muster.spring.client.MusterHttpClient;
import io.muster.spring.client.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationProperties;
import org.springframework.context.support.GenericApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * A heartbeat's 404 is told apart by the problem's name, whether its type is a URN or a URL; and
 * deregistering lets a heartbeat under way end first, after which no heartbeat registers the instance
 * again (against a fake Muster on loopback).
 */
class MusterAutoServiceRegistrationTest {

    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch heartbeatStarted = new CountDownLatch(1);
    private HttpServer server;
    private GenericApplicationContext context;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        if (context != null) {
            context.close();
        }
    }

    @Test
    void problemNamesFromUrnsAndUrls() {
        assertThat(MusterAutoServiceRegistration.problemName(problem("urn:muster:problem:lease-not-found")))
                .isEqualTo("lease-not-found");
        assertThat(MusterAutoServiceRegistration.problemName(problem("https://muster.io/problems/instance-not-found")))
                .isEqualTo("instance-not-found");
        assertThat(MusterAutoServiceRegistration.problemName(problem(""))).isEmpty();
    }

    @Test
    void deregisteringWaitsForAHeartbeatUnderWayAndNeverRegistersAgain() throws Exception {
        MusterAutoServiceRegistration registration = registration();
        registration.register();
        assertThat(heartbeatStarted.await(5, TimeUnit.SECONDS)).as("a heartbeat under way").isTrue();

        registration.deregister();
        registration.beat(); // a beat that would come late must not register either

        assertThat(requests).as("the lost lease's 404 re-registers nothing once stopping, and the DELETE comes last")
                .containsExactly("PUT", "POST heartbeat", "POST heartbeat answered", "DELETE");
    }

    private MusterAutoServiceRegistration registration() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/", this::answer);
        server.start();
        MusterClientProperties properties = new MusterClientProperties();
        properties.getDiscovery().setHeartbeatInterval(Duration.ofMillis(20));
        MusterHttpClient client = new MusterHttpClient(
                List.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort())), null, Duration.ofSeconds(2),
                Duration.ofSeconds(5));
        context = new GenericApplicationContext();
        context.refresh();
        return new MusterAutoServiceRegistration(context, new MusterServiceRegistry(client, Duration.ofSeconds(15)),
                new AutoServiceRegistrationProperties(), new MusterRegistration("orders", "orders-1", "10.0.0.7", null,
                        List.of(), Map.of(), Map.of(), false),
                properties.getDiscovery(), new MusterContacts(), DiscoveryMetrics.NONE);
    }

    /** PUT registers; the first heartbeat takes 300 ms and answers lease-not-found; later ones answer 200. */
    private void answer(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        boolean heartbeat = exchange.getRequestURI().getPath().endsWith("/heartbeat");
        if (heartbeat && requests.contains("POST heartbeat")) {
            send(exchange, 200, "{}");
            return;
        }
        requests.add(heartbeat ? "POST heartbeat" : method);
        if (heartbeat) {
            heartbeatStarted.countDown();
            try {
                Thread.sleep(300); // deliberate: the heartbeat is under way while the context closes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            requests.add("POST heartbeat answered");
            send(exchange, 404, "{\"type\":\"urn:muster:problem:lease-not-found\",\"status\":404,\"detail\":\"gone\"}");
        } else {
            send(exchange, 200, "{\"instance\":{\"lease\":7}}");
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", status == 200 ? "application/json" : "application/problem+json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Response problem(String type) {
        byte[] body = ("{\"type\":\"" + type + "\",\"status\":404,\"detail\":\"gone\"}").getBytes(StandardCharsets.UTF_8);
        return new Response(404, HttpHeaders.of(Map.of(), (name, value) -> true), body, URI.create("http://n1"),
                JsonMapper.builder().build());
    }
}
