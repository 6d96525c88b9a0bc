package io.muster.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The release commands as the store applies them: what each does, and what each refuses without changing anything. */
class ReleaseStoreTest {

    private static final String BASE = "config/pay/default";
    private static final String DEV = "config/pay/dev";
    private static final Release.Retention KEEP = Release.Retention.DEFAULT;

    private KvStore store;
    private long index;

    @BeforeEach
    void start() {
        store = new KvStore();
        index = 0;
        apply(new Command.RaiseClusterVersion(4));
        apply(new Command.Put(BASE, bytes("greeting: hello-2"), "application/yaml", Command.ANY));
    }

    @Test
    void aDraftIsNeverServedAndAPublishWritesEveryDocumentAtOneRevision() {
        Release draft = released(create("Greeting 3", doc(BASE, "greeting: hello-3"), doc(DEV, "greeting: dev-3")));
        assertThat(draft.state()).isEqualTo(Release.State.DRAFT);
        assertThat(draft.document(BASE).baseModRevision()).isEqualTo(2);
        assertThat(draft.document(DEV).baseModRevision()).isZero();
        assertThat(text(BASE)).isEqualTo("greeting: hello-2");
        assertThat(store.get(DEV)).isNull();

        Applied applied = apply(publish(draft.id(), false));
        Release published = ((ReleaseResult) applied.result()).release();
        assertThat(published.state()).isEqualTo(Release.State.PUBLISHED);
        assertThat(published.published().revision()).isEqualTo(index);
        assertThat(store.get(BASE).modRevision()).isEqualTo(index);
        assertThat(store.get(DEV).modRevision()).isEqualTo(index);
        assertThat(applied.keys()).extracting(Applied.Change::key).containsExactly(BASE, DEV);
        assertThat(published.published().previous()).extracting(Release.Previous::key).containsExactly(BASE, DEV);
        assertThat(published.published().previous().get(1).content()).as("dev was absent").isNull();
    }

    @Test
    void theReleaseThatWroteADocumentsCurrentRevisionIsFoundAndNoneForAPlainWrite() {
        assertThat(store.publisherOf(BASE, store.get(BASE).modRevision())).as("written by a put").isNull();
        Release first = released(publish(released(create("r1", doc(BASE, "greeting: r1"), doc(DEV, "dev: r1"))).id(), false));
        Release second = released(publish(released(create("r2", doc(DEV, "dev: r2"))).id(), false));
        released(create("draft", doc(BASE, "greeting: draft")));

        assertThat(store.publisherOf(BASE, store.get(BASE).modRevision()).id()).isEqualTo(first.id());
        assertThat(store.publisherOf(DEV, store.get(DEV).modRevision()).id()).isEqualTo(second.id());
        Release rollback = released(new Command.RollbackRelease(second.id(), "bad", false, KEEP));
        assertThat(store.publisherOf(DEV, store.get(DEV).modRevision()).id()).as("a rollback is a release")
                .isEqualTo(rollback.id());
        apply(new Command.Put(BASE, bytes("greeting: by hand"), "application/yaml", Command.ANY));
        assertThat(store.publisherOf(BASE, store.get(BASE).modRevision())).isNull();
        assertThat(store.publisherOf("config/other/default", 3)).as("a group without releases").isNull();
    }

    @Test
    void aDocumentWrittenAfterDraftingMakesThePublishAConflictThatChangesNothingUntilRebased() {
        Release draft = released(create("Greeting 3", doc(BASE, "greeting: hello-3")));
        apply(new Command.Put(BASE, bytes("greeting: direct"), "application/yaml", Command.ANY));
        long direct = index;
        String before = StateDigests.timeless(store);

        Rejected conflict = rejected(publish(draft.id(), false));

        assertThat(conflict.reason()).isEqualTo(Rejected.Reason.RELEASE_CONFLICT);
        assertThat(conflict.key()).isEqualTo(BASE);
        assertThat(conflict.currentModRevision()).isEqualTo(direct);
        assertThat(conflict.detail()).contains("expected at 2, now at " + direct);
        assertThat(StateDigests.timeless(store)).isEqualTo(before);

        Release rebased = released(new Command.RebaseRelease(draft.id()));
        assertThat(rebased.document(BASE).baseModRevision()).isEqualTo(direct);
        released(publish(draft.id(), false));
        assertThat(text(BASE)).isEqualTo("greeting: hello-3");
    }

