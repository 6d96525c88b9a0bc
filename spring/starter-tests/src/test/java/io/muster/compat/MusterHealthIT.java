package io.muster.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * When every Muster node stops, the application's {@code muster} health component goes DOWN while its
 * readiness stays UP: an outage of Muster must not take the application out of its load balancer
 * (SPRING.md C-10, pitfall 14). One Muster node.
 */
class MusterHealthIT {

    private static MusterNodes muster;
    private static ConfigurableApplicationContext app;

    @BeforeAll
    static void start() throws Exception {
        muster = MusterNodes.start(1);
        app = DiscoveryApps.start(muster.url(1));
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
    void mustersHealthGoesDownWhileReadinessStaysUp() throws Exception {
        StarterApps.await(Duration.ofSeconds(5), "muster health UP",
                () -> StarterApps.call(app, "GET", "/actuator/health/muster", null).statusCode() == 200);
        HttpResponse<String> up = StarterApps.call(app, "GET", "/actuator/health/muster", null);
        assertThat(up.body()).contains("\"status\":\"UP\"").contains("\"registration\"").contains("\"node\"");

        muster.kill(1);

        StarterApps.await(Duration.ofSeconds(15), "muster health DOWN",
                () -> StarterApps.call(app, "GET", "/actuator/health/muster", null).statusCode() == 503);
        assertThat(StarterApps.call(app, "GET", "/actuator/health/muster", null).body()).contains("\"status\":\"DOWN\"");
        HttpResponse<String> readiness = StarterApps.call(app, "GET", "/actuator/health/readiness", null);
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"status\":\"UP\"");
        HttpResponse<String> liveness = StarterApps.call(app, "GET", "/actuator/health/liveness", null);
        assertThat(liveness.statusCode()).isEqualTo(200);
    }
}
