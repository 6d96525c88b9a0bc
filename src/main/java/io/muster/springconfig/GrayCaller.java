package io.muster.springconfig;

import io.muster.core.Instance;
import io.muster.core.KvStore;
import io.muster.core.Release;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Who is asking for configuration, as a gray rule ({@link Release.GrayRule}) sees it: the instance id
 * the caller names ({@code X-Muster-Instance}), its address, and labels of its own
 * ({@code X-Muster-Labels: k=v,…}). Joined, at read time, with the registry: a caller that names no
 * instance is the registered instance of the requested applications at its address, and a registered
 * instance's metadata, zone and tags are its labels under the caller's own.
 *
 * @param instanceId the id the caller sent, or {@code null}
 * @param ip         the address the request came from
 * @param labels     the labels the caller sent (at most {@link Release.GrayRule#MAX_LABELS})
 */
public record GrayCaller(String instanceId, String ip, SortedMap<String, String> labels) {

    public static final String INSTANCE_HEADER = "X-Muster-Instance";
    public static final String LABELS_HEADER = "X-Muster-Labels";

    /** Nobody in particular: matches only rules of labels it has none of, i.e. none. */
    public static final GrayCaller NOBODY = new GrayCaller(null, null, Collections.emptySortedMap());

    /** The caller of {@code request}; a malformed {@code X-Muster-Labels} is a 400 naming it. */
    public static GrayCaller of(HttpServletRequest request) {
        String instance = request.getHeader(INSTANCE_HEADER);
        return new GrayCaller(instance == null || instance.isBlank() ? null : instance.trim(), request.getRemoteAddr(),
                labels(request.getHeader(LABELS_HEADER)));
    }

    /** Parses {@code k=v,k2=v2}; {@code null} or blank is none. */
    static SortedMap<String, String> labels(String header) {
        SortedMap<String, String> labels = new TreeMap<>();
        if (header == null || header.isBlank()) {
            return labels;
        }
        for (String pair : header.split(",")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? "" : pair.substring(0, equals).trim();
            if (name.isEmpty() || name.length() > 128 || pair.length() - equals - 1 > 256) {
                throw new ProblemException(ProblemType.INVALID_REQUEST, LABELS_HEADER + " is a comma list of name=value "
                        + "pairs (names 1..128 characters, values up to 256); '" + pair.trim() + "' is not one")
                        .with("field", LABELS_HEADER);
            }
            labels.put(name, pair.substring(equals + 1).trim());
        }
        if (labels.size() > Release.GrayRule.MAX_LABELS) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, LABELS_HEADER + " carries at most "
                    + Release.GrayRule.MAX_LABELS + " labels, not " + labels.size()).with("field", LABELS_HEADER);
        }
        return labels;
    }

    /** The caller joined with the registry: which instance it is, and every label it has. */
    public record Resolved(String instanceId, String ip, Map<String, String> labels) {

        public boolean matches(Release release) {
            return release.gray() != null && release.gray().rule().matches(release.id(), instanceId, ip, labels);
        }
    }

    /**
     * Joins this caller with the instances of {@code services} registered in {@code store}: the one of
     * the named id, or, when no id was named, the one registered at the caller's address if it is the only
     * one there (several behind one address, a NAT or a host running many, are none of them in particular).
     */
    public Resolved resolve(KvStore store, List<String> services) {
        Instance instance = null;
        for (String service : services) {
            if (instanceId != null) {
                instance = store.instance(service, instanceId);
            } else if (ip != null) {
                instance = onlyAt(store, services, ip);
                break;
            }
            if (instance != null) {
                break;
            }
        }
        String id = instanceId != null ? instanceId : instance == null ? null : instance.id();
        return new Resolved(id, ip, Release.labels(instance, labels));
    }

    private static Instance onlyAt(KvStore store, List<String> services, String ip) {
        Instance found = null;
        for (String service : services) {
            for (Instance candidate : store.instancesOf(service)) {
                if (candidate.address().equals(ip)) {
                    if (found != null) {
                        return null;
                    }
                    found = candidate;
                }
            }
        }
        return found;
    }
}
