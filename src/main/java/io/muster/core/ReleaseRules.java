package io.muster.core;

import static io.muster.core.CommandRules.firstOf;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The rules of the release commands ({@link Release}), part of {@link CommandRules}. */
final class ReleaseRules {

    /** The most keys a publish may guard (an application's policy and schema, for each application). */
    static final int MAX_GUARDS = 2 * Release.MAX_DOCUMENTS;
    static final int MAX_TEXT = 1000;
    static final int MAX_RETAINED = 100_000;

    private ReleaseRules() {
    }

    static String problem(Command.CreateRelease create) {
        return firstOf(titleProblem(create.title(), create.description()), documentsProblem(create.documents()),
                validationProblem(create.validation()), retentionProblem(create.retention()));
    }

    static String problem(Command.UpdateRelease update) {
        return firstOf(idProblem(update.id()), CommandRules.expectationProblem(update.expectedRevision()),
                titleProblem(update.title(), update.description()), documentsProblem(update.documents()),
                validationProblem(update.validation()));
    }

    static String problem(Command.GrayRelease gray) {
        return firstOf(idProblem(gray.id()), ruleProblem(gray.rule()), approvalProblem(gray.approval()));
    }

    static String problem(Command.PublishRelease publish) {
        return firstOf(idProblem(publish.id()), textProblem("comment", publish.comment(), Release.MAX_COMMENT),
                approvalProblem(publish.approval()));
    }

    private static String approvalProblem(Release.Approval approval) {
        String problem = firstOf(CommandRules.expectationProblem(approval.expectedRevision()),
                textProblem("emergency", approval.emergency(), MAX_TEXT), validationProblem(approval.validation()));
        if (problem == null && approval.guards().size() > MAX_GUARDS) {
            problem = "an approval guards at most " + MAX_GUARDS + " keys";
        }
        for (int i = 0; problem == null && i < approval.guards().size(); i++) {
            Compare guard = approval.guards().get(i);
            problem = firstOf(Keys.problem(guard.key()), guard.problem());
            problem = problem == null ? null : "guard[" + i + "]: " + problem;
        }
        return problem;
    }

    static String problem(Command.RollbackRelease rollback) {
        return firstOf(idProblem(rollback.id()), textProblem("comment", rollback.comment(), Release.MAX_COMMENT),
                retentionProblem(rollback.retention()));
    }

    static String problem(Command.RestoreDocument restore) {
        return firstOf(Keys.problem(restore.key()), idProblem(restore.toRelease()),
                textProblem("comment", restore.comment(), Release.MAX_COMMENT), retentionProblem(restore.retention()));
    }

    static String idProblem(long id) {
        return id > 0 ? null : "a release id must be positive";
    }

    private static String titleProblem(String title, String description) {
        if (title.isBlank()) {
            return "a release needs a title";
        }
        return firstOf(textProblem("title", title, Release.MAX_TITLE),
                textProblem("description", description, Release.MAX_DESCRIPTION));
    }

    private static String textProblem(String what, String text, int max) {
        return text.length() > max ? what + " must be at most " + max + " characters" : null;
    }

    private static String documentsProblem(List<Release.Draft> documents) {
        if (documents.isEmpty() || documents.size() > Release.MAX_DOCUMENTS) {
            return "a release changes 1.." + Release.MAX_DOCUMENTS + " documents, not " + documents.size();
        }
        TreeSet<String> keys = new TreeSet<>();
        for (int i = 0; i < documents.size(); i++) {
            Release.Draft document = documents.get(i);
            String problem = Keys.problem(document.key());
            if (problem == null && document.content() != null) {
                problem = CommandRules.contentTypeProblem(document.contentType());
            }
            if (problem == null && document.content() == null && !document.contentType().isEmpty()) {
                problem = "a deletion has no content type";
            }
            if (problem == null && !keys.add(document.key())) {
                problem = "'" + document.key() + "' appears twice";
            }
            if (problem != null) {
                return "documents[" + i + "]: " + problem;
            }
        }
        return null;
    }

