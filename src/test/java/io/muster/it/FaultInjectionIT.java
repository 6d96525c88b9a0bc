package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Recorded histories under injected faults, each checked by {@link FaultHistory}: linearizability of
 * the register, no lost or doubled set element or counter increment, every watched change seen once in
 * order, every member converged within 30 s of healing, no write gap over 15 s while a majority is
 * healthy, and restarted nodes caught up within 8 s of first answering (and answering within 60 s).
 *
 * <p>One history per fault kind: kill -9 (leader, follower, random node), SIGSTOP pauses of 1-3 election
 * timeouts, network partitions (isolated leader, majority/minority, bridge; five nodes in network
 * namespaces), membership changes under load (remove and re-add, replace), snapshot churn (a follower
 * kept behind until only a snapshot can catch it up) and clock skew (one node's wall clock two minutes
 * off, leading). In {@code ./mvnw verify} each history lasts 20 s; {@code scripts/soak.sh} sets
 * {@code muster.faults.seconds}, {@code muster.faults.rounds} and {@code muster.faults.scenarios} for
 * longer and more histories, with a seventh, mixed, kind. Every run writes its report to
 * {@code muster.faults.report} (default {@code target/fault-report.txt}) and prints it.
 */
class FaultInjectionIT {

    private static final int SECONDS = Integer.getInteger("muster.faults.seconds", 20);
    private static final int ROUNDS = Integer.getInteger("muster.faults.rounds", 1);
    private static final Set<String> CHOSEN = new HashSet<>(Arrays.asList(
            System.getProperty("muster.faults.scenarios", "kill,pause,partition,membership,snapshot,skew,division").split(",")));
    private static final Path REPORT = Path.of(System.getProperty("muster.faults.report", "target/fault-report.txt"));
    private static final Map<String, String> WATCH_PROGRESS = Map.of("muster.watch.progress-interval", "1s");
    private static final Map<String, String> SNAPSHOT_CHURN = Map.of("muster.watch.progress-interval", "1s",
            "muster.raft.snapshot-threshold", "100", "muster.raft.log-segment-size", "16KB",
            "muster.raft.log-preservation", "0", "muster.raft.background-snapshot-entries", "0");
    private static final List<FaultHistory.Report> REPORTS = Collections.synchronizedList(new ArrayList<>());

    /** Each history's data directories and node logs; kept when it fails, deleted when it passes. */
    private static final Path ROOT = Path.of("target", "fault-histories");

    /** A fault kind: how many voters and spare nodes, the nodes' settings, and its schedule. */
    private record Scenario(String name, int voters, int slots, Map<String, String> settings, boolean needsPartitions,
            FaultHistory.Schedule schedule) {
    }

    private static final List<Scenario> SCENARIOS = List.of(
            new Scenario("kill", 3, 3, WATCH_PROGRESS, false, FaultInjectionIT::kills),
            new Scenario("pause", 3, 3, WATCH_PROGRESS, false, FaultInjectionIT::pauses),
            new Scenario("partition", 5, 5, WATCH_PROGRESS, true, FaultInjectionIT::partitions),
            new Scenario("membership", 3, 4, WATCH_PROGRESS, false, FaultInjectionIT::membershipChanges),
            new Scenario("snapshot", 3, 3, SNAPSHOT_CHURN, false, FaultInjectionIT::snapshotChurn),
            new Scenario("skew", 3, 3, WATCH_PROGRESS, false, FaultInjectionIT::clockSkew),
            new Scenario("division", 3, 3, WATCH_PROGRESS, false, FaultInjectionIT::divisionClosures),
            new Scenario("mixed", 5, 6, SNAPSHOT_CHURN, true, FaultInjectionIT::mixed));

