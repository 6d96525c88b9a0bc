package io.muster.core;

import java.util.Collection;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** The registered service instances by {@link Instance#key}, and the instances bound to each lease. */
final class InstanceTable extends Table {

    private final NavigableMap<String, Instance> instances = new TreeMap<>();
    /** The instances bound to each lease, by {@link Instance#key}; derived, so never part of a snapshot. */
    private final Map<Long, NavigableSet<String>> bound = new TreeMap<>();

    InstanceTable(Now now, Effects effects) {
        super(now, effects);
    }

    void restore(Instance instance) {
        NavigableSet<String> keys = bound.get(instance.lease());
        if (instance.modRevision() > now.revision || keys == null || instances.put(instance.key(), instance) != null) {
            throw new UndecodableException("snapshot instance '" + instance.key()
                    + "' is duplicated, newer than the snapshot, or bound to a missing lease");
        }
        keys.add(instance.key());
    }

    Instance get(String service, String id) {
        return instances.get(Instance.key(service, id));
    }

    /** The instances of {@code service}, by id. */
    Collection<Instance> of(String service) {
        return instances.subMap(service + "/", true, service + "0", false).values();
    }

    int countBoundTo(long lease) {
        NavigableSet<String> keys = bound.get(lease);
        return keys == null ? 0 : keys.size();
    }

    Collection<Instance> all() {
        return instances.values();
    }

    /** A lease was granted: instances may now be bound to it. */
    void leaseGranted(long id) {
        bound.put(id, new TreeSet<>());
    }

    /** Lease {@code id} ended: removes the instances bound to it and adds them to {@code removed}, by key. */
    void leaseEnded(long id, NavigableMap<String, Instance> removed) {
        for (String key : bound.remove(id)) {
            removed.put(key, instances.remove(key));
        }
    }

    Result register(Command.RegisterInstance register, LeaseTable leases, KvStore store) {
        String key = Instance.key(register.service(), register.id());
        Instance existing = instances.get(key);
        long lease = register.lease();
        boolean granting = lease == 0 && existing == null;
        if (granting) {
            lease = store.grant(register.ttlMillis()).id();
        } else if (lease == 0) {
            lease = existing.lease();
        } else if (!leases.exists(lease)) {
            return now.leaseNotFound(key, lease);
        }
        Instance instance = new Instance(register.service(), register.id(), register.address(), register.port(),
                register.zone(), register.tags(), register.metadata(), register.status(), lease,
                existing == null ? now.revision : existing.createRevision(), now.revision, now.timeMillis);
        bind(existing, instance);
        return new InstanceWritten(now.revision, instance, existing == null, granting);
    }

    Result deregister(Command.DeregisterInstance deregister) {
        Instance removed = instances.remove(Instance.key(deregister.service(), deregister.id()));
        if (removed != null) {
            bound.get(removed.lease()).remove(removed.key());
            effects.instanceRemoved(removed.service(), removed.id(), false);
        }
        return new InstanceRemoved(now.revision, deregister.service(), deregister.id(), removed != null);
    }

    Result setStatus(Command.SetInstanceStatus change) {
        Instance existing = instances.get(Instance.key(change.service(), change.id()));
        if (existing == null) {
            return now.rejected(Rejected.Reason.INSTANCE_NOT_FOUND, Instance.key(change.service(), change.id()),
                    "no instance '" + change.id() + "' of service '" + change.service() + "' is registered");
        }
        Instance instance = new Instance(existing.service(), existing.id(), existing.address(), existing.port(),
                existing.zone(), existing.tags(), existing.metadata(), change.status(), existing.lease(),
                existing.createRevision(), now.revision, now.timeMillis);
        bind(existing, instance);
        return new InstanceWritten(now.revision, instance, false, false);
    }

    private void bind(Instance existing, Instance instance) {
        instances.put(instance.key(), instance);
        if (existing != null) {
            bound.get(existing.lease()).remove(existing.key());
        }
        bound.get(instance.lease()).add(instance.key());
        effects.instance(instance);
    }
}
