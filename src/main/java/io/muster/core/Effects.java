package io.muster.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records what the command being applied changes, as the store's tables change it; emptied at the
 * start of every apply. A key or lock changed twice by one command is listed once, where it was first
 * changed, with what it holds at the end.
 */
final class Effects {

    private final Map<String, Applied.Change> keys = new LinkedHashMap<>();
    private final List<Applied.InstanceChange> instances = new ArrayList<>();
    private final Map<String, Lock> locks = new LinkedHashMap<>();
    private final List<Lease> granted = new ArrayList<>();
    private final List<Long> ended = new ArrayList<>();
    private final List<Applied.TokenChange> tokens = new ArrayList<>();

    void clear() {
        keys.clear();
        instances.clear();
        locks.clear();
        granted.clear();
        ended.clear();
        tokens.clear();
    }

    void key(String key, Entry entry) {
        keys.put(key, new Applied.Change(key, entry, false));
    }

    void keyDeleted(String key, boolean expired) {
        keys.put(key, new Applied.Change(key, null, expired));
    }

    void instance(Instance instance) {
        instances.add(new Applied.InstanceChange(instance.service(), instance.id(), instance, false));
    }

    void instanceRemoved(String service, String id, boolean expired) {
        instances.add(new Applied.InstanceChange(service, id, null, expired));
    }

    void lock(Lock lock) {
        locks.put(lock.name(), lock);
    }

    void granted(Lease lease) {
        granted.add(lease);
    }

    void ended(long lease) {
        ended.add(lease);
    }

    void token(String name, Token token) {
        tokens.add(new Applied.TokenChange(name, token));
    }

    Applied applied(long revision, Result result, Applied.Audit audit) {
        return new Applied(revision, result, List.copyOf(keys.values()), instances, List.copyOf(locks.values()),
                granted, ended, tokens, audit);
    }
}
