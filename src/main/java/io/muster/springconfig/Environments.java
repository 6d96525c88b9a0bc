package io.muster.springconfig;

import io.muster.core.Entry;
import io.muster.replication.Consistency;
import io.muster.replication.Gateway;
import io.muster.replication.Reading;
import io.muster.core.KvStore;
import io.muster.core.Release;
import io.muster.security.Caller;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Resolves what a Config Server client asked for into property sources (Spring Cloud Config
 * Server's precedence: the last profile wins, then the last application, the shared
 * {@code application} documents lowest), renders the answer, and keeps it per request until one of
 * the documents it was made from changes: a repeated request costs a look-up of a few mod revisions.
 *
 * <p>Thread-safe: the answer cache is a concurrent map, and answers are immutable.
 */
@Component
class Environments {

    private static final int MAX_CACHED_ANSWERS = 4096;
    private static final long MAX_CACHED_BYTES = 64L * 1024 * 1024;

    /** The shapes an environment is served in. */
    enum View {
        /** Spring Cloud Config's Environment JSON: every source, highest first. */
        ENVIRONMENT,
        /** The merged properties, higher sources winning, as {@code key: value} lines. */
        PROPERTIES,
        /** The merged properties as nested YAML. */
        YAML,
        /** The merged properties as nested JSON. */
        JSON
    }

    /** A rendered answer: its body, the environment's version, and the revision it was read at. */
    record Answer(byte[] body, String version, long revision) {
    }

    /** A property source: its name and its properties in document order (empty when it has no document). */
    record Source(String name, Map<String, Object> properties) {
    }

    /**
     * A native environment: each candidate with its source and the id of the release it is served from
     * (0: none), in precedence order, the version and the revision it was read at.
     */
    record Resolved(List<EnvironmentQuery.Candidate> candidates, List<Source> sources, List<Long> releases,
            String version, long revision) {

        /** The distinct releases of the sources, in source order. */
        List<Long> distinctReleases() {
            return releases.stream().filter(id -> id != 0).distinct().toList();
        }
    }

    private final Gateway gateway;
    private final ConfigDocuments documents;
    private final Map<CacheKey, Cached> answers = new ConcurrentHashMap<>();
    /** Roughly the bytes the cached answers hold; the cache is emptied when it passes the bound. */
    private final java.util.concurrent.atomic.AtomicLong cachedBytes = new java.util.concurrent.atomic.AtomicLong();

    Environments(Gateway gateway, ConfigDocuments documents) {
        this.gateway = gateway;
        this.documents = documents;
    }

    /**
     * The environment for {@code query} in {@code view}. The caller must be allowed to read every
     * document that may contribute, present or not: one it may not read is a 403 naming it, never a
     * source silently left out.
     */
    Answer answer(EnvironmentQuery query, String label, View view, Consistency consistency) {
        return answer(query, label, view, consistency, GrayCaller.NOBODY);
    }

    /**
     * As {@link #answer(EnvironmentQuery, String, View, Consistency)}, for {@code caller}: a document in
     * gray is served as the gray release has it when the caller matches the release's rule, and as it
     * is otherwise.
     */
    Answer answer(EnvironmentQuery query, String label, View view, Consistency consistency, GrayCaller caller) {
        List<EnvironmentQuery.Candidate> candidates = checkedCandidates(query);
        Reading<List<Served>> reading = gateway.read(consistency, 0,
                store -> served(store, query, candidates, caller, false));
        Cached made = made(query, label, view, candidates, reading.value());
        return new Answer(made.body, made.version, reading.revision());
    }

    /**
     * The native environment ({@code /v1/config/{names}/environment}) for {@code caller}: the sources of
     * {@link #answer}, each with the profile that selected it and the release it is served from, and the
     * version {@code /config} gives the same caller. Access as for {@link #answer}.
     */
    Resolved resolve(EnvironmentQuery query, String label, Consistency consistency, long minRevision,
            GrayCaller caller) {
        return resolved(query, label, consistency, minRevision, checkedCandidates(query), caller);
    }

    /**
     * As {@link #resolve}, read from this node's applied state, without checking the caller's access:
     * for the environment watch, which recomputes off any request thread for a caller whose access was
     * checked when its stream opened (and whose stream ends when its token loses it).
     */
    Resolved resolveAuthorized(EnvironmentQuery query, String label, GrayCaller caller) {
        return resolved(query, label, Consistency.STALE, 0, query.candidates(documents), caller);
    }

    private Resolved resolved(EnvironmentQuery query, String label, Consistency consistency, long minRevision,
            List<EnvironmentQuery.Candidate> candidates, GrayCaller caller) {
        Reading<List<Served>> reading = gateway.read(consistency, minRevision,
                store -> served(store, query, candidates, caller, true));
        Cached made = made(query, label, null, candidates, reading.value());
        List<Long> releases = new ArrayList<>(candidates.size());
        reading.value().forEach(served -> releases.add(served.release));
        return new Resolved(candidates, made.sources, releases, made.version, reading.revision());
    }

    /** Refuses (403, naming the first) a caller that may not read every candidate document of {@code query}. */
    void requireReadable(EnvironmentQuery query) {
        checkedCandidates(query);
    }

    /** The candidates of {@code query}, once the caller is known to be allowed to read every one. */
    private List<EnvironmentQuery.Candidate> checkedCandidates(EnvironmentQuery query) {
        List<EnvironmentQuery.Candidate> candidates = query.candidates(documents);
        candidates.forEach(candidate -> Caller.requireKey(candidate.key()));
        return candidates;
    }

