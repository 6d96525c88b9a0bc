package io.muster.lease;

import io.muster.core.Applied;
import io.muster.core.Instance;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How many service instances each lease carries, followed from the applied changes so that the
 * {@link Lessor} can weigh an expiry in the same critical section that decides it. Not thread-safe:
 * the Lessor's monitor guards it.
 */
final class InstanceCounts {

    private final Map<String, Long> leaseOfInstance = new HashMap<>();
    private final Map<Long, Integer> perLease = new HashMap<>();

    void apply(List<Applied.InstanceChange> changes) {
        for (Applied.InstanceChange change : changes) {
            String key = Instance.key(change.service(), change.id());
            Long previous = change.instance() == null ? leaseOfInstance.remove(key)
                    : leaseOfInstance.put(key, change.instance().lease());
            if (previous != null) {
                perLease.merge(previous, -1, (count, minus) -> count + minus == 0 ? null : count + minus);
            }
            if (change.instance() != null) {
                perLease.merge(change.instance().lease(), 1, Integer::sum);
            }
        }
    }

    void reload(Collection<Instance> instances) {
        leaseOfInstance.clear();
        perLease.clear();
        for (Instance instance : instances) {
            leaseOfInstance.put(instance.key(), instance.lease());
            perLease.merge(instance.lease(), 1, Integer::sum);
        }
    }

    Map<Long, Integer> of(List<Long> leases) {
        Map<Long, Integer> counts = new HashMap<>();
        for (long lease : leases) {
            counts.put(lease, perLease.getOrDefault(lease, 0));
        }
        return counts;
    }

    int total() {
        return leaseOfInstance.size();
    }
}
