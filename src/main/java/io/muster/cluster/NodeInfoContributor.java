package io.muster.cluster;

import io.muster.MusterProperties;
import java.util.Map;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.stereotype.Component;

/** Adds the cluster name and node id to {@code /actuator/info} (build version and git commit come from Boot). */
@Component
class NodeInfoContributor implements InfoContributor {

    private final MusterProperties properties;

    NodeInfoContributor(MusterProperties properties) {
        this.properties = properties;
    }

    @Override
    public void contribute(Info.Builder builder) {
        builder.withDetail("muster", Map.of("clusterName", properties.clusterName(), "nodeId", properties.nodeId()));
    }
}