    /**
     * The version and sources (and, for a {@code view}, the rendered body; {@code null}: none) of what was
     * {@code served}: cached while the documents it was made from keep their mod revisions.
     */
    private Cached made(EnvironmentQuery query, String label, View view, List<EnvironmentQuery.Candidate> candidates,
            List<Served> served) {
        long[] fingerprint = new long[candidates.size()];
        long grayMask = 0;
        for (int i = 0; i < fingerprint.length; i++) {
            Served one = served.get(i);
            if (one.gray != null) {
                fingerprint[i] = -one.gray.revision();
                grayMask |= 1L << Math.min(i, 63);
            } else {
                fingerprint[i] = one.entry == null ? 0 : one.entry.modRevision();
            }
        }
        CacheKey key = new CacheKey(query.name(), String.join(",", query.requestedProfiles()), label, view, grayMask);
        Cached cached = answers.get(key);
        if (cached != null && Arrays.equals(cached.fingerprint, fingerprint)) {
            return cached;
        }
        List<Source> sources = new ArrayList<>(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            sources.add(new Source(candidates.get(i).sourceName(), properties(candidates.get(i), served.get(i))));
        }
        String version = version(sources);
        byte[] body = view == null ? new byte[0] : EnvironmentRendering.render(view, query, label, version, sources);
        if (answers.size() >= MAX_CACHED_ANSWERS || cachedBytes.addAndGet(body.length) > MAX_CACHED_BYTES) {
            answers.clear();
            cachedBytes.set(body.length);
        }
        Cached made = new Cached(fingerprint, body, version, List.copyOf(sources));
        answers.put(key, made);
        return made;
    }

    /**
     * What each candidate serves this caller, read under the store's lock: its entry, or the gray
     * release whose version it gets, and (when {@code releases} is asked for) the id of the release it
     * is served from: that gray release, else the published release that wrote the entry's mod revision
     * (0: none). The caller is joined with the registry only when a candidate is in gray, so a plain read
     * costs one look-up more per candidate.
     */
    private static List<Served> served(KvStore store, EnvironmentQuery query, List<EnvironmentQuery.Candidate> candidates,
            GrayCaller caller, boolean releases) {
        List<Served> served = new ArrayList<>(candidates.size());
        GrayCaller.Resolved resolved = null;
        for (EnvironmentQuery.Candidate candidate : candidates) {
            Entry entry = store.get(candidate.key());
            Release gray = store.grayRelease(candidate.key());
            if (gray != null) {
                if (resolved == null) {
                    resolved = caller.resolve(store, query.names());
                }
                if (resolved.matches(gray)) {
                    served.add(new Served(entry, gray, gray.id()));
                    continue;
                }
            }
            Release publisher = releases && entry != null ? store.publisherOf(candidate.key(), entry.modRevision()) : null;
            served.add(new Served(entry, null, publisher == null ? 0 : publisher.id()));
        }
        return served;
    }

    private Map<String, Object> properties(EnvironmentQuery.Candidate candidate, Served served) {
        if (served.gray != null) {
            Release.Document document = served.gray.document(candidate.key());
            return document.deletes() ? Map.of() : documents.properties(candidate.key(), served.gray.revision(),
                    document.contentType(), document.content());
        }
        return served.entry == null ? Map.of() : documents.properties(served.entry);
    }

    /**
     * A candidate's entry, the gray release it is served from instead ({@code null}: none), and the id
     * of the release it is served from (0: none, or not asked for).
     */
    private record Served(Entry entry, Release gray, long release) {
    }

    /**
     * The first 16 hex digits of SHA-256 over the sources as JSON (names, then each source's properties
     * in name order, with their JSON types): equal on every node for equal documents, and different as
     * soon as a name, a value or a value's type that a client sees is.
     */
    static String version(List<Source> sources) {
        List<Object> canonical = new ArrayList<>(sources.size());
        for (Source source : sources) {
            canonical.add(List.of(source.name(), new TreeMap<>(source.properties())));
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(EnvironmentRendering.json(canonical));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The merged properties: every source's, a higher source's value winning, in name order. */
    static Map<String, Object> merged(List<Source> sources) {
        Map<String, Object> merged = new TreeMap<>();
        for (int i = sources.size() - 1; i >= 0; i--) {
            merged.putAll(sources.get(i).properties());
        }
        return merged;
    }

    /** What an answer was made from, besides the documents' mod revisions; a {@code null} view: no body. */
    private record CacheKey(String name, String profiles, String label, View view, long grayMask) {
    }

    private record Cached(long[] fingerprint, byte[] body, String version, List<Source> sources) {
    }

    static Map<String, Object> environment(EnvironmentQuery query, String label, String version, List<Source> sources) {
        Map<String, Object> environment = new LinkedHashMap<>();
        environment.put("name", query.name());
        environment.put("profiles", query.requestedProfiles());
        environment.put("label", label);
        environment.put("version", version);
        environment.put("state", null);
        List<Map<String, Object>> propertySources = new ArrayList<>(sources.size());
        for (Source source : sources) {
            Map<String, Object> propertySource = new LinkedHashMap<>();
            propertySource.put("name", source.name());
            propertySource.put("source", source.properties());
            propertySources.add(propertySource);
        }
        environment.put("propertySources", propertySources);
        return environment;
    }
}
