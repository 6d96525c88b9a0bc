package io.muster.release;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.muster.core.Command;
import io.muster.core.CommandRules;
import io.muster.core.Entry;
import io.muster.core.KvStore;
import io.muster.core.Rejected;
import io.muster.core.RejectedException;
import io.muster.core.Release;
import io.muster.core.Remembered;
import io.muster.core.ReleaseResult;
import io.muster.core.Role;
import io.muster.replication.Consistency;
import io.muster.replication.Gateway;
import io.muster.replication.GatewayException;
import io.muster.replication.Reading;
import io.muster.security.Caller;
import io.muster.security.RequiresRole;
import io.muster.web.MusterHeaders;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import io.muster.web.Problems;
import io.muster.web.RequestParameters;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/releases}: configuration releases. A release is drafted (never served), optionally put in
 * gray (served to the callers its rule matches), and published as one log entry that writes all of its
 * documents at one revision, or none if any changed since it was drafted; a published release can be
 * rolled back. Creating and changing a release needs a writer token that may write every document
 * it names; reading one, a token that may read them.
 */
@RestController
@RequiresRole(value = Role.WRITER, keyScoped = true)
@Tag(name = "releases", description = "Configuration releases: drafts, gray, atomic publish, rollback, validation")
class ReleaseController {

    static final String EMERGENCY = "X-Muster-Emergency";
    /** The cluster version that brought releases. */
    private static final int RELEASES_LEVEL = io.muster.core.ClusterVersion.required(new Command.AbandonRelease(1));
    private static final int MAX_LIST = 1000;

    private final Gateway gateway;
    private final Releases releases;
    private final ReleaseDiffs diffs;
    private final Timer publishTimer;

    ReleaseController(Gateway gateway, Releases releases, ReleaseDiffs diffs, MeterRegistry meters) {
        this.gateway = gateway;
        this.releases = releases;
        this.diffs = diffs;
        this.publishTimer = Timer.builder("muster.release.publish").description(
                "From a publish request to its acknowledgement (rejected ones included)").register(meters);
    }

    record CreateRequest(String title, String description, List<Releases.DocumentRequest> documents) {
    }

    record GrayRequest(GrayRuleRequest rule) {
    }

    record GrayRuleRequest(List<String> instances, List<String> ips, Map<String, String> labels, Integer percent) {
    }

    record PublishRequest(String comment, Boolean force) {
    }

    record MatchingInstances(long release, List<Releases.MatchingInstance> instances) {
    }

    record Validated(ReleaseViews.ValidationView validation) {
    }

