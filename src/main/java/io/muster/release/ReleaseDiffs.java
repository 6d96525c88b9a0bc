package io.muster.release;

import io.muster.core.Entry;
import io.muster.core.Release;
import io.muster.core.Role;
import io.muster.core.Version;
import io.muster.security.Caller;
import io.muster.springconfig.ConfigDocuments;
import io.muster.web.ProblemException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/**
 * The key-level diff of a release's documents, flattened as Spring sees them, against what they were
 * based on or what they are now; values of secret-looking properties masked for callers that are not
 * administrators. Thread-safe: stateless beyond its collaborators.
 */
@Component
class ReleaseDiffs {

    private final ConfigDocuments documents;
    private final ReleaseProperties properties;

    ReleaseDiffs(ConfigDocuments documents, ReleaseProperties properties) {
        this.documents = documents;
        this.properties = properties;
    }

    /** One document's key-level change: added, removed and changed properties (flattened). */
    public record DocumentDiff(String app, String profile, String key, String change, boolean baseRetained,
            Map<String, Object> added, Map<String, Object> removed, Map<String, Change> changed) {
    }

    public record Change(Object from, Object to) {
    }

    /**
     * The key-level diff of {@code release}'s documents against what they were based on
     * ({@code current} false; the base's content comes from the key's history, and a base no longer
     * retained diffs against nothing), or against the documents as they are now.
     */
    List<DocumentDiff> diff(Release release, boolean current, Map<String, Entry> now) {
        boolean masked = !isAdmin();
        List<DocumentDiff> diffs = new ArrayList<>(release.documents().size());
        for (Release.Document document : release.documents()) {
            Entry entry = now.get(document.key());
            Version base = null;
            boolean retained = true;
            if (current) {
                base = entry == null ? null : entry.current();
            } else if (document.baseModRevision() != 0) {
                base = version(entry, document.baseModRevision());
                retained = base != null;
            }
            Map<String, Object> from = base == null ? Map.of()
                    : flat(document.key(), base.modRevision(), base.contentType(), base.value());
            Map<String, Object> to = document.deletes() ? Map.of()
                    : documents.properties(document.key(), release.revision(), document.contentType(), document.content());
            String[] appProfile = Releases.appAndProfile(document.key());
            String change = document.deletes() ? "delete" : base == null && retained ? "create" : "update";
            diffs.add(compare(appProfile[0], appProfile[1], document.key(), change, retained, from, to, masked));
        }
        return diffs;
    }

    private Map<String, Object> flat(String key, long revision, String contentType, byte[] content) {
        try {
            return documents.properties(key, -revision, contentType, content);
        } catch (ProblemException e) {
            return Map.of();
        }
    }

    private static Version version(Entry entry, long modRevision) {
        if (entry == null) {
            return null;
        }
        if (entry.modRevision() == modRevision) {
            return entry.current();
        }
        for (Version older : entry.history()) {
            if (older.modRevision() == modRevision) {
                return older;
            }
        }
        return null;
    }

    private DocumentDiff compare(String app, String profile, String key, String change, boolean retained,
            Map<String, Object> from, Map<String, Object> to, boolean masked) {
        Map<String, Object> added = new LinkedHashMap<>();
        Map<String, Object> removed = new LinkedHashMap<>();
        Map<String, Change> changed = new LinkedHashMap<>();
        for (Map.Entry<String, Object> property : new TreeMap<>(to).entrySet()) {
            Object before = from.get(property.getKey());
            if (!from.containsKey(property.getKey())) {
                added.put(property.getKey(), shown(property.getKey(), property.getValue(), masked));
            } else if (!Objects.equals(String.valueOf(before), String.valueOf(property.getValue()))) {
                changed.put(property.getKey(), new Change(shown(property.getKey(), before, masked),
                        shown(property.getKey(), property.getValue(), masked)));
            }
        }
        for (Map.Entry<String, Object> property : new TreeMap<>(from).entrySet()) {
            if (!to.containsKey(property.getKey())) {
                removed.put(property.getKey(), shown(property.getKey(), property.getValue(), masked));
            }
        }
        return new DocumentDiff(app, profile, key, change, retained, added, removed, changed);
    }

    private Object shown(String name, Object value, boolean masked) {
        return masked && properties.maskKeys().matcher(name).matches() ? Releases.MASK : value;
    }

    private static boolean isAdmin() {
        Caller caller = Caller.required();
        return caller.token() == null || caller.token().role().includes(Role.ADMIN);
    }
}