    @Test
    void forceSkipsTheConflictCheck() {
        Release draft = released(create("Greeting 3", doc(BASE, "greeting: hello-3")));
        apply(new Command.Put(BASE, bytes("greeting: direct"), "application/yaml", Command.ANY));
        released(publish(draft.id(), true));
        assertThat(text(BASE)).isEqualTo("greeting: hello-3");
    }

    @Test
    void rollbackAndRestoreReproduceEarlierContentAfterTheKeysHistoryRolledOver() {
        Release first = released(publish(released(create("r1", doc(BASE, "greeting: r1"), doc(DEV, "dev: r1"))).id(), false));
        Release second = released(publish(released(create("r2", doc(BASE, "greeting: r2"), doc(DEV, "dev: r2"))).id(), false));

        Release rollback = released(new Command.RollbackRelease(second.id(), "bad", false, KEEP));
        assertThat(rollback.rollbackOf()).isEqualTo(second.id());
        assertThat(rollback.state()).isEqualTo(Release.State.PUBLISHED);
        assertThat(text(BASE)).isEqualTo("greeting: r1");
        assertThat(text(DEV)).isEqualTo("dev: r1");

        for (int i = 0; i < 12; i++) {
            apply(new Command.Put(BASE, bytes("greeting: churn " + i), "application/yaml", Command.ANY));
        }
        Release restore = released(new Command.RestoreDocument(BASE, first.id(), false, "", KEEP));
        assertThat(restore.restoreOf()).isEqualTo(first.id());
        assertThat(text(BASE)).isEqualTo("greeting: r1");
        assertThat(released(new Command.RestoreDocument(BASE, first.id(), true, "", KEEP)).documents().get(0).content())
                .as("before r1").isEqualTo(bytes("greeting: hello-2"));
        assertThat(text(BASE)).isEqualTo("greeting: hello-2");
    }

    @Test
    void aRollbackOfADocumentChangedSinceIsAConflict() {
        Release first = released(publish(released(create("r1", doc(BASE, "greeting: r1"))).id(), false));
        apply(new Command.Put(BASE, bytes("greeting: later"), "application/yaml", Command.ANY));
        assertThat(rejected(new Command.RollbackRelease(first.id(), "", false, KEEP)).reason())
                .isEqualTo(Rejected.Reason.RELEASE_CONFLICT);
        released(new Command.RollbackRelease(first.id(), "", true, KEEP));
        assertThat(text(BASE)).isEqualTo("greeting: hello-2");
    }

    @Test
    void aDocumentIsInGrayInOneReleaseAtATime() {
        Release canary = released(create("canary", doc(BASE, "greeting: canary")));
        Release grayed = released(gray(canary.id(), labels("track", "canary")));
        assertThat(grayed.state()).isEqualTo(Release.State.GRAY);
        assertThat(store.grayRelease(BASE).id()).isEqualTo(canary.id());

        Release other = released(create("other", doc(BASE, "greeting: other")));
        Rejected clash = rejected(gray(other.id(), labels("track", "beta")));
        assertThat(clash.reason()).isEqualTo(Rejected.Reason.DOCUMENT_IN_GRAY);
        assertThat(clash.key()).isEqualTo(BASE);

        released(new Command.AbandonRelease(canary.id()));
        assertThat(store.grayRelease(BASE)).isNull();
        released(gray(other.id(), labels("track", "beta")));
        released(publish(other.id(), false));
        assertThat(store.grayRelease(BASE)).isNull();
        assertThat(text(BASE)).isEqualTo("greeting: other");
    }

