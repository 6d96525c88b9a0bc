package io.muster.springconfig;

import io.muster.core.Keys;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What a Config Server client asks for: application names and profiles, each a comma list, as
 * Spring Cloud Config Server reads them.
 *
 * @param requestedProfiles the profiles as asked (echoed in the answer), {@code default} included
 * @param names             the applications, de-duplicated, {@code application} first (lowest) if absent
 * @param profiles          the profiles that select documents: the requested ones less {@code default}
 */
record EnvironmentQuery(String name, List<String> requestedProfiles, List<String> names, List<String> profiles) {

    /** At most this many names, and as many profiles: an answer holds (names + 1) × (profiles + 1) sources. */
    static final int MAX_ITEMS = 10;

    /**
     * Checks and splits a request's name and profiles.
     *
     * @throws ProblemException 400 when a name or profile is empty or not a key segment
     */
    static EnvironmentQuery of(String name, String profiles) {
        List<String> requested = split("profiles", profiles);
        // The shared documents rank lowest unless the list names 'application' itself, somewhere else.
        List<String> names = new ArrayList<>(new LinkedHashSet<>(split("name", name)));
        if (!names.contains(ConfigDocuments.SHARED_APPLICATION)) {
            names.add(0, ConfigDocuments.SHARED_APPLICATION);
        }
        List<String> selecting = requested.stream().distinct()
                .filter(profile -> !profile.equals(ConfigDocuments.BASE_PROFILE)).toList();
        return new EnvironmentQuery(name, requested, List.copyOf(names), selecting);
    }

    /** The documents that may contribute, highest precedence first, each with its source name. */
    List<Candidate> candidates(ConfigDocuments documents) {
        List<Candidate> candidates = new ArrayList<>();
        for (int p = profiles.size() - 1; p >= 0; p--) {
            for (int n = names.size() - 1; n >= 0; n--) {
                String profile = profiles.get(p);
                candidates.add(new Candidate("muster:" + names.get(n) + "-" + profile, profile,
                        documents.key(names.get(n), profile)));
            }
        }
        for (int n = names.size() - 1; n >= 0; n--) {
            candidates.add(new Candidate("muster:" + names.get(n), ConfigDocuments.BASE_PROFILE,
                    documents.key(names.get(n), ConfigDocuments.BASE_PROFILE)));
        }
        return candidates;
    }

    private static List<String> split(String field, String list) {
        List<String> items = new ArrayList<>();
        String[] parts = list.split(",", -1);
        if (parts.length > MAX_ITEMS) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, field + " names " + parts.length + " items; at most "
                    + MAX_ITEMS + " are served at once").with("field", field);
        }
        for (String item : parts) {
            String trimmed = item.trim();
            String problem = trimmed.isEmpty() ? "is empty" : segmentProblem(trimmed);
            if (problem != null) {
                throw new ProblemException(ProblemType.INVALID_REQUEST, field + " '" + list + "': '" + trimmed + "' "
                        + problem).with("field", field);
            }
            items.add(trimmed);
        }
        return items;
    }

    private static String segmentProblem(String segment) {
        if (segment.startsWith("~")) {
            return "starts with '~', which is reserved";
        }
        if (segment.indexOf('/') >= 0 || Keys.problem(segment) != null) {
            return "is not a key segment (A-Z a-z 0-9 . _ ~ : @ = + -, not '.' or '..')";
        }
        return null;
    }

    /**
     * A document that may contribute a property source.
     *
     * @param profile the profile that selects it ({@code default} for the base documents)
     */
    record Candidate(String sourceName, String profile, String key) {
    }
}
