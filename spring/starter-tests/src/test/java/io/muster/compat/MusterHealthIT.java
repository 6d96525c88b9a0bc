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
        DiscoveryApps.await(Duration.ofSeconds(5), "muster health UP",
                () -> DiscoveryApps.call(app, "GET", "/actuator/health/muster", null).statusCode() == 200);
        HttpResponse<String> up = DiscoveryApps.call(app, "GET", "/actuator/health/muster", null);
        assertThat(up.body()).contains("\"status\":\"UP\"").contains("\"registration\"").contains("\"node\"");

        muster.kill(1);

        DiscoveryApps.await(Duration.ofSeconds(15), "muster health DOWN",
                () -> DiscoveryApps.call(app, "GET", "/actuator/health/muster", null).statusCode() == 503);
        assertThat(DiscoveryApps.call(app, "GET", "/actuator/health/muster", null).body()).contains("\"status\":\"DOWN\"");
        HttpResponse<String> readiness = DiscoveryApps.call(app, "GET", "/actuator/health/readiness", null);
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"status\":\"UP\"");
        HttpResponse<String> liveness = DiscoveryApps.call(app, "GET", "/actuator/health/liveness", null);
        assertThat(liveness.statusCode()).isEqualTo(200);
    }
}
