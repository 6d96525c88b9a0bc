package io.muster.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The configuration releases ({@link Release}) by id, with two derived indexes: the gray release of
 * each document key (at most one) and the releases of each group of documents (for retention).
 *
 * <p>Every command here is checked against the release as it is at this point of the log. A command
 * that names a release by id is checked against the author's key prefixes here, because only the state
 * knows which documents the release holds; {@link Access} has already required the writer role.
 */
final class ReleaseTable extends Table {

    private final NavigableMap<Long, Release> releases = new TreeMap<>();
    /** The gray release of each document key; derived, never in a snapshot. */
    private final Map<String, Long> grayByKey = new TreeMap<>();
    /** The releases touching each group of documents ({@link Release#group}); derived. */
    private final Map<String, NavigableSet<Long>> byGroup = new TreeMap<>();

    ReleaseTable(Now now, Effects effects) {
        super(now, effects);
    }

    void restore(Release release) {
        if (release.id() > now.revision || release.revision() > now.revision || releases.containsKey(release.id())) {
            throw new UndecodableException("snapshot release " + release.id() + " is duplicated or newer than the snapshot");
        }
        if (release.state() == Release.State.GRAY) {
            for (Release.Document document : release.documents()) {
                if (grayByKey.containsKey(document.key())) {
                    throw new UndecodableException("snapshot holds two gray releases of '" + document.key() + "'");
                }
            }
        }
        index(release);
    }

    Release get(long id) {
        return releases.get(id);
    }

    Collection<Release> all() {
        return releases.values();
    }

    /** The gray release holding {@code key}, or {@code null}. */
    Release grayOf(String key) {
        Long id = grayByKey.get(key);
        return id == null ? null : releases.get(id);
    }

