package io.muster.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Seeded random histories of release commands mixed with direct writes, authored by tokens of
 * different prefixes (SPRING.md B-9): a replica restored from a snapshot midway applies every entry
 * exactly as the one that applied them all, ending digest-equal; and after every entry the rules hold:
 * a rejected command changed nothing, a publish wrote each document at its own revision exactly as the
 * release has it (after checking every base, unless forced), and each document is in gray in at most
 * one release, the one the store's index names.
 */
class ReleaseSimulationTest {

    private static final String[] KEYS = {"config/a/default", "config/a/dev", "config/b/default", "config/b/dev"};
    private static final String[] PRINCIPALS = {"", "all", "only-a", "reader"};
    private static final Release.Retention RETENTION = new Release.Retention(4, 1 << 20);

    @Test
    void replicasAgreeAndTheRulesHoldOnEverySeed() throws IOException {
        for (long seed = 1; seed <= 40; seed++) {
            run(seed, 400);
        }
    }

    private void run(long seed, int steps) throws IOException {
        Random random = new Random(seed);
        KvStore replica = new KvStore();
        KvStore restored = new KvStore();
        long index = 0;
        for (Command setup : List.of(new Command.RaiseClusterVersion(4),
                new Command.CreateToken("all", GoldenCases.hash(1), Role.WRITER, List.of("config/"), false),
                new Command.CreateToken("only-a", GoldenCases.hash(2), Role.WRITER, List.of("config/a/"), false),
                new Command.CreateToken("reader", GoldenCases.hash(3), Role.READER, List.of(), false))) {
            index++;
            replica.apply(index, new Stamp(1_000L * index, 3), setup);
            restored.apply(index, new Stamp(1_000L * index, 3), setup);
        }
        int snapshotAt = 50 + random.nextInt(steps - 100);
        int rejected = 0;
        int published = 0;
        for (int i = 0; i < steps; i++) {
            index++;
            Stamp stamp = new Stamp(1_000L * index - random.nextInt(500), 1 + random.nextInt(3));
            Command command = command(random, replica);
            String before = StateDigests.timeless(replica);
            Map<String, Long> modRevisions = modRevisions(replica);
            Applied applied = replica.apply(index, stamp, command);
            Applied other = restored.apply(index, stamp, command);
            String where = "seed " + seed + ", step " + i + ": " + command;
            assertThat(other).as(where).isEqualTo(applied);
            if (applied.result() instanceof Rejected) {
                rejected++;
                assertThat(StateDigests.timeless(replica)).as(where + " was rejected and changed nothing").isEqualTo(before);
            }
            Command plain = Command.Authored.unwrap(command);
            if (applied.result() instanceof ReleaseResult result && (plain instanceof Command.PublishRelease
                    || plain instanceof Command.RollbackRelease || plain instanceof Command.RestoreDocument)) {
                published++;
                checkPublished(where, replica, result.release(), index, modRevisions, plain);
            }
            checkGrayIndex(where, replica);
            if (i == snapshotAt) {
                restored = roundTrip(restored);
            }
        }
        assertThat(SnapshotCodec.digest(restored)).as("seed %d: digests", seed).isEqualTo(SnapshotCodec.digest(replica));
        assertThat(rejected).as("seed %d rejects some commands", seed).isPositive();
        assertThat(published).as("seed %d publishes some releases", seed).isPositive();
    }

    private static void checkPublished(String where, KvStore store, Release release, long index,
            Map<String, Long> before, Command command) {
        assertThat(release.state()).as(where).isEqualTo(Release.State.PUBLISHED);
        assertThat(release.published().revision()).as(where).isEqualTo(index);
        for (Release.Document document : release.documents()) {
            Entry entry = store.get(document.key());
            if (document.deletes()) {
                assertThat(entry).as(where + ": " + document.key() + " deleted").isNull();
            } else {
                assertThat(entry.modRevision()).as(where + ": " + document.key() + " written at the publish").isEqualTo(index);
                assertThat(entry.value()).as(where + ": " + document.key()).isEqualTo(document.content());
            }
            if (command instanceof Command.PublishRelease publish && !publish.force()) {
                assertThat(before.getOrDefault(document.key(), 0L)).as(where + ": " + document.key() + " was at its base")
                        .isEqualTo(document.baseModRevision());
            }
        }
    }

