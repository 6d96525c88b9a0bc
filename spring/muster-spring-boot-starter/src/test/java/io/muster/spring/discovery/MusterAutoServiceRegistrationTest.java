package io.muster.spring.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.spring.client.Response;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** A heartbeat's 404 is told apart by the problem's name, whether its type is a URN or a URL. */
class MusterAutoServiceRegistrationTest {

    @Test
    void problemNamesFromUrnsAndUrls() {
        assertThat(MusterAutoServiceRegistration.problemName(problem("urn:muster:problem:lease-not-found")))
                .isEqualTo("lease-not-found");
        assertThat(MusterAutoServiceRegistration.problemName(problem("https://muster.io/problems/instance-not-found")))
                .isEqualTo("instance-not-found");
        assertThat(MusterAutoServiceRegistration.problemName(problem(""))).isEmpty();
    }

    private static Response problem(String type) {
        byte[] body = ("{\"type\":\"" + type + "\",\"status\":404,\"detail\":\"gone\"}").getBytes(StandardCharsets.UTF_8);
        return new Response(404, HttpHeaders.of(Map.of(), (name, value) -> true), body, URI.create("http://n1"),
                JsonMapper.builder().build());
    }
}