    /**
     * The published release whose publish wrote {@code key} at {@code modRevision}, or {@code null} (the
     * key was written otherwise, or that release was pruned). A look-up through the key's group index:
     * only releases created at or before {@code modRevision} can have published then.
     */
    Release publisherOf(String key, long modRevision) {
        NavigableSet<Long> ids = byGroup.get(Release.group(key));
        if (ids == null) {
            return null;
        }
        for (long id : ids.headSet(modRevision, true).descendingSet()) {
            Release release = releases.get(id);
            if (release.published() != null && release.published().revision() == modRevision
                    && release.document(key) != null) {
                return release;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------ commands

    Result create(Command.CreateRelease create, String principal, KeyTable keys) {
        List<Release.Document> documents = new ArrayList<>(create.documents().size());
        for (Release.Draft draft : create.documents()) {
            documents.add(based(draft, keys));
        }
        Release release = new Release(now.revision, create.title(), create.description(), principal, List.of(principal),
                now.timeMillis, documents, Release.State.DRAFT, null, create.validation(), null, 0, 0, now.revision);
        for (String group : groups(release)) {
            long open = byGroup.getOrDefault(group, new TreeSet<>()).stream()
                    .filter(id -> releases.get(id).state().open()).count();
            if (open >= create.retention().perGroup()) {
                return now.rejected(Rejected.Reason.TOO_MANY_OPEN_RELEASES, "", "'" + group + "' already has " + open
                        + " draft or gray releases, the most it may have; publish or abandon some first");
            }
        }
        index(release);
        return new ReleaseResult(now.revision, release, prune(release, create.retention()));
    }

    Result update(Command.UpdateRelease update, String principal, Token token, KeyTable keys) {
        Release release = releases.get(update.id());
        Rejected refused = openAndCovered(release, update.id(), token, "changed");
        if (refused != null) {
            return refused;
        }
        if (update.expectedRevision() != Command.ANY && update.expectedRevision() != release.revision()) {
            return new Rejected(now.revision, Rejected.Reason.PRECONDITION_FAILED, "", release.revision(),
                    "release " + release.id() + " is at revision " + release.revision() + ", not "
                            + update.expectedRevision() + ": it changed since it was read");
        }
        List<Release.Document> documents = new ArrayList<>(update.documents().size());
        for (Release.Draft draft : update.documents()) {
            Release.Document had = release.document(draft.key());
            documents.add(had != null ? new Release.Document(draft.key(), draft.contentType(), draft.content(),
                    had.baseModRevision()) : based(draft, keys));
        }
        if (release.state() == Release.State.GRAY) {
            Rejected inGray = grayClash(release.id(), documents);
            if (inGray != null) {
                return inGray;
            }
        }
        List<String> editors = new ArrayList<>(release.editors());
        if (!editors.contains(principal)) {
            editors.add(principal);
        }
        Release updated = new Release(release.id(), update.title(), update.description(), release.author(), editors,
                release.createdAtMillis(), documents, release.state(), release.gray(), update.validation(), null,
                release.rollbackOf(), release.restoreOf(), now.revision);
        replace(release, updated);
        return new ReleaseResult(now.revision, updated, List.of());
    }

    Result rebase(Command.RebaseRelease rebase, Token token, KeyTable keys) {
        Release release = releases.get(rebase.id());
        Rejected refused = openAndCovered(release, rebase.id(), token, "rebased");
        if (refused != null) {
            return refused;
        }
        List<Release.Document> documents = new ArrayList<>(release.documents().size());
        for (Release.Document document : release.documents()) {
            documents.add(new Release.Document(document.key(), document.contentType(), document.content(),
                    modRevision(keys, document.key())));
        }
        Release rebased = release.with(release.state(), release.gray(), null, documents, now.revision);
        replace(release, rebased);
        return new ReleaseResult(now.revision, rebased, List.of());
    }

    Result gray(Command.GrayRelease gray, String principal, Token token, KeyTable keys) {
        Release release = releases.get(gray.id());
        Rejected refused = openAndCovered(release, gray.id(), token, "put in gray");
        if (refused == null) {
            refused = approve(release, gray.approval(), principal, token, keys, "put in gray");
        }
        if (refused != null) {
            return refused;
        }
        Rejected inGray = grayClash(release.id(), release.documents());
        if (inGray != null) {
            return inGray;
        }
        Release grayed = release.with(Release.State.GRAY, new Release.Gray(gray.rule(), principal, now.timeMillis), null,
                release.documents(), now.revision);
        replace(release, grayed);
        return new ReleaseResult(now.revision, grayed, List.of());
    }

    Result abandon(Command.AbandonRelease abandon, Token token) {
        Release release = releases.get(abandon.id());
        Rejected refused = openAndCovered(release, abandon.id(), token, "abandoned");
        if (refused != null) {
            return refused;
        }
        Release abandoned = release.with(Release.State.ABANDONED, release.gray(), null, release.documents(), now.revision);
        replace(release, abandoned);
        return new ReleaseResult(now.revision, abandoned, List.of());
    }

    Result publish(Command.PublishRelease publish, String principal, Token token, KeyTable keys, Stamp stamp) {
        Release release = releases.get(publish.id());
        Rejected refused = openAndCovered(release, publish.id(), token, "published");
        if (refused != null) {
            return refused;
        }
        refused = approve(release, publish.approval(), principal, token, keys, "published");
        if (refused != null) {
            return refused;
        }
        if (!publish.force()) {
            Rejected conflict = conflicts(release.documents(), keys, null);
            if (conflict != null) {
                return conflict;
            }
        }
        Release.Approval approval = publish.approval();
        String emergency = approval.fourEyes() && release.editors().contains(principal) ? approval.emergency() : "";
        Release.Published published = write(release.documents(), principal, publish.comment(), emergency, keys, stamp);
        Release done = new Release(release.id(), release.title(), release.description(), release.author(),
                release.editors(), release.createdAtMillis(), release.documents(), Release.State.PUBLISHED,
                release.gray(), approval.validation().status() == Release.Validation.Status.SKIPPED
                        ? release.validation() : approval.validation(), published, release.rollbackOf(),
                release.restoreOf(), now.revision);
        replace(release, done);
        return new ReleaseResult(now.revision, done, List.of());
    }

    Result rollback(Command.RollbackRelease rollback, String principal, Token token, KeyTable keys, Stamp stamp) {
        Release target = releases.get(rollback.id());
        Rejected refused = publishedAndCovered(target, rollback.id(), token);
        if (refused != null) {
            return refused;
        }
        if (!rollback.force()) {
            Rejected conflict = conflicts(target.documents(), keys, target.published().revision());
            if (conflict != null) {
                return conflict;
            }
        }
        List<Release.Document> documents = new ArrayList<>(target.published().previous().size());
        for (Release.Previous previous : target.published().previous()) {
            documents.add(new Release.Document(previous.key(), previous.contentType(), previous.content(),
                    modRevision(keys, previous.key())));
        }
        return published("Rollback of release " + target.id(), documents, principal, rollback.comment(),
                target.id(), 0, rollback.retention(), keys, stamp);
    }

    Result restore(Command.RestoreDocument restore, String principal, KeyTable keys, Stamp stamp) {
        Release source = releases.get(restore.toRelease());
        Rejected refused = publishedAndCovered(source, restore.toRelease(), null);
        if (refused != null) {
            return refused;
        }
        Release.Document wrote = source.document(restore.key());
        if (wrote == null) {
            return now.rejected(Rejected.Reason.RELEASE_NOT_FOUND, restore.key(), "release " + source.id()
                    + " does not change '" + restore.key() + "'");
        }
        String contentType = wrote.contentType();
        byte[] content = wrote.content();
        if (restore.before()) {
            for (Release.Previous previous : source.published().previous()) {
                if (previous.key().equals(restore.key())) {
                    contentType = previous.contentType();
                    content = previous.content();
                }
            }
        }
        List<Release.Document> documents = List.of(new Release.Document(restore.key(), contentType, content,
                modRevision(keys, restore.key())));
        return published("Restore of " + restore.key() + (restore.before() ? " to before release " : " to release ")
                + source.id(), documents, principal, restore.comment(), 0, source.id(), restore.retention(), keys, stamp);
    }

    // ------------------------------------------------------------------------------------------ helpers

    /**
     * A refusal unless {@code approval} holds for serving {@code release}: it is still the release that was
     * checked, the policy and schema it was checked against are unchanged, under four-eyes the principal
     * wrote none of its content (or is an administrator giving an emergency reason), and an enforcing
     * policy's validation did not fail.
     */
    private Rejected approve(Release release, Release.Approval approval, String principal, Token token, KeyTable keys,
            String verb) {
        if (approval.expectedRevision() != Command.ANY && approval.expectedRevision() != release.revision()) {
            return new Rejected(now.revision, Rejected.Reason.PRECONDITION_FAILED, "", release.revision(), "release "
                    + release.id() + " changed (revision " + release.revision() + ") after it was checked at revision "
                    + approval.expectedRevision() + "; review it and try again");
        }
        for (Compare guard : approval.guards()) {
            Entry entry = keys.get(guard.key());
            if (!guard.holds(entry)) {
                return new Rejected(now.revision, Rejected.Reason.PRECONDITION_FAILED, guard.key(),
                        entry == null ? 0 : entry.modRevision(), "'" + guard.key()
                                + "' changed after the release was checked against it; check and try again");
            }
        }
        if (approval.fourEyes() && release.editors().contains(principal)) {
            if (approval.emergency().isEmpty()) {
                return now.rejected(Rejected.Reason.SAME_AUTHOR, "", "the application's policy asks for four eyes: "
                        + "release " + release.id() + " must be " + verb + " by someone who did not write it ("
                        + String.join(", ", release.editors()) + ")");
            }
            if (token != null && !token.role().includes(Role.ADMIN)) {
                return now.rejected(Rejected.Reason.SAME_AUTHOR, "", "only an administrator may serve a release they "
                        + "wrote in an emergency under four-eyes");
            }
        }
        if (approval.enforce() && approval.validation().status() == Release.Validation.Status.FAILED) {
            return now.rejected(Rejected.Reason.CONFIG_INVALID, "", "release " + release.id() + " failed validation "
                    + "against the application's schema, and its policy enforces it");
        }
        return null;
    }

    /** A new release of this revision, published in this entry (a rollback or a restore). */
    private ReleaseResult published(String title, List<Release.Document> documents, String principal, String comment,
            long rollbackOf, long restoreOf, Release.Retention retention, KeyTable keys, Stamp stamp) {
        Release.Published published = write(documents, principal, comment, "", keys, stamp);
        Release release = new Release(now.revision, cut(title, Release.MAX_TITLE), "", principal, List.of(principal),
                now.timeMillis, documents, Release.State.PUBLISHED, null, Release.Validation.SKIPPED, published,
                rollbackOf, restoreOf, now.revision);
        index(release);
        return new ReleaseResult(now.revision, release, prune(release, retention));
    }

    /** Writes every document at this revision and returns the publish, with what each key held before. */
    private Release.Published write(List<Release.Document> documents, String principal, String comment,
            String emergency, KeyTable keys, Stamp stamp) {
        List<Release.Previous> previous = new ArrayList<>(documents.size());
        for (Release.Document document : documents) {
            Entry before = keys.get(document.key());
            previous.add(before == null ? new Release.Previous(document.key(), "", null)
                    : new Release.Previous(document.key(), before.contentType(), before.value()));
            keys.publish(document.key(), document.content(), document.contentType(), stamp);
        }
        return new Release.Published(now.revision, principal, now.timeMillis, comment, emergency, previous);
    }

    /**
     * A {@code RELEASE_CONFLICT} naming every document whose modRevision is not the expected one (its
     * base, or, when {@code wroteAt} is given, that revision for a document written and 0 for one
     * deleted); {@code null} when there is none.
     */
    private Rejected conflicts(List<Release.Document> documents, KeyTable keys, Long wroteAt) {
        StringBuilder detail = new StringBuilder();
        String first = null;
        long firstCurrent = 0;
        for (Release.Document document : documents) {
            long expected = wroteAt == null ? document.baseModRevision() : document.deletes() ? 0 : wroteAt;
            long current = modRevision(keys, document.key());
            if (current != expected) {
                if (first == null) {
                    first = document.key();
                    firstCurrent = current;
                }
                detail.append(detail.isEmpty() ? "" : "; ").append('\'').append(document.key()).append("' expected at ")
                        .append(expected).append(", now at ").append(current);
            }
        }
        return first == null ? null : new Rejected(now.revision, Rejected.Reason.RELEASE_CONFLICT, first, firstCurrent,
                "documents changed since the release was based on them: " + detail);
    }

    private Rejected grayClash(long id, List<Release.Document> documents) {
        for (Release.Document document : documents) {
            Long other = grayByKey.get(document.key());
            if (other != null && other != id) {
                return now.rejected(Rejected.Reason.DOCUMENT_IN_GRAY, document.key(), "'" + document.key()
                        + "' is already in gray in release " + other + "; publish or abandon that one first");
            }
        }
        return null;
    }

    private Rejected openAndCovered(Release release, long id, Token token, String verb) {
        if (release == null) {
            return notFound(id);
        }
        if (!release.state().open()) {
            return now.rejected(Rejected.Reason.RELEASE_NOT_OPEN, "", "release " + id + " is "
                    + release.state().name().toLowerCase() + "; only a draft or gray release can be " + verb);
        }
        return covered(release.documents(), token);
    }

    private Rejected publishedAndCovered(Release release, long id, Token token) {
        if (release == null) {
            return notFound(id);
        }
        if (release.state() != Release.State.PUBLISHED) {
            return now.rejected(Rejected.Reason.RELEASE_NOT_OPEN, "", "release " + id + " is "
                    + release.state().name().toLowerCase() + "; only a published release can be rolled back or "
                    + "restored from");
        }
        return covered(release.documents(), token);
    }

    /** A refusal unless {@code token} (none: a node without security) may write every document. */
    private Rejected covered(List<Release.Document> documents, Token token) {
        if (token == null) {
            return null;
        }
        for (Release.Document document : documents) {
            String denial = Access.keyDenial(token, document.key());
            if (denial != null) {
                return now.rejected(Rejected.Reason.PERMISSION_DENIED, "", denial);
            }
        }
        return null;
    }

    private Rejected notFound(long id) {
        return now.rejected(Rejected.Reason.RELEASE_NOT_FOUND, "", "no release " + id
                + " (never created, or pruned by retention)");
    }

    private Release.Document based(Release.Draft draft, KeyTable keys) {
        return new Release.Document(draft.key(), draft.contentType(), draft.content(), modRevision(keys, draft.key()));
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }

    private static long modRevision(KeyTable keys, String key) {
        Entry entry = keys.get(key);
        return entry == null ? 0 : entry.modRevision();
    }

    /**
     * Drops the oldest finished releases (published or abandoned) of {@code added}'s groups while a group
     * holds more of them than {@code retention} allows, in count or bytes; never a draft or gray release
     * (those are capped when created), nor one of the last two published (by when they were published)
     * of any group it belongs to, nor {@code added}. Returns the ids dropped.
     */
    private List<Long> prune(Release added, Release.Retention retention) {
        TreeSet<Long> dropped = new TreeSet<>();
        Map<String, List<Long>> latest = new TreeMap<>();
        for (String group : groups(added)) {
            NavigableSet<Long> ids = byGroup.get(group);
            long count = 0;
            long bytes = 0;
            for (long id : ids) {
                Release release = releases.get(id);
                if (!release.state().open()) {
                    count++;
                    bytes += release.bytes();
                }
            }
            for (long id : List.copyOf(ids)) {
                if (count <= retention.perGroup() && bytes <= retention.maxBytesPerGroup()) {
                    break;
                }
                Release release = releases.get(id);
                if (release.state().open() || id == added.id() || latestPublished(release, latest)) {
                    continue;
                }
                count--;
                bytes -= release.bytes();
                dropped.add(id);
                unindex(release);
            }
        }
        return new ArrayList<>(dropped);
    }

    /** Whether {@code release} is one of the last two published, by publish revision, of any of its groups. */
    private boolean latestPublished(Release release, Map<String, List<Long>> latest) {
        if (release.state() != Release.State.PUBLISHED) {
            return false;
        }
        for (String group : groups(release)) {
            List<Long> lastTwo = latest.computeIfAbsent(group, any -> {
                TreeMap<Long, Long> byPublish = new TreeMap<>();
                for (long id : byGroup.get(group)) {
                    Release member = releases.get(id);
                    if (member.state() == Release.State.PUBLISHED) {
                        byPublish.put(member.published().revision(), id);
                    }
                }
                return new ArrayList<>(byPublish.descendingMap().values()).subList(0, Math.min(2, byPublish.size()));
            });
            if (lastTwo.contains(release.id())) {
                return true;
            }
        }
        return false;
    }

    private static TreeSet<String> groups(Release release) {
        TreeSet<String> groups = new TreeSet<>();
        release.documents().forEach(document -> groups.add(Release.group(document.key())));
        return groups;
    }

    private void replace(Release old, Release updated) {
        unindex(old);
        index(updated);
    }

    private void index(Release release) {
        releases.put(release.id(), release);
        for (String group : groups(release)) {
            byGroup.computeIfAbsent(group, any -> new TreeSet<>()).add(release.id());
        }
        if (release.state() == Release.State.GRAY) {
            release.documents().forEach(document -> grayByKey.put(document.key(), release.id()));
        }
    }

    private void unindex(Release release) {
        releases.remove(release.id());
        for (String group : groups(release)) {
            NavigableSet<Long> ids = byGroup.get(group);
            ids.remove(release.id());
            if (ids.isEmpty()) {
                byGroup.remove(group);
            }
        }
        unindexGray(release);
    }

    private void unindexGray(Release release) {
        if (release.state() == Release.State.GRAY) {
            release.documents().forEach(document -> grayByKey.remove(document.key(), release.id()));
        }
    }
}
