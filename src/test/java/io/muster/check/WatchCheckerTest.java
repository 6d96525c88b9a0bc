package io.muster.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.check.WatchChecker.Event;
import io.muster.check.WatchChecker.Stream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The watch check catches a missed, a repeated, a reordered and an invented event, and streams that disagree. */
class WatchCheckerTest {

    private static final Event A = new Event(10, "put", "r/0", "a");
    private static final Event B = new Event(11, "put", "r/1", "b");
    private static final Event D = new Event(12, "delete", "r/0", null);
    private static final Event C = new Event(13, "put", "r/0", "c");
    private static final List<Event> ACKNOWLEDGED = List.of(A, B, D, C);
    private static final Map<String, Set<String>> ATTEMPTED = Map.of("r/0", Set.of("a", "c", "x"), "r/1", Set.of("b"));

    @Test
    void streamsThatSawEveryChangeOnceInOrderPass() {
        WatchChecker.Verdict verdict = WatchChecker.check(List.of(new Stream("w1", 10, 13, List.of(A, B, D, C)),
                new Stream("w2", 11, 20, List.of(B, D, C))), ACKNOWLEDGED, ATTEMPTED);
        assertThat(verdict.valid()).as(verdict.toString()).isTrue();
        assertThat(verdict.checkedWrites()).isEqualTo(7);
    }

    @Test
    void aChangeMissingFromAStreamIsCaught() {
        WatchChecker.Verdict verdict = WatchChecker.check(List.of(new Stream("w1", 10, 13, List.of(A, C))),
                ACKNOWLEDGED, ATTEMPTED);
        assertThat(verdict.missed()).hasSize(2).allMatch(missed -> missed.startsWith("w1: acknowledged"));
    }

    @Test
    void aChangeDeliveredTwiceOrOutOfOrderIsCaught() {
        WatchChecker.Verdict twice = WatchChecker.check(List.of(new Stream("w1", 10, 13, List.of(A, B, B, D, C))),
                ACKNOWLEDGED, ATTEMPTED);
        assertThat(twice.outOfOrder()).singleElement().asString().contains("delivered twice");
        WatchChecker.Verdict reordered = WatchChecker.check(List.of(new Stream("w1", 10, 13, List.of(A, D, B, C))),
                ACKNOWLEDGED, ATTEMPTED);
        assertThat(reordered.outOfOrder()).singleElement().asString().contains("after revision 12");
    }

    @Test
    void aValueNobodyWroteIsAPhantom() {
        Event invented = new Event(14, "put", "r/1", "zzz");
        WatchChecker.Verdict verdict = WatchChecker.check(List.of(new Stream("w1", 10, 14, List.of(A, B, D, C, invented))),
                ACKNOWLEDGED, ATTEMPTED);
        assertThat(verdict.phantoms()).singleElement().asString().contains("zzz");
    }

    @Test
    void streamsDisagreeingAboutARevisionAreDivergence() {
        Event other = new Event(14, "put", "r/0", "x");
        Event different = new Event(14, "put", "r/0", "a");
        WatchChecker.Verdict verdict = WatchChecker.check(List.of(new Stream("w1", 10, 14, List.of(A, B, D, C, other)),
                new Stream("w2", 10, 14, List.of(A, B, D, C, different))), ACKNOWLEDGED, ATTEMPTED);
        assertThat(verdict.disagreements()).singleElement().asString().contains("revision 14");
        // An unacknowledged change (its answer was lost) that only one of two overlapping streams saw is a gap too.
        WatchChecker.Verdict gap = WatchChecker.check(List.of(new Stream("w1", 10, 14, List.of(A, B, D, C, other)),
                new Stream("w2", 10, 14, List.of(A, B, D, C))), ACKNOWLEDGED, ATTEMPTED);
        assertThat(gap.disagreements()).singleElement().asString().contains("only w1 saw [14]");
    }
}