    @TestFactory
    Stream<DynamicTest> historiesUnderFaultsAreLinearizableLoseNothingAndConverge() {
        List<DynamicTest> histories = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            for (Scenario scenario : SCENARIOS) {
                if (CHOSEN.contains(scenario.name())) {
                    String name = scenario.name() + (ROUNDS > 1 ? " #" + round : "");
                    long seed = 7919L * round + scenario.name().hashCode();
                    histories.add(DynamicTest.dynamicTest(name, () -> history(name, scenario, seed)));
                }
            }
        }
        return histories.stream();
    }

    private static void history(String name, Scenario scenario, long seed) throws Exception {
        Path dir = ROOT.resolve(name.replaceAll("[^a-z0-9]+", "-")).toAbsolutePath();
        ProcessNode.deleteTree(dir);
        try (FaultHistory history = new FaultHistory(name, dir, scenario.voters(), scenario.slots(), scenario.settings(),
                Duration.ofSeconds(SECONDS), seed).prepare()) {
            if (scenario.needsPartitions() && !history.partitions()) {
                Assumptions.abort("links can only be cut as root with ip and iptables; skipping " + name);
            }
            if (scenario.name().equals("skew")) {
                if (!ProcessNode.canSkewClocks()) {
                    assertThat(NetLab.toolsRequired()).as("libfaketime (apt-get install faketime) is required").isFalse();
                    Assumptions.abort("no libfaketime (apt-get install faketime); skipping " + name);
                }
                history.node(2).skewClock(seed % 2 == 0 ? "+120s" : "-120s");
            }
            FaultHistory.Report report = history.run(scenario.schedule());
            REPORTS.add(report);
            String text = FaultReport.describe(report);
            System.out.println(text);
            assertThat(report.problems()).as(name + " (node logs kept in " + dir + "):\n" + text).isEmpty();
        }
        ProcessNode.deleteTree(dir);
    }

    @AfterAll
    static void writeReport() throws IOException {
        if (REPORTS.isEmpty()) {
            return;
        }
        String text = FaultReport.summarise(List.copyOf(REPORTS), SECONDS);
        System.out.println(text);
        Files.createDirectories(REPORT.toAbsolutePath().getParent());
        Files.writeString(REPORT, text);
    }

    // ------------------------------------------------------------------------------------ schedules

    /** kill -9 of the leader, a follower and a random node, each restarted and caught up in turn. */
    private static void kills(FaultHistory history) throws Exception {
        while (history.running()) {
            killAndRestart(history, history.leader(), "leader");
            if (!history.running()) {
                break;
            }
            killAndRestart(history, history.follower(), "follower");
            if (!history.running()) {
                break;
            }
            List<ProcessNode> members = history.members();
            killAndRestart(history, members.get(history.random().nextInt(members.size())), "random node");
        }
    }

    private static void killAndRestart(FaultHistory history, ProcessNode node, String what) throws Exception {
        history.kill(node, what);
        history.hold(3);
        history.restart(node);
        history.hold(2);
    }

    /**
     * A follower's Raft division closed underneath it while it stays a member (the Ratis race that used
     * to leave a node up and useless for good); the history's supervisor restarts it once its liveness
     * says DOWN, and it must catch up as any restarted node does.
     */
    private static void divisionClosures(FaultHistory history) throws Exception {
        while (history.running()) {
            history.closeDivisionAndSupervise(history.follower());
            history.hold(3);
        }
    }

    /** SIGSTOP of the leader, then of a follower, for 1-3 election timeouts (1 s at most here) each. */
    private static void pauses(FaultHistory history) throws Exception {
        while (history.running()) {
            history.pause(history.leader(), 1 + 2 * history.random().nextDouble(), "leader, 1-3 election timeouts");
            history.hold(3);
            if (!history.running()) {
                break;
            }
            history.pause(history.follower(), 1 + 2 * history.random().nextDouble(), "follower, 1-3 election timeouts");
            history.hold(3);
        }
    }

    /** The leader isolated, a 3/2 split, and a bridge, each healed before the next. */
    private static void partitions(FaultHistory history) throws Exception {
        while (history.running()) {
            partitioned(history, cut -> cut.isolate(cut.leader(), "the leader"));
            history.hold(3);
            if (!history.running()) {
                break;
            }
            partitioned(history, cut -> {
                List<ProcessNode> shuffled = new ArrayList<>(cut.members());
                Collections.shuffle(shuffled, cut.random());
                cut.split(Set.copyOf(shuffled.subList(0, shuffled.size() / 2)));
            });
            history.hold(3);
            if (!history.running()) {
                break;
            }
            partitioned(history, FaultHistory::bridge);
            history.hold(3);
        }
    }

    /** Applies {@code cut} to the network, lets the workload run 4 s under it, and heals. */
    private static void partitioned(FaultHistory history, FaultHistory.Schedule cut) throws Exception {
        cut.inject(history);
        history.hold(4);
        history.healNetwork();
    }

    /** A follower removed, wiped and re-added; then the leader replaced by a fresh node. */
    private static void membershipChanges(FaultHistory history) throws Exception {
        while (history.running()) {
            history.removeAndReadd(history.follower());
            history.hold(3);
            if (!history.running()) {
                break;
            }
            history.replace(history.leader());
            history.hold(3);
        }
    }

    /** With snapshots every 100 entries: a follower kept behind until it needs a snapshot; a leader kill. */
    private static void snapshotChurn(FaultHistory history) throws Exception {
        while (history.running()) {
            history.keepBehind(history.follower());
            history.hold(3);
            if (!history.running()) {
                break;
            }
            killAndRestart(history, history.leader(), "leader");
        }
    }

    /**
     * Node f2's wall clock runs two minutes off (libfaketime; its monotonic clock is true): it is made
     * leader, so it stamps the log's time, then killed, so a true clock takes over, and again.
     */
    private static void clockSkew(FaultHistory history) throws Exception {
        ProcessNode skewed = history.node(2);
        Instant clock = Waits.until("f2's clock", TestCluster.DEADLINE, skewed::clock);
        long offset = Duration.between(Instant.now(), clock).toSeconds();
        assertThat(Math.abs(Math.abs(offset) - 120)).as("f2's wall clock is %d s off", offset).isLessThan(10);
        history.count("clock skew: one node " + skewed.clockOffset());
        while (history.running()) {
            history.transferLeadership(skewed);
            history.hold(4);
            if (!history.running()) {
                break;
            }
            killAndRestart(history, skewed, "skewed leader");
            history.pause(history.leader(), 1.5, "leader, 1-3 election timeouts");
            history.hold(2);
        }
    }

    /** Random faults of every kind but clock skew, one after another, on five nodes with snapshot churn. */
    private static void mixed(FaultHistory history) throws Exception {
        while (history.running()) {
            switch (history.random().nextInt(7)) {
                case 0 -> killAndRestart(history, history.leader(), "leader");
                case 1 -> killAndRestart(history, history.follower(), "follower");
                case 2 -> history.pause(history.leader(), 1 + 2 * history.random().nextDouble(),
                        "leader, 1-3 election timeouts");
                case 3 -> partitioned(history, cut -> cut.isolate(cut.leader(), "the leader"));
                case 4 -> partitioned(history, FaultHistory::bridge);
                case 5 -> history.keepBehind(history.follower());
                default -> history.removeAndReadd(history.follower());
            }
            history.hold(3);
        }
    }

    /** The histories' figures, one block each and a summary. */
    static final class FaultReport {

        private FaultReport() {
        }

        static String describe(FaultHistory.Report report) {
            return String.format("[faults] %s: %d nodes, %.0f s, %d operations checked, %d watch events; faults %s; "
                    + "violations %d, lost %d, doubled %d; max write gap %.1f s; leader-kill gaps %s s; restarts caught up "
                    + "in %s s (answering after %s s); converged in %.1f s; snapshot installs %d%n  %s%n  %s",
                    report.name(), report.nodes(), report.seconds(), report.operations(), report.watchEvents(),
                    report.faults(), report.violations(), report.lost(), report.doubled(), report.maxWriteGap(),
                    rounded(report.leaderKillGaps()), rounded(report.catchUps()), rounded(report.boots()),
                    report.convergence(), report.snapshotInstalls(), report.detail(),
                    report.passed() ? "PASSED" : "FAILED: " + report.problems());
        }

        static String summarise(List<FaultHistory.Report> reports, int seconds) {
            Map<String, Integer> faults = new TreeMap<>();
            reports.forEach(report -> report.faults().forEach((kind, count) -> faults.merge(kind, count, Integer::sum)));
            List<Double> killGaps = reports.stream().flatMap(report -> report.leaderKillGaps().stream()).sorted().toList();
            List<Double> catchUps = reports.stream().flatMap(report -> report.catchUps().stream()).sorted().toList();
            List<Double> boots = reports.stream().flatMap(report -> report.boots().stream()).sorted().toList();
            long converged = reports.stream().filter(report -> report.convergence() <= FaultHistory.CONVERGENCE.toSeconds())
                    .count();
            StringBuilder text = new StringBuilder();
            text.append("# Fault-injection report\n\n");
            reports.forEach(report -> text.append(describe(report)).append("\n\n"));
            text.append(String.format("## Summary%n%n"
                    + "histories               %d of %d s each, %d passed%n"
                    + "operations checked      %d (plus %d watch events)%n"
                    + "faults injected         %d: %s%n"
                    + "linearizability         %d violations%n"
                    + "lost acknowledged       %d%n"
                    + "double applies          %d%n"
                    + "max write gap           %.1f s (limit %.0f s)%n"
                    + "leader kill -9 gap      median %s s, max %s s over %d kills%n"
                    + "restarted node catch-up median %s s, max %s s over %d (answering: median %s s, max %s s)%n"
                    + "converged within 30 s   %d of %d (slowest %.1f s)%n"
                    + "snapshot installs       %d%n",
                    reports.size(), seconds, reports.stream().filter(FaultHistory.Report::passed).count(),
                    reports.stream().mapToLong(FaultHistory.Report::operations).sum(),
                    reports.stream().mapToLong(FaultHistory.Report::watchEvents).sum(),
                    faults.values().stream().mapToInt(Integer::intValue).sum(), faults,
                    reports.stream().mapToInt(FaultHistory.Report::violations).sum(),
                    reports.stream().mapToLong(FaultHistory.Report::lost).sum(),
                    reports.stream().mapToLong(FaultHistory.Report::doubled).sum(),
                    reports.stream().mapToDouble(FaultHistory.Report::maxWriteGap).max().orElse(0),
                    FaultHistory.MAX_WRITE_GAP_SECONDS, median(killGaps), max(killGaps), killGaps.size(),
                    median(catchUps), max(catchUps), catchUps.size(), median(boots), max(boots), converged, reports.size(),
                    reports.stream().mapToDouble(FaultHistory.Report::convergence).max().orElse(0),
                    reports.stream().mapToInt(FaultHistory.Report::snapshotInstalls).sum()));
            return text.toString();
        }

        private static List<String> rounded(List<Double> seconds) {
            return seconds.stream().map(value -> String.format("%.1f", value)).toList();
        }

        private static String median(List<Double> sorted) {
            return sorted.isEmpty() ? "-" : String.format("%.1f", sorted.get(sorted.size() / 2));
        }

        private static String max(List<Double> sorted) {
            return sorted.isEmpty() ? "-" : String.format("%.1f", sorted.get(sorted.size() - 1));
        }
    }
}
