package io.muster.springconfig;

import io.muster.core.Applied;
import io.muster.core.ReleaseResult;
import io.muster.replication.AppliedChanges;
import io.muster.watch.WatchStream;
import io.muster.watch.Watches;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The environment watches of this node ({@code /v1/config/{names}/environment/watch}), grouped by what
 * they ask for (names, profiles, label), and which changes concern which group: a write to one of its
 * candidate documents, a change to an instance of one of its applications (gray rules read the caller's
 * instance), a release command on one of its documents, a replaced state (everything). Apply only marks
 * the concerned streams; each recomputes its version on the watch sender threads, once however often it
 * was marked before it ran ({@link EnvironmentStream}). The version itself comes from
 * {@link Environments}, whose answer cache is shared by a group's streams while the documents and the
 * gray outcome stay the same, so the digest is made once per group and outcome.
 *
 * <p>Thread-safe: apply reads the indexes (concurrent maps and sets) without locking; opening and
 * closing streams change them under this object's lock.
 */
@Component
class EnvironmentWatches implements AppliedChanges {

    private final Watches watches;
    private final Environments environments;
    private final ConfigDocuments documents;
    private final Map<Group.Key, Group> groups = new ConcurrentHashMap<>();
    /** The groups each candidate document key concerns. */
    private final Map<String, Set<Group>> byKey = new ConcurrentHashMap<>();
    /** The groups each application name (a service, for the gray caller's instance) concerns. */
    private final Map<String, Set<Group>> byService = new ConcurrentHashMap<>();
    /** The last revision apply told this object about; written after that revision's streams were marked. */
    private volatile long revision;

    EnvironmentWatches(Watches watches, Environments environments, ConfigDocuments documents) {
        this.watches = watches;
        this.environments = environments;
        this.documents = documents;
    }

    /** An {@code environment} message's data. */
    record EnvironmentChange(String version, long revision, List<Long> releases) {
    }

    /**
     * Opens a watch of {@code query} under {@code label} for {@code caller}, whose access was checked;
     * {@code version} is what the client has loaded ({@code null}: nothing).
     */
    SseEmitter open(EnvironmentQuery query, String label, GrayCaller caller, String version) {
        return watches.admit(opening -> join(opening, query, label, caller, version), Watches.Heartbeat.ENVIRONMENT)
                .emitter();
    }

    /**
     * A new stream in the group of {@code query} and {@code label} (made when it is the first): indexed
     * before its first recompute, so no change can slip in between.
     */
    private synchronized EnvironmentStream join(WatchStream.Opening opening, EnvironmentQuery query, String label,
            GrayCaller caller, String version) {
        Group.Key key = new Group.Key(query.names(), query.requestedProfiles(), label);
        Group group = groups.get(key);
        if (group == null) {
            List<String> keys = new ArrayList<>();
            query.candidates(documents).forEach(candidate -> keys.add(candidate.key()));
            group = new Group(key, query, label, List.copyOf(keys), ConcurrentHashMap.newKeySet());
            groups.put(key, group);
            for (String candidate : group.keys()) {
                byKey.computeIfAbsent(candidate, any -> ConcurrentHashMap.newKeySet()).add(group);
            }
            for (String name : query.names()) {
                byService.computeIfAbsent(name, any -> ConcurrentHashMap.newKeySet()).add(group);
            }
        }
        EnvironmentStream stream = new EnvironmentStream(opening, this, group, caller, version);
        group.streams().add(stream);
        return stream;
    }

    /** Forgets {@code stream}, and its group with the last one. */
    synchronized void leave(EnvironmentStream stream) {
        Group group = stream.group();
        group.streams().remove(stream);
        if (!group.streams().isEmpty() || !groups.remove(group.key(), group)) {
            return;
        }
        for (String candidate : group.keys()) {
            remove(byKey, candidate, group);
        }
        for (String name : group.query().names()) {
            remove(byService, name, group);
        }
    }

    private static void remove(Map<String, Set<Group>> index, String name, Group group) {
        Set<Group> set = index.get(name);
        if (set != null) {
            set.remove(group);
            if (set.isEmpty()) {
                index.remove(name);
            }
        }
    }

    Environments environments() {
        return environments;
    }

    long revision() {
        return revision;
    }

    // ---- fed by apply: marks, never computes ----

    @Override
    public void applied(Applied applied) {
        if (!groups.isEmpty()) {
            for (Applied.Change change : applied.keys()) {
                markKey(change.key());
            }
            for (Applied.InstanceChange change : applied.instances()) {
                markInstance(change);
            }
            if (applied.result() instanceof ReleaseResult) {
                // A release command may have dropped a document from a release in gray (its result lists the
                // documents it has now, not those it had), and releases are rare: every stream looks again,
                // and the answer cache makes that a look-up of mod revisions for most of them.
                groups.values().forEach(group -> group.streams().forEach(EnvironmentStream::changed));
            }
        }
        revision = applied.revision();
    }

    @Override
    public void replaced(long replacedRevision) {
        groups.values().forEach(group -> group.streams().forEach(EnvironmentStream::changed));
        revision = replacedRevision;
    }

    private void markKey(String key) {
        Set<Group> concerned = byKey.get(key);
        if (concerned != null) {
            concerned.forEach(group -> group.streams().forEach(EnvironmentStream::changed));
        }
    }

    private void markInstance(Applied.InstanceChange change) {
        Set<Group> concerned = byService.get(change.service());
        if (concerned != null) {
            for (Group group : concerned) {
                for (EnvironmentStream stream : group.streams()) {
                    if (stream.concerns(change)) {
                        stream.changed();
                    }
                }
            }
        }
    }

    /**
     * The streams that ask for the same environment, and the documents it is made of.
     *
     * @param keys    the candidate document keys
     * @param streams the open streams of the group
     */
    record Group(Key key, EnvironmentQuery query, String label, List<String> keys, Set<EnvironmentStream> streams) {

        record Key(List<String> names, List<String> profiles, String label) {
        }

        @Override
        public boolean equals(Object other) {
            return this == other;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }
}
