package io.muster.release;

import io.muster.core.Command;
import io.muster.core.CommandRules;
import io.muster.core.Release;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What the release endpoints read from a request: texts within their bounds, a state, a gray rule; a 400 naming the field otherwise. */
final class ReleaseRequests {

    private ReleaseRequests() {
    }

    static Release.State state(String state) {
        for (Release.State candidate : Release.State.values()) {
            if (candidate.name().equalsIgnoreCase(state)) {
                return candidate;
            }
        }
        throw new ProblemException(ProblemType.INVALID_REQUEST, "state must be one of draft, gray, published, abandoned")
                .with("field", "state");
    }

    static String text(String field, String value, int max, boolean required) {
        if (value == null || value.isBlank()) {
            if (required) {
                throw new ProblemException(ProblemType.INVALID_REQUEST, field + " is required").with("field", field);
            }
            return "";
        }
        if (value.length() > max) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, field + " must be at most " + max + " characters")
                    .with("field", field);
        }
        return value;
    }

    /** The rule a request names, each IP address in its canonical form; malformed ones are 400. */
    static Release.GrayRule rule(ReleaseController.GrayRuleRequest request) {
        noNulls("rule.instances", request.instances());
        noNulls("rule.ips", request.ips());
        if (request.labels() != null) {
            noNulls("rule.labels", new ArrayList<>(request.labels().values()));
        }
        List<String> ips = new ArrayList<>();
        for (String ip : request.ips() == null ? List.<String>of() : request.ips()) {
            ips.add(canonicalIp(ip));
        }
        int percent = request.percent() == null ? Release.GrayRule.NO_PERCENT : request.percent();
        if (request.percent() != null && (percent < 0 || percent > 100)) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "percent must be 0..100, not " + percent)
                    .with("field", "rule.percent");
        }
        Map<String, String> labels = request.labels() == null ? Map.of() : request.labels();
        if (labels.size() > Release.GrayRule.MAX_LABELS) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "a gray rule names at most "
                    + Release.GrayRule.MAX_LABELS + " labels, not " + labels.size()).with("field", "rule.labels");
        }
        return new Release.GrayRule(request.instances() == null ? List.of() : request.instances(), ips,
                new TreeMap<>(labels), percent);
    }

    private static void noNulls(String field, List<String> values) {
        if (values != null && values.stream().anyMatch(java.util.Objects::isNull)) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, field + " holds a null").with("field", field);
        }
    }

    private static String canonicalIp(String ip) {
        String problem = ip == null ? "null" : CommandRules.problem(new Command.GrayRelease(1,
                new Release.GrayRule(List.of(), List.of(ip.trim()), new TreeMap<>(), Release.GrayRule.NO_PERCENT),
                Release.Approval.NONE));
        if (problem != null) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "'" + ip + "' is not an IPv4 or IPv6 address")
                    .with("field", "rule.ips");
        }
        try {
            return InetAddress.getByName(ip.trim()).getHostAddress().toLowerCase(Locale.ROOT); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "'" + ip + "' is not an IPv4 or IPv6 address")
                    .with("field", "rule.ips");
        }
    }
}
