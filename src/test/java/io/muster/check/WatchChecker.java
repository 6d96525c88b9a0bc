package io.muster.check;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The watch workload's check. Each stream is what one watcher received, across its reconnections, over
 * the revisions it covered ({@code from} up to {@code through}, the last revision the stream said it had
 * delivered, by a change or a progress message). Within that range every committed change must arrive
 * exactly once and in revision order: an acknowledged write missing from a stream is a missed event, one
 * arriving twice or out of order is a duplicate, a value no client ever wrote is a phantom, and two
 * streams disagreeing about one revision is divergence.
 */
public final class WatchChecker {

    private WatchChecker() {
    }

    /** One event as a stream delivered it; {@code value} is null for a delete. */
    public record Event(long revision, String type, String key, String value) {

        String describe() {
            return type + " " + key + (value == null ? "" : "=" + value) + "@" + revision;
        }
    }

    /** What one watcher received, and the revisions it covered. */
    public record Stream(String name, long from, long through, List<Event> events) {
    }

    public record Verdict(int streams, long events, long checkedWrites, List<String> outOfOrder, List<String> missed,
            List<String> phantoms, List<String> disagreements) {

        public boolean valid() {
            return outOfOrder.isEmpty() && missed.isEmpty() && phantoms.isEmpty() && disagreements.isEmpty();
        }
    }

    /**
     * @param acknowledged the changes clients were told happened, with the revision they were told
     * @param attempted    every value any client tried to write to each key (the only values an event may carry)
     */
    public static Verdict check(Collection<Stream> streams, Collection<Event> acknowledged,
            Map<String, Set<String>> attempted) {
        List<String> outOfOrder = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        List<String> phantoms = new ArrayList<>();
        List<String> disagreements = new ArrayList<>();
        Map<Long, Map<String, Event>> seenAt = new HashMap<>();
        Map<Long, String> seenBy = new HashMap<>();
        long events = 0;
        long checkedWrites = 0;
        for (Stream stream : streams) {
            Map<Long, Map<String, Event>> mine = new HashMap<>();
            long last = stream.from() - 1;
            for (Event event : stream.events()) {
                events++;
                if (event.revision() < last || event.revision() < stream.from() || event.revision() > stream.through()) {
                    outOfOrder.add(stream.name() + ": " + event.describe() + " after revision " + last);
                }
                last = Math.max(last, event.revision());
                if (mine.computeIfAbsent(event.revision(), revision -> new HashMap<>()).put(event.key(), event) != null) {
                    outOfOrder.add(stream.name() + ": " + event.describe() + " delivered twice");
                }
                if (event.value() != null && !attempted.getOrDefault(event.key(), Set.of()).contains(event.value())) {
                    phantoms.add(stream.name() + ": " + event.describe() + " was never written");
                }
            }
            for (Event write : acknowledged) {
                if (write.revision() >= stream.from() && write.revision() <= stream.through()) {
                    checkedWrites++;
                    Event seen = mine.getOrDefault(write.revision(), Map.of()).get(write.key());
                    if (!write.equals(seen)) {
                        missed.add(stream.name() + ": acknowledged " + write.describe() + " but saw "
                                + (seen == null ? "nothing" : seen.describe()));
                    }
                }
            }
            for (Map.Entry<Long, Map<String, Event>> revision : mine.entrySet()) {
                Map<String, Event> earlier = seenAt.get(revision.getKey());
                if (earlier != null && !earlier.equals(revision.getValue())) {
                    disagreements.add("revision " + revision.getKey() + ": " + seenBy.get(revision.getKey()) + " saw "
                            + earlier.values() + ", " + stream.name() + " saw " + revision.getValue().values());
                } else if (earlier == null) {
                    seenAt.put(revision.getKey(), revision.getValue());
                    seenBy.put(revision.getKey(), stream.name());
                }
            }
        }
        // Two streams covering the same revision must both have it (or both not).
        List<Stream> all = List.copyOf(streams);
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                compareCoverage(all.get(i), all.get(j), disagreements);
            }
        }
        return new Verdict(streams.size(), events, checkedWrites, outOfOrder, missed, phantoms, disagreements);
    }

    private static void compareCoverage(Stream a, Stream b, List<String> disagreements) {
        long from = Math.max(a.from(), b.from());
        long through = Math.min(a.through(), b.through());
        List<Long> inA = revisions(a, from, through);
        List<Long> inB = revisions(b, from, through);
        if (!Objects.equals(inA, inB)) {
            List<Long> onlyA = new ArrayList<>(inA);
            onlyA.removeAll(inB);
            List<Long> onlyB = new ArrayList<>(inB);
            onlyB.removeAll(inA);
            disagreements.add(a.name() + " and " + b.name() + " differ over " + from + ".." + through + ": only "
                    + a.name() + " saw " + onlyA + ", only " + b.name() + " saw " + onlyB);
        }
    }

    private static List<Long> revisions(Stream stream, long from, long through) {
        return stream.events().stream().map(Event::revision).filter(revision -> revision >= from && revision <= through)
                .distinct().sorted().toList();
    }
}