    @PostMapping("/v1/releases")
    @Operation(summary = "Draft a release", description = """
            Saves a draft of up to 32 documents, each named by app and profile (the document \
            config/{app}/{profile}) with its whole new content (contentType application/yaml by default, \
            text/x-java-properties or application/json) or delete: true. A draft is never served. Each \
            document is checked as a configuration document, and the whole against each application's \
            schema and policy (PUT /v1/config/{app}/schema and /policy): under a policy that enforces \
            validation a draft that fails is refused with 422 config-invalid naming every problem. Each \
            document's base is its mod revision now: publishing fails while any document has moved from \
            its base. Answers the release with its key-level diff against the bases.""")
    @ApiResponse(responseCode = "201", description = "Drafted")
    @Problems({ProblemType.INVALID_KEY, ProblemType.UNSUPPORTED_CONFIG_FORMAT, ProblemType.INVALID_CONFIG_DOCUMENT,
            ProblemType.VALUE_TOO_LARGE, ProblemType.CONFIG_INVALID, ProblemType.CONFIG_DOCUMENT_UNREADABLE,
            ProblemType.TOO_MANY_OPEN_RELEASES, ProblemType.FEATURE_NOT_ENABLED, ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<ReleaseViews.ReleaseWithDiff> create(@RequestBody CreateRequest request) {
        String title = ReleaseRequests.text("title", request.title(), Release.MAX_TITLE, true);
        String description = ReleaseRequests.text("description", request.description(), Release.MAX_DESCRIPTION, false);
        List<Release.Draft> drafts = releases.drafts(request.documents());
        Releases.Check check = releases.check(drafts);
        Releases.requirePassed(check);
        Command.CreateRelease command = new Command.CreateRelease(title, description, drafts, check.validation(),
                releases.retention());
        ReleaseResult created = write(command);
        return ResponseEntity.created(URI.create("/v1/releases/" + created.release().id()))
                .header(MusterHeaders.REVISION, Long.toString(created.revision()))
                .eTag(etag(created.release()))
                .body(withDiff(created.release()));
    }

    @GetMapping("/v1/releases")
    @RequiresRole(value = Role.READER, keyScoped = true)
    @Operation(summary = "Release history", description = """
            Releases newest first, those whose documents the token may all read: id, title, state, author, \
            when created and published (and by whom), the gray rule, and which release a rollback undoes \
            (rollbackOf) or a restore restores from (restoreOf). Filter by app (a release touching it) \
            and state (draft, gray, published, abandoned); page with limit (default 100, at most 1000) and \
            after (the next of the previous page).""")
    @Problems({ProblemType.READ_UNAVAILABLE})
    ReleaseViews.ReleaseList list(@RequestParam(required = false) String app, @RequestParam(required = false) String state,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) Long after) {
        Release.State wanted = state == null ? null : ReleaseRequests.state(state);
        int max = limit == null ? 100 : limit;
        if (max < 1 || max > MAX_LIST) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "limit must be 1.." + MAX_LIST).with("field", "limit");
        }
        String appPrefix = app == null ? null : releases.key(app, "x").substring(0, releases.key(app, "x").length() - 1);
        List<Release> newest = gateway.read(Consistency.LINEARIZABLE, 0, store -> {
            List<Release> all = new ArrayList<>(store.releases());
            java.util.Collections.reverse(all);
            return all;
        }).value();
        Caller caller = Caller.required();
        List<ReleaseViews.ReleaseSummary> page = new ArrayList<>();
        Long next = null;
        for (Release release : newest) {
            if ((after != null && release.id() >= after) || (wanted != null && release.state() != wanted)
                    || (appPrefix != null && release.documents().stream().noneMatch(d -> d.key().startsWith(appPrefix)))
                    || !readable(caller, release)) {
                continue;
            }
            if (page.size() == max) {
                next = page.get(page.size() - 1).id();
                break;
            }
            page.add(ReleaseViews.ReleaseSummary.of(release, Releases::appAndProfile));
        }
        return new ReleaseViews.ReleaseList(page, next);
    }

    @GetMapping("/v1/releases/{id}")
    @RequiresRole(value = Role.READER, keyScoped = true)
    @Operation(summary = "A release", description = "The release whole, its documents' content included. ETag: its revision.")
    @Problems({ProblemType.RELEASE_NOT_FOUND, ProblemType.READ_UNAVAILABLE})
    ResponseEntity<ReleaseViews.ReleaseView> get(@PathVariable long id) {
        Release release = readable(id);
        return ResponseEntity.ok().eTag(etag(release)).body(ReleaseViews.ReleaseView.of(release, Releases::appAndProfile));
    }

    @GetMapping("/v1/releases/{id}/diff")
    @RequiresRole(value = Role.READER, keyScoped = true)
    @Operation(summary = "A release's key-level diff", description = """
            Per document: added, removed and changed ({from, to}) properties, flattened as Spring sees them, \
            against each document's base (against=base, the default; baseRetained is false when the key's \
            history no longer holds it) or against the documents as they are now (against=current). Values \
            of keys matching muster.releases.mask-keys are shown as ****** to tokens that are not admin. A \
            removed key is not reset in a running application by a refresh of @ConfigurationProperties \
            beans: it needs @RefreshScope or a restart.""")
    @Problems({ProblemType.RELEASE_NOT_FOUND, ProblemType.READ_UNAVAILABLE})
    List<ReleaseDiffs.DocumentDiff> diff(@PathVariable long id,
            @Parameter(description = "base (default) or current") @RequestParam(required = false) String against) {
        boolean current = against != null && against.equalsIgnoreCase("current");
        if (against != null && !current && !against.equalsIgnoreCase("base")) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "against must be base or current").with("field", "against");
        }
        WithEntries read = readWithEntries(id).value();
        requireReadable(read.release());
        return diffs.diff(read.release(), current, read.entries());
    }

    @PutMapping("/v1/releases/{id}")
    @Operation(summary = "Replace a draft", description = """
            Replaces a draft's (or gray release's) title, description and documents, checked as when \
            drafting. A document it already had keeps its base; a new one is based on its mod revision now. \
            If-Match: "<revision>" (the release's ETag) refuses with 412 when the release changed since it \
            was read.""")
    @Problems({ProblemType.RELEASE_NOT_FOUND, ProblemType.RELEASE_NOT_OPEN, ProblemType.DOCUMENT_IN_GRAY,
            ProblemType.PRECONDITION_FAILED, ProblemType.INVALID_KEY, ProblemType.UNSUPPORTED_CONFIG_FORMAT,
            ProblemType.INVALID_CONFIG_DOCUMENT, ProblemType.VALUE_TOO_LARGE, ProblemType.CONFIG_INVALID,
            ProblemType.FEATURE_NOT_ENABLED, ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<ReleaseViews.ReleaseWithDiff> update(@PathVariable long id, @RequestBody CreateRequest request,
            @RequestHeader(value = "If-Match", required = false) String ifMatch) {
        long expected = RequestParameters.expectedModRevision(ifMatch, null);
        String title = ReleaseRequests.text("title", request.title(), Release.MAX_TITLE, true);
        String description = ReleaseRequests.text("description", request.description(), Release.MAX_DESCRIPTION, false);
        List<Release.Draft> drafts = releases.drafts(request.documents());
        openRelease(id);
        Releases.Check check = releases.check(drafts);
        Releases.requirePassed(check);
        ReleaseResult updated = write(new Command.UpdateRelease(id, expected, title, description, drafts, check.validation()));
        return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(updated.revision()))
                .eTag(etag(updated.release())).body(withDiff(updated.release()));
    }

    @PostMapping("/v1/releases/{id}/rebase")
    @Operation(summary = "Rebase a release", description = """
            Takes every document's mod revision now as its base, so a publish no longer conflicts with the \
            writes made since; answers the new diff (review it: those writes are what the release now \
            overwrites).""")
    @Problems({ProblemType.RELEASE_NOT_FOUND, ProblemType.RELEASE_NOT_OPEN, ProblemType.FEATURE_NOT_ENABLED,
            ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<ReleaseViews.ReleaseWithDiff> rebase(@PathVariable long id) {
        openRelease(id);
        ReleaseResult rebased = write(new Command.RebaseRelease(id));
        return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(rebased.revision()))
                .eTag(etag(rebased.release())).body(withDiff(rebased.release()));
    }

    @PostMapping("/v1/releases/{id}/validate")
    @Operation(summary = "Validate a release (dry run)", description = """
            Checks the release's documents against their applications' current schemas and policies and \
            answers what it finds; proposes nothing.""")
    @Problems({ProblemType.RELEASE_NOT_FOUND, ProblemType.CONFIG_DOCUMENT_UNREADABLE, ProblemType.READ_UNAVAILABLE})
    Validated validate(@PathVariable long id) {
        Release release = readable(id);
        return new Validated(ReleaseViews.ValidationView.of(releases.check(drafts(release)).validation()));
    }

    @PostMapping("/v1/releases/{id}/gray")
    @Operation(summary = "Start or change gray", description = """
            Serves the release's documents, whole, to the callers its rule matches, and the current ones to \
            everyone else, on the Config Server endpoint and everywhere a caller's view is resolved. A rule \
            holds when every part present holds: instances (ids, at most 256), ips (at most 64), labels (at \
            most 16; the caller's registered metadata, zone and tag.<tag>=true, overlaid by \
            X-Muster-Labels) and percent (0..100 of instance ids, by SHA-256 of '<release id>:<instance \
            id>', the same on every node). A document may be in gray in one release at a time (409 \
            document-in-gray). Serving a release to some callers is publishing it to them, so gray is held to \
            the application's policy as a publish is: four-eyes (403 same-author; X-Muster-Emergency for an \
            admin) and enforced validation (422 config-invalid). If-Match: "<revision>" names the revision \
            of the release that was reviewed.""")
    @Problems({ProblemType.RELEASE_NOT_FOUND, ProblemType.RELEASE_NOT_OPEN, ProblemType.DOCUMENT_IN_GRAY,
            ProblemType.SAME_AUTHOR, ProblemType.CONFIG_INVALID, ProblemType.PRECONDITION_FAILED,
            ProblemType.FEATURE_NOT_ENABLED, ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<ReleaseViews.ReleaseView> gray(@PathVariable long id, @RequestBody GrayRequest request,
            @RequestHeader(value = EMERGENCY, required = false) String emergency,
            @RequestHeader(value = "If-Match", required = false) String ifMatch) {
        if (request.rule() == null) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "a gray request needs a rule").with("field", "rule");
        }
        Release.GrayRule rule = ReleaseRequests.rule(request.rule());
        valid(new Command.GrayRelease(id, rule, Release.Approval.NONE), "rule");
        Release release = openRelease(id);
        Long clash = gateway.read(Consistency.LINEARIZABLE, 0, store -> {
            for (Release.Document document : release.documents()) {
                Release other = store.grayRelease(document.key());
                if (other != null && other.id() != id) {
                    return other.id();
                }
            }
            return null;
        }).value();
        if (clash != null) {
            throw new ProblemException(ProblemType.DOCUMENT_IN_GRAY, "a document of release " + id
                    + " is already in gray in release " + clash + "; publish or abandon that one first")
                    .with("release", clash);
        }
        ReleaseResult grayed = write(new Command.GrayRelease(id, rule, approval(release, emergency, ifMatch, "put in gray")));
        return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(grayed.revision()))
                .eTag(etag(grayed.release())).body(ReleaseViews.ReleaseView.of(grayed.release(), Releases::appAndProfile));
    }

    @GetMapping("/v1/releases/{id}/instances")
    @RequiresRole(value = Role.READER, keyScoped = true)
    @Operation(summary = "Who the gray rule matches now", description = """
            The registered instances of the release's applications (services named like them) that its \
            gray rule matches now, with the labels the rule saw and, for a percent rule, each one's bucket. \
            Callers that name an instance id or labels of their own may match too; this lists the registry, \
            so the token must also be allowed to read the registry (not confined to key prefixes alone).""")
    @Problems({ProblemType.RELEASE_NOT_FOUND, ProblemType.READ_UNAVAILABLE})
    MatchingInstances instances(@PathVariable long id) {
        Caller.requireServiceReader();
        Release release = readable(id);
        List<String> apps = apps(release);
        return new MatchingInstances(id, gateway.read(Consistency.LINEARIZABLE, 0,
                store -> Releases.matching(store, release, apps)).value());
    }

    @PostMapping("/v1/releases/{id}/publish")
    @Operation(summary = "Publish a release", description = """
            Writes every document of the release at one revision, in one log entry: every node and every \
            watcher sees all of them change together. Unless force, each document must still be at its \
            base, otherwise 412 release-conflict names each document with both revisions and nothing \
            changes (rebase, review, publish again). The release is checked again against its \
            applications' policies and schemas as they are now: under enforce a failure is 422 \
            config-invalid; under four-eyes no one who wrote its content (its author and whoever replaced \
            its documents) may publish it (403 same-author) unless an admin gives X-Muster-Emergency: \
            <reason>, which is recorded with the publish and in the audit. What is published is the \
            release as this request read and checked it (If-Match: "<revision>" names the revision that \
            was reviewed): one changed before the publish is applied is refused with 412.""")
    @Problems({ProblemType.RELEASE_NOT_FOUND, ProblemType.RELEASE_NOT_OPEN, ProblemType.RELEASE_CONFLICT,
            ProblemType.SAME_AUTHOR, ProblemType.CONFIG_INVALID, ProblemType.PRECONDITION_FAILED,
            ProblemType.FEATURE_NOT_ENABLED, ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<ReleaseViews.ReleaseView> publish(@PathVariable long id,
            @RequestBody(required = false) PublishRequest request,
            @RequestHeader(value = EMERGENCY, required = false) String emergency,
            @RequestHeader(value = "If-Match", required = false) String ifMatch) {
        long started = System.nanoTime();
        try {
            ReleaseResult again = replayed(id, Release.State.PUBLISHED, false);
            if (again != null) {
                return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(again.revision()))
                        .body(ReleaseViews.ReleaseView.of(again.release(), Releases::appAndProfile));
            }
            String comment = ReleaseRequests.text("comment", request == null ? null : request.comment(), Release.MAX_COMMENT, false);
            boolean force = request != null && Boolean.TRUE.equals(request.force());
            Release release = openRelease(id);
            Release.Approval approval = approval(release, emergency, ifMatch, "published");
            if (!force) {
                requireNoConflict(release);
            }
            releases.requireKeepable(release.documents());
            ReleaseResult published;
            try {
                published = write(new Command.PublishRelease(id, comment, force, approval));
            } catch (RejectedException e) {
                if (e.rejected().reason() == Rejected.Reason.RELEASE_CONFLICT) {
                    requireNoConflict(release); // a write won the race: answer with every document named
                }
                throw e;
            }
            return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(published.revision()))
                    .eTag(etag(published.release()))
                    .body(ReleaseViews.ReleaseView.of(published.release(), Releases::appAndProfile));
        } finally {
            publishTimer.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    @PostMapping("/v1/releases/{id}/abandon")
    @Operation(summary = "Abandon a release", description = "Gives up a draft or gray release; final. Gray ends with it.")
    @Problems({ProblemType.RELEASE_NOT_FOUND, ProblemType.RELEASE_NOT_OPEN, ProblemType.FEATURE_NOT_ENABLED,
            ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<ReleaseViews.ReleaseView> abandon(@PathVariable long id) {
        ReleaseResult again = replayed(id, Release.State.ABANDONED, false);
        if (again != null) {
            return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(again.revision()))
                    .body(ReleaseViews.ReleaseView.of(again.release(), Releases::appAndProfile));
        }
        openRelease(id);
        ReleaseResult abandoned = write(new Command.AbandonRelease(id));
        return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(abandoned.revision()))
                .body(ReleaseViews.ReleaseView.of(abandoned.release(), Releases::appAndProfile));
    }

    @PostMapping("/v1/releases/{id}/rollback")
    @Operation(summary = "Roll back a published release", description = """
            Publishes, as a new release with rollbackOf = id, what the release's documents held just before \
            it was published (a document it created is deleted), in one log entry. Unless force, every \
            document must still be as the release left it (412 release-conflict otherwise). Rollbacks are \
            not held to four-eyes or validation: undoing must always be possible.""")
    @ApiResponse(responseCode = "201", description = "Rolled back; the answer is the new release")
    @Problems({ProblemType.RELEASE_NOT_FOUND, ProblemType.RELEASE_NOT_OPEN, ProblemType.RELEASE_CONFLICT,
            ProblemType.FEATURE_NOT_ENABLED, ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<ReleaseViews.ReleaseView> rollback(@PathVariable long id,
            @RequestBody(required = false) PublishRequest request) {
        String comment = ReleaseRequests.text("comment", request == null ? null : request.comment(), Release.MAX_COMMENT, false);
        boolean force = request != null && Boolean.TRUE.equals(request.force());
        ReleaseResult again = replayed(id, Release.State.PUBLISHED, true);
        if (again != null) {
            return ResponseEntity.created(URI.create("/v1/releases/" + again.release().id()))
                    .header(MusterHeaders.REVISION, Long.toString(again.revision()))
                    .body(ReleaseViews.ReleaseView.of(again.release(), Releases::appAndProfile));
        }
        Release target = readable(id);
        if (target.state() != Release.State.PUBLISHED) {
            throw new ProblemException(ProblemType.RELEASE_NOT_OPEN, "release " + id + " is "
                    + ReleaseViews.state(target.state()) + "; only a published release can be rolled back");
        }
        releases.requireKeepable(target.published().previous().stream().map(previous -> new Release.Document(
                previous.key(), previous.contentType(), previous.content(), 0)).toList());
        ReleaseResult rolledBack = write(new Command.RollbackRelease(id, comment, force, releases.retention()));
        return ResponseEntity.created(URI.create("/v1/releases/" + rolledBack.release().id()))
                .header(MusterHeaders.REVISION, Long.toString(rolledBack.revision()))
                .body(ReleaseViews.ReleaseView.of(rolledBack.release(), Releases::appAndProfile));
    }

    // ------------------------------------------------------------------------------------------ helpers

    /**
     * What serving {@code release} (gray or publish) must hold to, checked here first for a clear answer:
     * its applications' policies and schemas now, four-eyes against everyone who wrote it, and the
     * revision reviewed (If-Match) or else the one just read. Apply checks all of it again.
     */
    private Release.Approval approval(Release release, String emergency, String ifMatch, String verb) {
        long reviewed = RequestParameters.expectedModRevision(ifMatch, null);
        if (reviewed != Command.ANY && reviewed != release.revision()) {
            throw new ProblemException(ProblemType.PRECONDITION_FAILED, "release " + release.id() + " is at revision "
                    + release.revision() + ", not the reviewed " + reviewed + ": it changed since; review it again")
                    .with("currentRevision", release.revision());
        }
        String reason = ReleaseRequests.text(EMERGENCY, emergency, 1000, false);
        Releases.Check check = releases.check(drafts(release));
        Caller caller = Caller.required();
        if (check.fourEyes() && release.editors().contains(caller.principal())) {
            if (reason.isBlank()) {
                throw new ProblemException(ProblemType.SAME_AUTHOR, "the policy asks for four eyes: release "
                        + release.id() + " must be " + verb + " by someone who did not write it ("
                        + String.join(", ", release.editors()) + "); an admin may with " + EMERGENCY + ": <reason>");
            }
            if (caller.token() != null && !caller.token().role().includes(Role.ADMIN)) {
                throw new ProblemException(ProblemType.SAME_AUTHOR, "only an admin may serve a release they wrote, "
                        + "with " + EMERGENCY);
            }
        }
        Releases.requirePassed(check);
        return new Release.Approval(release.revision(), check.guards(), check.fourEyes(), check.enforce(),
                check.validation(), check.fourEyes() && release.editors().contains(caller.principal()) ? reason : "");
    }

    /**
     * The first answer to a retried request: when the request's Idempotency-Key already covers a command
     * that did this to release {@code id} (for a rollback: made a release rolling {@code id} back), its
     * result, so that a retry after a lost answer is answered as the first attempt was rather than
     * refused by the checks made before proposing (the release is no longer open). {@code null} otherwise:
     * the request goes on as new, and the store refuses a key reused for a different command.
     */
    private ReleaseResult replayed(long id, Release.State state, boolean rollback) {
        Caller caller = Caller.required();
        if (!caller.idempotent()) {
            return null;
        }
        Remembered first = gateway.read(Consistency.LINEARIZABLE, 0,
                store -> store.remembered(caller.principal(), caller.idempotencyKey())).value();
        if (first != null && first.result() instanceof ReleaseResult result && result.release().state() == state
                && (rollback ? result.release().rollbackOf() : result.release().id()) == id) {
            return result;
        }
        return null;
    }

    private <C extends Command & Command.Returns<ReleaseResult>> ReleaseResult write(C command) {
        valid(command, null);
        releases.requireFits(command);
        return gateway.write(command);
    }

    private static void valid(Command command, String field) {
        String problem = CommandRules.problem(command);
        if (problem != null) {
            ProblemException invalid = new ProblemException(ProblemType.INVALID_REQUEST, problem);
            throw field == null ? invalid : invalid.with("field", field);
        }
    }

    private ReleaseViews.ReleaseWithDiff withDiff(Release release) {
        Map<String, Entry> entries = gateway.read(Consistency.STALE, 0, store -> entries(store, release)).value();
        return new ReleaseViews.ReleaseWithDiff(ReleaseViews.ReleaseView.of(release, Releases::appAndProfile),
                diffs.diff(release, false, entries));
    }

    private static Map<String, Entry> entries(KvStore store, Release release) {
        Map<String, Entry> entries = new TreeMap<>();
        release.documents().forEach(document -> entries.put(document.key(), store.get(document.key())));
        return entries;
    }

    /** A release and the entries of its documents, read at one revision. */
    private record WithEntries(Release release, Map<String, Entry> entries) {
    }

    private Reading<WithEntries> readWithEntries(long id) {
        Reading<WithEntries> read = gateway.read(Consistency.LINEARIZABLE, 0, store -> {
            Release release = store.release(id);
            return release == null ? null : new WithEntries(release, entries(store, release));
        });
        if (read.value() == null) {
            throw notFound(id);
        }
        return read;
    }

    /** Refuses (412, naming every document) a publish whose documents moved from their bases. */
    private void requireNoConflict(Release release) {
        Reading<WithEntries> read = readWithEntries(release.id());
        Release now = read.value().release();
        Map<String, Entry> entries = read.value().entries();
        List<Map<String, Object>> conflicts = new ArrayList<>();
        for (Release.Document document : now.documents()) {
            Entry entry = entries.get(document.key());
            long current = entry == null ? 0 : entry.modRevision();
            if (current != document.baseModRevision()) {
                String[] appProfile = Releases.appAndProfile(document.key());
                Map<String, Object> conflict = new java.util.LinkedHashMap<>();
                conflict.put("app", appProfile[0]);
                conflict.put("profile", appProfile[1]);
                conflict.put("key", document.key());
                conflict.put("baseModRevision", document.baseModRevision());
                conflict.put("currentModRevision", current);
                conflicts.add(conflict);
            }
        }
        if (!conflicts.isEmpty()) {
            StringBuilder detail = new StringBuilder();
            conflicts.forEach(c -> detail.append(detail.isEmpty() ? "" : "; ").append(c.get("key")).append(" was at ")
                    .append(c.get("baseModRevision")).append(", is at ").append(c.get("currentModRevision")));
            throw new ProblemException(ProblemType.RELEASE_CONFLICT, "documents of release " + release.id()
                    + " changed since it was based on them (" + detail + "); rebase it (POST /v1/releases/"
                    + release.id() + "/rebase), review the diff, and publish again")
                    .with("conflicts", conflicts).with("revision", read.revision());
        }
    }

    private Release readable(long id) {
        record Found(Release release, int level) {
        }
        Found read = gateway.read(Consistency.LINEARIZABLE, 0,
                store -> new Found(store.release(id), store.clusterVersion())).value();
        Release release = read.release();
        if (release == null) {
            int level = read.level();
            if (level < RELEASES_LEVEL) {
                throw new GatewayException.FeatureNotEnabled(RELEASES_LEVEL, level); // before the upgrade finished
            }
            throw notFound(id);
        }
        requireReadable(release);
        return release;
    }

    private Release openRelease(long id) {
        Release release = readable(id);
        release.documents().forEach(document -> Caller.requireKey(document.key()));
        if (!release.state().open()) {
            throw new ProblemException(ProblemType.RELEASE_NOT_OPEN, "release " + id + " is "
                    + ReleaseViews.state(release.state()) + "; only a draft or gray release can be changed, put in "
                    + "gray, published or abandoned");
        }
        return release;
    }

    private static void requireReadable(Release release) {
        release.documents().forEach(document -> Caller.requireKey(document.key()));
    }

    private static boolean readable(Caller caller, Release release) {
        return caller.token() == null || release.documents().stream().allMatch(d -> caller.token().covers(d.key()));
    }

    private List<String> apps(Release release) {
        TreeSet<String> apps = new TreeSet<>();
        release.documents().forEach(document -> apps.add(Releases.appAndProfile(document.key())[0]));
        return List.copyOf(apps);
    }

    private static List<Release.Draft> drafts(Release release) {
        return release.documents().stream()
                .map(document -> new Release.Draft(document.key(), document.contentType(), document.content())).toList();
    }

    private static ProblemException notFound(long id) {
        return new ProblemException(ProblemType.RELEASE_NOT_FOUND, "no release " + id
                + " (never created, or pruned by retention)").with("release", id);
    }

    private static String etag(Release release) {
        return "\"" + release.revision() + "\"";
    }
}