    private static void checkGrayIndex(String where, KvStore store) {
        Map<String, Long> gray = new HashMap<>();
        for (Release release : store.releases()) {
            if (release.state() == Release.State.GRAY) {
                for (Release.Document document : release.documents()) {
                    assertThat(gray.put(document.key(), release.id())).as(where + ": " + document.key()
                            + " in gray twice").isNull();
                }
            }
        }
        for (String key : KEYS) {
            Release indexed = store.grayRelease(key);
            assertThat(indexed == null ? null : indexed.id()).as(where + ": gray index of " + key).isEqualTo(gray.get(key));
        }
    }

    private static Command command(Random random, KvStore store) {
        List<Release> releases = new ArrayList<>(store.releases());
        long id = releases.isEmpty() || random.nextInt(10) == 0 ? 1 + random.nextInt(500)
                : releases.get(random.nextInt(releases.size())).id();
        String key = KEYS[random.nextInt(KEYS.length)];
        Command command = switch (random.nextInt(12)) {
            case 0, 1 -> new Command.Put(key, ("v" + random.nextInt(5)).getBytes(UTF_8), "application/yaml", Command.ANY);
            case 2 -> new Command.Delete(key, Command.ANY);
            case 3, 4 -> new Command.CreateRelease("r", "", drafts(random), Release.Validation.SKIPPED, RETENTION);
            case 5 -> new Command.UpdateRelease(id, random.nextBoolean() ? Command.ANY : id, "u", "", drafts(random),
                    Release.Validation.SKIPPED);
            case 6 -> new Command.RebaseRelease(id);
            case 7 -> new Command.GrayRelease(id, new Release.GrayRule(List.of(), List.of(),
                    new TreeMap<>(Map.of("track", "canary")), random.nextBoolean() ? 10 : Release.GrayRule.NO_PERCENT),
                    approval(random, id));
            case 8, 9 -> new Command.PublishRelease(id, "", random.nextInt(4) == 0, approval(random, id));
            case 10 -> random.nextBoolean() ? new Command.AbandonRelease(id)
                    : new Command.RollbackRelease(id, "", random.nextBoolean(), RETENTION);
            default -> new Command.RestoreDocument(key, id, random.nextBoolean(), "", RETENTION);
        };
        String principal = PRINCIPALS[random.nextInt(PRINCIPALS.length)];
        return principal.isEmpty() ? command : new Command.Authored(principal, "r", command);
    }

    /** Four-eyes half the time, and now and then a revision that is not the release's. */
    private static Release.Approval approval(Random random, long id) {
        return new Release.Approval(random.nextInt(6) == 0 ? id : Command.ANY, List.of(), random.nextBoolean(), false,
                Release.Validation.SKIPPED, random.nextInt(4) == 0 ? "pager" : "");
    }

    private static List<Release.Draft> drafts(Random random) {
        List<Release.Draft> drafts = new ArrayList<>();
        for (String key : KEYS) {
            if (random.nextInt(3) == 0 || drafts.isEmpty() && key.equals(KEYS[KEYS.length - 1])) {
                drafts.add(random.nextInt(5) == 0 ? new Release.Draft(key, "", null)
                        : new Release.Draft(key, "application/yaml", ("d" + random.nextInt(5)).getBytes(UTF_8)));
            }
        }
        return drafts;
    }

    private static Map<String, Long> modRevisions(KvStore store) {
        Map<String, Long> revisions = new HashMap<>();
        for (String key : KEYS) {
            Entry entry = store.get(key);
            revisions.put(key, entry == null ? 0 : entry.modRevision());
        }
        return revisions;
    }

    private static KvStore roundTrip(KvStore store) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.write(store, out);
        return SnapshotCodec.read(new ByteArrayInputStream(out.toByteArray()));
    }
}