    private static String validationProblem(Release.Validation validation) {
        if (validation.problems().size() > Release.MAX_PROBLEMS) {
            return "a validation records at most " + Release.MAX_PROBLEMS + " problems";
        }
        if (validation.schemaDigest().length() > MAX_TEXT) {
            return "a schema digest must be at most " + MAX_TEXT + " characters";
        }
        for (Release.Problem problem : validation.problems()) {
            if (problem.document().length() > MAX_TEXT || problem.key().length() > MAX_TEXT
                    || problem.message().length() > MAX_TEXT || problem.suggestion().length() > MAX_TEXT) {
                return "a validation problem's texts must be at most " + MAX_TEXT + " characters each";
            }
        }
        return null;
    }

    private static String retentionProblem(Release.Retention retention) {
        return retention.perGroup() >= 1 && retention.perGroup() <= MAX_RETAINED && retention.maxBytesPerGroup() >= 1
                ? null : "retention keeps 1.." + MAX_RETAINED + " releases and a positive number of bytes per group";
    }

    /** Returns why {@code rule} cannot be a gray rule, or {@code null}. */
    static String ruleProblem(Release.GrayRule rule) {
        if (rule.empty()) {
            return "a gray rule needs at least one of instances, ips, labels or percent";
        }
        if (rule.instances().size() > Release.GrayRule.MAX_INSTANCES) {
            return "a gray rule names at most " + Release.GrayRule.MAX_INSTANCES + " instances";
        }
        if (rule.ips().size() > Release.GrayRule.MAX_IPS) {
            return "a gray rule names at most " + Release.GrayRule.MAX_IPS + " IP addresses";
        }
        if (rule.labels().size() > Release.GrayRule.MAX_LABELS) {
            return "a gray rule names at most " + Release.GrayRule.MAX_LABELS + " labels, not " + rule.labels().size();
        }
        if (rule.percent() != Release.GrayRule.NO_PERCENT && (rule.percent() < 0 || rule.percent() > 100)) {
            return "percent must be 0..100, not " + rule.percent();
        }
        for (String instance : rule.instances()) {
            if (instance.isEmpty() || instance.length() > 256) {
                return "an instance id must be 1..256 characters";
            }
        }
        for (String ip : rule.ips()) {
            if (!ipLiteral(ip)) {
                return "'" + ip + "' is not an IPv4 or IPv6 address";
            }
        }
        for (Map.Entry<String, String> label : rule.labels().entrySet()) {
            if (label.getKey().isEmpty() || label.getKey().length() > 128 || label.getValue().length() > 256) {
                return "a label's name must be 1..128 characters and its value at most 256";
            }
        }
        return null;
    }

    /** Whether {@code text} is an IPv4 dotted quad or an IPv6 address, by syntax alone (no lookup). */
    static boolean ipLiteral(String text) {
        return text.indexOf(':') >= 0 ? ipv6(text) : ipv4(text);
    }

    private static boolean ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                return false;
            }
            for (int i = 0; i < part.length(); i++) {
                if (part.charAt(i) < '0' || part.charAt(i) > '9') {
                    return false;
                }
            }
            if (Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean ipv6(String text) {
        if (text.length() > 45) {
            return false;
        }
        int compressed = text.indexOf("::");
        if (compressed >= 0 && text.indexOf("::", compressed + 1) >= 0) {
            return false;
        }
        String[] groups = text.split(":", -1);
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            String group = groups[i];
            if (group.isEmpty()) {
                continue;
            }
            if (i == groups.length - 1 && group.indexOf('.') >= 0) {
                if (!ipv4(group)) {
                    return false;
                }
                count += 2;
                continue;
            }
            if (group.length() > 4 || !group.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                return false;
            }
            count++;
        }
        return compressed >= 0 ? count < 8 : count == 8 && !text.startsWith(":") && !text.endsWith(":");
    }
}
