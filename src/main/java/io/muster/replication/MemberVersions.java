package io.muster.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/**
 * What this node last learned of the cluster versions its group's members support
 * ({@code io.muster.core.ClusterVersion}): kept by {@code io.muster.cluster.VersionSteward}, read to say
 * which member holds a feature back. Thread-safe.
 */
@Component
public class MemberVersions {

    private volatile Map<String, OptionalInt> survey = Map.of();

    /** Records a survey: each member's supported level, or empty when it did not answer. */
    public void surveyed(Map<String, OptionalInt> levels) {
        this.survey = new TreeMap<>(levels);
    }

    /** The last survey, by member id (empty before the first). */
    public Map<String, OptionalInt> lastSurvey() {
        return survey;
    }

    /** The members that, at the last survey, did not support {@code level} or did not answer. */
    public List<String> holdingBack(int level) {
        List<String> members = new ArrayList<>();
        survey.forEach((member, supported) -> {
            if (supported.isEmpty() || supported.getAsInt() < level) {
                members.add(member + (supported.isEmpty() ? " (no answer)" : " (supports " + supported.getAsInt() + ")"));
            }
        });
        return members;
    }
}