    @Test
    void finalReleasesRefuseEveryChange() {
        Release abandoned = released(new Command.AbandonRelease(released(create("x", doc(BASE, "a: 1"))).id()));
        String before = StateDigests.timeless(store);
        for (Command command : List.of(publish(abandoned.id(), false), new Command.AbandonRelease(abandoned.id()),
                new Command.RebaseRelease(abandoned.id()), gray(abandoned.id(), labels("a", "b")),
                new Command.RollbackRelease(abandoned.id(), "", false, KEEP))) {
            assertThat(rejected(command).reason()).as(command.toString()).isEqualTo(Rejected.Reason.RELEASE_NOT_OPEN);
        }
        assertThat(rejected(publish(999, false)).reason()).isEqualTo(Rejected.Reason.RELEASE_NOT_FOUND);
        assertThat(StateDigests.timeless(store)).isEqualTo(before);
    }

    @Test
    void fourEyesRefusesTheAuthorUnlessAnAdministratorDeclaresAnEmergency() {
        apply(new Command.CreateToken("alice", GoldenCases.hash(1), Role.WRITER, List.of("config/"), false));
        apply(new Command.CreateToken("bob", GoldenCases.hash(2), Role.WRITER, List.of("config/"), false));
        apply(new Command.CreateToken("root", GoldenCases.hash(3), Role.ADMIN, List.of(), false));
        long byAlice = released(new Command.Authored("alice", "r1", create("a", doc(BASE, "a: 1")))).id();
        assertThat(rejected(new Command.Authored("alice", "r2", fourEyes(byAlice, ""))).reason())
                .isEqualTo(Rejected.Reason.SAME_AUTHOR);
        assertThat(rejected(new Command.Authored("alice", "r3", fourEyes(byAlice, "pager"))).detail())
                .contains("only an administrator");
        released(new Command.Authored("bob", "r4", fourEyes(byAlice, "")));

        long byRoot = released(new Command.Authored("root", "r5", create("b", doc(BASE, "a: 2")))).id();
        assertThat(rejected(new Command.Authored("root", "r6", fourEyes(byRoot, ""))).reason())
                .isEqualTo(Rejected.Reason.SAME_AUTHOR);
        Applied emergency = apply(new Command.Authored("root", "r7", fourEyes(byRoot, "pager 4411")));
        assertThat(((ReleaseResult) emergency.result()).release().published().emergency()).isEqualTo("pager 4411");
        assertThat(emergency.audit().target()).contains("emergency: pager 4411");
    }

    @Test
    void aTokenMayReleaseOnlyDocumentsUnderItsPrefixes() {
        apply(new Command.CreateToken("pay", GoldenCases.hash(1), Role.WRITER, List.of("config/pay/"), false));
        apply(new Command.CreateToken("orders", GoldenCases.hash(2), Role.WRITER, List.of("config/orders/"), false));
        long id = released(new Command.Authored("pay", "r1", create("a", doc(BASE, "a: 1")))).id();
        assertThat(rejected(new Command.Authored("orders", "r2", create("b", doc(BASE, "a: 2")))).reason())
                .isEqualTo(Rejected.Reason.PERMISSION_DENIED);
        assertThat(rejected(new Command.Authored("orders", "r3", publish(id, false))).reason())
                .isEqualTo(Rejected.Reason.PERMISSION_DENIED);
        assertThat(store.release(id).state()).isEqualTo(Release.State.DRAFT);
    }

