package io.muster.release;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.muster.core.Release;
import io.muster.replication.ReplicatedState;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * {@code muster_releases{state}}: how many releases this node's applied state holds in each state, so
 * an operator sees drafts piling up or a gray release left running. Counted when scraped.
 */
@Component
class ReleaseMetrics {

    ReleaseMetrics(ReplicatedState state, MeterRegistry meters) {
        for (Release.State releaseState : Release.State.values()) {
            Gauge.builder("muster.releases", state, applied -> applied.read(store -> store.releases().stream()
                            .filter(release -> release.state() == releaseState).count()))
                    .tag("state", releaseState.name().toLowerCase(Locale.ROOT))
                    .description("Configuration releases in the applied state, by state").register(meters);
        }
    }
}
