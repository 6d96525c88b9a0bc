package io.muster.check;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The set workload's check: clients add unique elements, and one read after healing must contain every
 * acknowledged element (else a write was lost), may contain an element whose add had an unknown
 * outcome, and must contain nothing else (an element never added, or whose add certainly failed).
 */
public final class SetChecker {

    private SetChecker() {
    }

    /** The verdict: elements lost (acknowledged, not read) and unexpected (read, never successfully added). */
    public record Verdict(int acknowledged, int unknown, int read, List<String> lost, List<String> unexpected) {

        public boolean valid() {
            return lost.isEmpty() && unexpected.isEmpty();
        }
    }

    /** {@code adds} maps each element to the outcome of adding it; {@code finalRead} is what the read returned. */
    public static Verdict check(Map<String, Operation.Outcome> adds, Collection<String> finalRead) {
        Set<String> read = new TreeSet<>(finalRead);
        List<String> lost = new ArrayList<>();
        int acknowledged = 0;
        int unknown = 0;
        for (Map.Entry<String, Operation.Outcome> add : new TreeMap<>(adds).entrySet()) {
            if (add.getValue() == Operation.Outcome.OK) {
                acknowledged++;
                if (!read.contains(add.getKey())) {
                    lost.add(add.getKey());
                }
            } else if (add.getValue() == Operation.Outcome.UNKNOWN) {
                unknown++;
            }
        }
        List<String> unexpected = read.stream()
                .filter(element -> !adds.containsKey(element) || adds.get(element) == Operation.Outcome.FAIL).toList();
        return new Verdict(acknowledged, unknown, read.size(), lost, unexpected);
    }
}