    @Test
    void anEnforcedPolicyRefusesAFailedValidationAndAGuardThatMovedRefusesThePublish() {
        long id = released(create("a", doc(BASE, "server.port: abc"))).id();
        Release.Validation failed = new Release.Validation(Release.Validation.Status.FAILED, "d", List.of(
                new Release.Problem("pay/default", "server.port", true, "'abc' is not a java.lang.Integer", null)));
        assertThat(rejected(new Command.PublishRelease(id, "", false, new Release.Approval(-1, List.of(), false, true, failed, ""))).reason())
                .isEqualTo(Rejected.Reason.CONFIG_INVALID);
        Compare policyAt = Compare.number("config/pay/~policy", Compare.Target.MOD_REVISION, Compare.Operator.EQUAL, 0);
        apply(new Command.Put("config/pay/~policy", bytes("{}"), "application/json", Command.ANY));
        Rejected moved = rejected(new Command.PublishRelease(id, "", false, new Release.Approval(-1, List.of(policyAt), false, false, failed, "")));
        assertThat(moved.reason()).isEqualTo(Rejected.Reason.PRECONDITION_FAILED);
        assertThat(moved.key()).isEqualTo("config/pay/~policy");
        Release warned = released(new Command.PublishRelease(id, "", false, new Release.Approval(-1, List.of(), false, false, failed, "")));
        assertThat(warned.validation().problems()).hasSize(1);
    }

    @Test
    void retentionKeepsTheLastTwoPublishedAndEveryOpenRelease() {
        Release.Retention three = new Release.Retention(3, 1 << 20);
        long open = released(create("open", doc(BASE, "a: open"))).id();
        long gray = released(create("gray", doc(DEV, "a: gray"))).id();
        released(gray(gray, labels("a", "b")));
        long[] published = new long[4];
        List<Long> pruned = new java.util.ArrayList<>();
        for (int i = 0; i < published.length; i++) {
            ReleaseResult created = (ReleaseResult) apply(new Command.CreateRelease("p" + i, "", List.of(
                    new Release.Draft("config/pay/p" + i, "application/yaml", bytes("a: " + i))),
                    Release.Validation.SKIPPED, three)).result();
            pruned.addAll(created.pruned());
            published[i] = released(publish(created.release().id(), false)).id();
        }
        ReleaseResult last = (ReleaseResult) apply(new Command.CreateRelease("next", "", List.of(
                new Release.Draft("config/pay/next", "application/yaml", bytes("a: next"))), Release.Validation.SKIPPED,
                three)).result();
        pruned.addAll(last.pruned());
        assertThat(pruned).as("three finished releases kept, the open ones beside them").containsExactly(published[0]);
        assertThat(store.releases()).extracting(Release::id)
                .containsExactly(open, gray, published[1], published[2], published[3], last.release().id());
        Rejected full = rejected(new Command.CreateRelease("one too many", "", List.of(new Release.Draft(
                "config/pay/x", "application/yaml", bytes("a: x"))), Release.Validation.SKIPPED, three));
        assertThat(full.reason()).as("open, gray and next are three open releases").isEqualTo(
                Rejected.Reason.TOO_MANY_OPEN_RELEASES);
    }

