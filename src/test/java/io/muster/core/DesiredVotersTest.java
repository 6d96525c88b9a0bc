package io.muster.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Desired voters are replaced only by a newer generation (a node still on an older deployment's
 * settings cannot steer the cluster back), only Muster itself may state them, and they survive a
 * snapshot.
 */
class DesiredVotersTest {

    private static final Stamp STAMP = new Stamp(1_000, 10);
    private static final List<String> FIVE = List.of("m-0=a:1", "m-1=b:1", "m-2=c:1", "m-3=d:1", "m-4=e:1");
    private static final List<String> THREE = FIVE.subList(0, 3);

    private final KvStore store = new KvStore();
    private long index;

    @Test
    void onlyANewerGenerationReplacesThem() {
        assertThat(store.desiredVoters()).isEqualTo(DesiredVoters.NONE);
        assertThat(set(2, FIVE).replaced()).isTrue();
        assertThat(set(1, THREE).replaced()).as("an older deployment").isFalse();
        assertThat(set(2, THREE).replaced()).as("the same generation").isFalse();
        assertThat(store.desiredVoters()).isEqualTo(new DesiredVoters(2, FIVE));
        assertThat(set(3, THREE).desired()).isEqualTo(new DesiredVoters(3, THREE));
    }

    @Test
    void noTokenMayStateThemAndMalformedOnesAreRefused() {
        store.apply(++index, STAMP, new Command.CreateToken("admin", GoldenCases.hash(1), Role.ADMIN, List.of(), false));
        Result byAdmin = store.apply(++index, STAMP, new Command.Authored("admin", "r", new Command.SetDesiredVoters(9, THREE))).result();
        assertThat(byAdmin).isInstanceOfSatisfying(Rejected.class,
                rejected -> assertThat(rejected.reason()).isEqualTo(Rejected.Reason.PERMISSION_DENIED));
        for (Command.SetDesiredVoters bad : List.of(new Command.SetDesiredVoters(0, THREE),
                new Command.SetDesiredVoters(1, List.of()), new Command.SetDesiredVoters(1, List.of("no-address")),
                new Command.SetDesiredVoters(1, List.of("m-0=a:1", "m-0=b:1")))) {
            assertThat(store.apply(++index, STAMP, bad).result()).as(bad.toString()).isInstanceOfSatisfying(Rejected.class,
                    rejected -> assertThat(rejected.reason()).isEqualTo(Rejected.Reason.INVALID_COMMAND));
        }
        assertThat(store.desiredVoters()).isEqualTo(DesiredVoters.NONE);
    }

    @Test
    void theySurviveASnapshot() throws IOException {
        set(7, FIVE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.write(store, out);
        KvStore loaded = SnapshotCodec.read(new ByteArrayInputStream(out.toByteArray()));
        assertThat(loaded.desiredVoters()).isEqualTo(new DesiredVoters(7, FIVE));
    }

    private DesiredVotersSet set(long generation, List<String> peers) {
        return (DesiredVotersSet) store.apply(++index, STAMP, new Command.SetDesiredVoters(generation, peers)).result();
    }
}
