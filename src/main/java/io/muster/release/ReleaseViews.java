package io.muster.release;

import io.muster.core.Release;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/** The JSON shapes of releases, as the API answers with them. */
final class ReleaseViews {

    private ReleaseViews() {
    }

    /** A release whole: its documents with their content, its gray rule, validation and publish. */
    record ReleaseView(long id, String title, String description, String state, String author, Instant createdAt,
            long revision, List<DocumentView> documents, GrayView gray, ValidationView validation,
            PublishedView published, Long rollbackOf, Long restoreOf) {

        static ReleaseView of(Release release, Function<String, String[]> appAndProfile) {
            return new ReleaseView(release.id(), release.title(), release.description(), ReleaseViews.state(release.state()),
                    release.author(), Instant.ofEpochMilli(release.createdAtMillis()), release.revision(),
                    release.documents().stream().map(document -> DocumentView.of(document,
                            appAndProfile.apply(document.key()))).toList(),
                    GrayView.of(release.gray()), ValidationView.of(release.validation()), PublishedView.of(release.published()),
                    release.rollbackOf() == 0 ? null : release.rollbackOf(), release.restoreOf() == 0 ? null : release.restoreOf());
        }
    }

    /** A line of the history. */
    record ReleaseSummary(long id, String title, String state, String author, Instant createdAt, List<String> apps,
            String publishedBy, Instant publishedAt, Long publishedRevision, GrayRuleView grayRule, Long rollbackOf,
            Long restoreOf) {

        static ReleaseSummary of(Release release, Function<String, String[]> appAndProfile) {
            TreeSet<String> apps = new TreeSet<>();
            release.documents().forEach(document -> apps.add(appAndProfile.apply(document.key())[0]));
            Release.Published published = release.published();
            return new ReleaseSummary(release.id(), release.title(), ReleaseViews.state(release.state()), release.author(),
                    Instant.ofEpochMilli(release.createdAtMillis()), List.copyOf(apps),
                    published == null ? null : published.by(),
                    published == null ? null : Instant.ofEpochMilli(published.atMillis()),
                    published == null ? null : published.revision(),
                    release.gray() == null ? null : GrayRuleView.of(release.gray().rule()),
                    release.rollbackOf() == 0 ? null : release.rollbackOf(),
                    release.restoreOf() == 0 ? null : release.restoreOf());
        }
    }

    record ReleaseList(List<ReleaseSummary> releases, Long next) {
    }

    record DocumentView(String app, String profile, String key, String contentType, String content, boolean delete,
            long baseModRevision) {

        static DocumentView of(Release.Document document, String[] appAndProfile) {
            return new DocumentView(appAndProfile[0], appAndProfile[1], document.key(),
                    document.deletes() ? null : document.contentType(),
                    document.deletes() ? null : new String(document.content(), StandardCharsets.UTF_8),
                    document.deletes(), document.baseModRevision());
        }
    }

    record GrayRuleView(List<String> instances, List<String> ips, Map<String, String> labels, Integer percent) {

        static GrayRuleView of(Release.GrayRule rule) {
            return new GrayRuleView(rule.instances(), rule.ips(), rule.labels(),
                    rule.percent() == Release.GrayRule.NO_PERCENT ? null : rule.percent());
        }
    }

    record GrayView(GrayRuleView rule, String by, Instant at) {

        static GrayView of(Release.Gray gray) {
            return gray == null ? null : new GrayView(GrayRuleView.of(gray.rule()), gray.by(), Instant.ofEpochMilli(gray.atMillis()));
        }
    }

    record ValidationView(String status, String schemaDigest, List<ProblemView> problems) {

        static ValidationView of(Release.Validation validation) {
            return new ValidationView(validation.status().name().toLowerCase(Locale.ROOT), validation.schemaDigest(),
                    validation.problems().stream().map(ProblemView::of).toList());
        }
    }

    record ProblemView(String document, String key, String severity, String message, String suggestion) {

        static ProblemView of(Release.Problem problem) {
            return new ProblemView(problem.document(), problem.key(), problem.error() ? "error" : "warning",
                    problem.message(), problem.suggestion().isEmpty() ? null : problem.suggestion());
        }
    }

    record PublishedView(long revision, String by, Instant at, String comment, String emergency) {

        static PublishedView of(Release.Published published) {
            return published == null ? null : new PublishedView(published.revision(), published.by(),
                    Instant.ofEpochMilli(published.atMillis()), published.comment(),
                    published.emergency().isEmpty() ? null : published.emergency());
        }
    }

    /** A release with its diff and validation: what creating, changing or rebasing one answers. */
    record ReleaseWithDiff(ReleaseView release, List<ReleaseDiffs.DocumentDiff> diff) {
    }

    static String state(Release.State state) {
        return state.name().toLowerCase(Locale.ROOT);
    }
}