    @Test
    void theLastTwoPublishedAreThoseLastPublishedNotTheNewest() {
        Release.Retention two = new Release.Retention(2, 1 << 20);
        long old = released(new Command.CreateRelease("old draft", "", List.of(doc(BASE, "a: old")),
                Release.Validation.SKIPPED, two)).id();
        long[] ids = new long[3];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = released(publish(released(new Command.CreateRelease("p" + i, "", List.of(doc(BASE, "a: " + i)),
                    Release.Validation.SKIPPED, two)).id(), true)).id();
        }
        released(publish(old, true));
        ReleaseResult next = (ReleaseResult) apply(new Command.CreateRelease("next", "", List.of(doc(BASE, "a: n")),
                Release.Validation.SKIPPED, two)).result();
        assertThat(store.release(old)).as("published last, though created first").isNotNull();
        assertThat(next.pruned()).doesNotContain(old, ids[2]);
    }

    @Test
    void fourEyesBindsEveryoneWhoWroteTheContentAndAPublishIsOfTheRevisionChecked() {
        apply(new Command.CreateToken("alice", GoldenCases.hash(1), Role.WRITER, List.of("config/"), false));
        apply(new Command.CreateToken("bob", GoldenCases.hash(2), Role.WRITER, List.of("config/"), false));
        apply(new Command.CreateToken("carol", GoldenCases.hash(4), Role.WRITER, List.of("config/"), false));
        Release drafted = released(new Command.Authored("alice", "r1", create("a", doc(BASE, "a: 1"))));
        Release edited = released(new Command.Authored("bob", "r2", new Command.UpdateRelease(drafted.id(), Command.ANY,
                "a", "", List.of(doc(BASE, "a: bob's")), Release.Validation.SKIPPED)));
        assertThat(edited.editors()).containsExactly("alice", "bob");
        assertThat(rejected(new Command.Authored("bob", "r3", fourEyes(drafted.id(), ""))).reason())
                .isEqualTo(Rejected.Reason.SAME_AUTHOR);
        assertThat(rejected(new Command.Authored("bob", "r4", new Command.GrayRelease(drafted.id(), labels("a", "b"),
                new Release.Approval(-1, List.of(), true, false, Release.Validation.SKIPPED, "")))).reason())
                .as("gray is serving too").isEqualTo(Rejected.Reason.SAME_AUTHOR);
        Rejected stale = rejected(new Command.Authored("carol", "r5", new Command.PublishRelease(drafted.id(), "", false,
                new Release.Approval(drafted.revision(), List.of(), true, false, Release.Validation.SKIPPED, ""))));
        assertThat(stale.reason()).as("carol checked alice's version, not bob's").isEqualTo(Rejected.Reason.PRECONDITION_FAILED);
        released(new Command.Authored("carol", "r6", new Command.PublishRelease(drafted.id(), "", false,
                new Release.Approval(edited.revision(), List.of(), true, false, Release.Validation.SKIPPED, ""))));
        assertThat(text(BASE)).isEqualTo("a: bob's");
    }

    @Test
    void reservedKeysAreWrittenAndDeletedByAdministratorsOnly() {
        apply(new Command.CreateToken("writer", GoldenCases.hash(1), Role.WRITER, List.of("config/"), false));
        apply(new Command.CreateToken("root", GoldenCases.hash(3), Role.ADMIN, List.of(), false));
        String policy = "config/pay/~policy";
        assertThat(apply(new Command.Authored("root", "r1", new Command.Put(policy, bytes("{}"), "application/json",
                Command.ANY))).result()).isInstanceOf(PutResult.class);
        for (Command command : List.of(new Command.Put(policy, bytes("{}"), "application/json", Command.ANY),
                new Command.Delete(policy, Command.ANY),
                new Command.Txn(List.of(), List.of(new Op.Delete(policy)), List.of()))) {
            assertThat(rejected(new Command.Authored("writer", "r2", command)).reason()).as(command.toString())
                    .isEqualTo(Rejected.Reason.PERMISSION_DENIED);
        }
        apply(new Command.Authored("writer", "r3", new Command.DeletePrefix("config/pay/")));
        assertThat(store.get(policy)).as("a writer's prefix deletion keeps it").isNotNull();
        assertThat(store.get(BASE)).isNull();
        apply(new Command.Authored("root", "r4", new Command.DeletePrefix("config/pay/")));
        assertThat(store.get(policy)).isNull();
    }

    @Test
    void grayBucketsAreStableAndSpread() {
        assertThat(Release.GrayRule.bucket(70, "pay-1")).isEqualTo(Release.GrayRule.bucket(70, "pay-1"));
        int in = 0;
        for (int i = 0; i < 200; i++) {
            in += new Release.GrayRule(List.of(), List.of(), new TreeMap<>(), 50).matches(70, "i-" + i, null, Map.of()) ? 1 : 0;
        }
        assertThat(in).isBetween(80, 120);
        assertThat(new Release.GrayRule(List.of(), List.of(), new TreeMap<>(), 50).matches(70, null, null, Map.of()))
                .as("no instance id, no percent").isFalse();
    }

    @Test
    void malformedReleaseCommandsAreRefusedAsInvalid() {
        List<Release.Draft> tooMany = new java.util.ArrayList<>();
        for (int i = 0; i < 33; i++) {
            tooMany.add(new Release.Draft("config/pay/p" + i, "application/yaml", bytes("a: 1")));
        }
        Release.GrayRule percent101 = new Release.GrayRule(List.of(), List.of(), new TreeMap<>(), 101);
        TreeMap<String, String> seventeen = new TreeMap<>();
        for (int i = 0; i < 17; i++) {
            seventeen.put("l" + i, "v");
        }
        for (Command command : List.of(
                new Command.CreateRelease("t", "", tooMany, Release.Validation.SKIPPED, KEEP),
                new Command.CreateRelease(" ", "", List.of(doc(BASE, "a: 1")), Release.Validation.SKIPPED, KEEP),
                new Command.CreateRelease("t", "", List.of(doc(BASE, "a: 1"), doc(BASE, "a: 2")), Release.Validation.SKIPPED, KEEP),
                gray(1, percent101),
                gray(1, new Release.GrayRule(List.of(), List.of(), seventeen, -1)),
                gray(1, new Release.GrayRule(List.of(), List.of("10.1.2.300"), new TreeMap<>(), -1)),
                gray(1, new Release.GrayRule(List.of(), List.of(), new TreeMap<>(), -1)))) {
            assertThat(CommandRules.problem(command)).as(command.toString()).isNotNull();
            assertThat(rejected(command).reason()).isEqualTo(Rejected.Reason.INVALID_COMMAND);
        }
        assertThat(ReleaseRules.ipLiteral("fe80::1")).isTrue();
        assertThat(ReleaseRules.ipLiteral("2001:db8:0:0:0:0:2:1")).isTrue();
        assertThat(ReleaseRules.ipLiteral("::ffff:10.1.2.3")).isTrue();
        assertThat(ReleaseRules.ipLiteral("1:2:3")).isFalse();
        assertThat(ReleaseRules.ipLiteral("example.com")).isFalse();
    }

    // ------------------------------------------------------------------------------------------ helpers

    private Applied apply(Command command) {
        return store.apply(++index, new Stamp(1_767_225_600_000L + index, 10), command);
    }

    private Release released(Command command) {
        Result result = apply(command).result();
        assertThat(result).as(command.toString()).isInstanceOf(ReleaseResult.class);
        return ((ReleaseResult) result).release();
    }

    private Rejected rejected(Command command) {
        Result result = apply(command).result();
        assertThat(result).as(command.toString()).isInstanceOf(Rejected.class);
        return (Rejected) result;
    }

    private static Command.CreateRelease create(String title, Release.Draft... documents) {
        return new Command.CreateRelease(title, "", List.of(documents), Release.Validation.SKIPPED, KEEP);
    }

    private static Command.PublishRelease publish(long id, boolean force) {
        return new Command.PublishRelease(id, "", force, Release.Approval.NONE);
    }

    private static Command.PublishRelease fourEyes(long id, String emergency) {
        return new Command.PublishRelease(id, "", false, new Release.Approval(-1, List.of(), true, false,
                Release.Validation.SKIPPED, emergency));
    }

    private static Command.GrayRelease gray(long id, Release.GrayRule rule) {
        return new Command.GrayRelease(id, rule, Release.Approval.NONE);
    }

    private static Release.GrayRule labels(String name, String value) {
        return new Release.GrayRule(List.of(), List.of(), new TreeMap<>(Map.of(name, value)), Release.GrayRule.NO_PERCENT);
    }

    private static Release.Draft doc(String key, String yaml) {
        return new Release.Draft(key, "application/yaml", bytes(yaml));
    }

    private String text(String key) {
        return new String(store.get(key).value(), UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}
