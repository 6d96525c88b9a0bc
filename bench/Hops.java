import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hops of one write, from the kernel's scheduler trace: reads {@code perf script --ns} output of
 * sched_waking, sched_switch and fdatasync enter/exit events (recorded on all CPUs while a client makes
 * one put at a time) and a thread map, and walks each put's critical path backwards, from the wake-up
 * that handed the response to the client to the wake-up the client's request caused. Each step of the
 * walk is one thread on the path: how long it waited for a CPU after it was woken (run queue), how long
 * it then ran before it woke the next thread on the path, and, where it blocked in the kernel on the way
 * (fdatasync, a timer), how long it was blocked. Prints the mean per put of each step along the most
 * common path, the totals, and who had the CPUs while the step that waited longest for one waited.
 *
 * <pre>java bench/Hops.java THREADS_FILE PERF_SCRIPT_FILE</pre>
 *
 * THREADS_FILE has one line per server thread: {@code tid role name}, role being L (the leader) or F (a
 * follower); the client's threads are those the kernel calls {@code hey}.
 */
public class Hops {

    /** A wake-up of a task, by {@code waker} (a thread id) whose command name was {@code wakerComm}. */
    record Wake(int waker, String wakerComm) {}

    /** A thread of one of the processes traced: its role, its kind (name without numbers) and what it did. */
    static final class Task {
        final String role;
        final String kind;
        final TreeMap<Long, Wake> wakes = new TreeMap<>();
        final TreeSet<Long> switchIns = new TreeSet<>();
        final TreeMap<Long, String> switchOuts = new TreeMap<>();
        final TreeMap<Long, Long> fsyncs = new TreeMap<>(); // enter -> exit
        long fsyncEnter = -1;

        Task(String role, String kind) {
            this.role = role;
            this.kind = kind;
        }
    }

    /** One thread on a path: woken at {@code woken}, on a CPU at {@code onCpu}; nanoseconds it waited for a CPU, ran, was blocked, was in fsync. */
    record Step(String label, long woken, long onCpu, long queue, long run, long blocked, long fsync) {}

    static final Pattern LINE = Pattern.compile(
            "^\\s*(.+?)\\s+(\\d+)/(\\d+)\\s+\\[(\\d+)]\\s+(\\d+)\\.(\\d+):\\s+([\\w:]+):\\s*(.*)$");
    static final Pattern WAKEUP = Pattern.compile("comm=(.*?) pid=(\\d+) ");
    static final Pattern SWITCH = Pattern.compile(
            "prev_comm=(.*?) prev_pid=(\\d+) prev_prio=\\d+ prev_state=(\\S+) ==> next_comm=(.*?) next_pid=(\\d+) ");

    public static void main(String[] args) throws IOException {
        Map<Integer, Task> threads = threadMap(Path.of(args[0]));
        List<long[]> handOvers = read(Path.of(args[1]), threads);

        // A put ends with the last wake-up of the client by the leader before the client's next request (the client
        // waking Tomcat's poller).
        List<long[]> ends = new ArrayList<>();
        for (int i = 0; i < handOvers.size(); i++) {
            if (handOvers.get(i)[1] >= 0 && (i + 1 == handOvers.size() || handOvers.get(i + 1)[1] < 0)) {
                ends.add(handOvers.get(i));
            }
        }
        Map<String, List<List<Step>>> byPath = new HashMap<>();
        List<Long> totals = new ArrayList<>();
        int broken = 0;
        for (long[] end : ends) {
            List<Step> path = walk(threads, end[0], (int) end[1]);
            if (path == null) {
                broken++;
                continue;
            }
            String signature = String.join(" > ", path.stream().map(Step::label).toList());
            byPath.computeIfAbsent(signature, k -> new ArrayList<>()).add(path);
            totals.add(end[0] - path.get(0).woken());
        }
        if (totals.isEmpty()) {
            System.out.println("no complete put found in the trace (" + ends.size() + " responses, " + broken + " paths broken)");
            System.exit(1);
        }
        totals.sort(null);
        System.out.printf("%d puts traced (%d paths not followed to the client); from the request's wake-up to the response's: "
                + "median %.3f ms, mean %.3f ms%n", totals.size(), broken,
                totals.get(totals.size() / 2) / 1e6, totals.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6);

        printThreads(byPath, totals.size());
        printCommonPath(byPath, threads, totals.size());
    }

    /** Every thread kind on any path, in the order of its mean place along the paths, with its mean per put. */
    static void printThreads(Map<String, List<List<Step>>> byPath, int puts) {
        record Row(String label, double[] sums) {}
        Map<String, Row> rows = new LinkedHashMap<>();
        double threadsOnPaths = 0;
        for (List<List<Step>> group : byPath.values()) {
            for (List<Step> path : group) {
                threadsOnPaths += path.size();
                for (int i = 0; i < path.size(); i++) {
                    Step step = path.get(i);
                    double[] sums = rows.computeIfAbsent(step.label(), k -> new Row(k, new double[6])).sums();
                    sums[0] += step.queue();
                    sums[1] += step.run();
                    sums[2] += step.blocked();
                    sums[3] += step.fsync();
                    sums[4] += (double) i / path.size();
                    sums[5] += 1;
                }
            }
        }
        List<Row> ordered = new ArrayList<>(rows.values());
        ordered.sort(Comparator.comparingDouble((Row r) -> r.sums()[4] / r.sums()[5]));
        System.out.printf("%nmean µs per put, %.1f threads on the path per put; each row a thread on it (L leader, F follower)%n", threadsOnPaths / puts);
        System.out.printf("  %-50s %6s %9s %9s %9s %9s%n", "thread", "puts", "run queue", "running", "blocked", "fsync");
        double[] all = new double[4];
        for (Row row : ordered) {
            double[] x = row.sums();
            if (x[5] * 50 < puts) {
                continue; // on fewer than 2 % of the paths: noise (counted in the totals)
            }
            System.out.printf("  %-50s %5.0f%% %9.1f %9.1f %9s %9s%n", row.label(), 100 * x[5] / puts, x[0] / puts / 1e3, x[1] / puts / 1e3,
                    x[2] == 0 ? "" : String.format("%.1f", x[2] / puts / 1e3), x[3] == 0 ? "" : String.format("%.1f", x[3] / puts / 1e3));
        }
        for (Row row : ordered) {
            for (int k = 0; k < 4; k++) {
                all[k] += row.sums()[k] / puts / 1e3;
            }
        }
        System.out.printf("  %-50s %6s %9.1f %9.1f %9.1f %9.1f   = %.1f µs%n", "all threads", "", all[0], all[1], all[2], all[3],
                all[0] + all[1] + all[2] + all[3]);
    }

    /** The most common path step by step, and who had the CPUs while its step that waited longest for one waited. */
    static void printCommonPath(Map<String, List<List<Step>>> byPath, Map<Integer, Task> threads, int puts) {
        List<List<Step>> common = byPath.values().stream().max(Comparator.comparingInt(List::size)).orElseThrow();
        System.out.printf("%nthe most common path, step by step (%d of %d puts): mean µs%n", common.size(), puts);
        System.out.printf("  %-56s %9s %9s %9s%n", "thread", "run queue", "running", "fsync");
        int longest = 0;
        double longestWait = -1;
        for (int i = 0; i < common.get(0).size(); i++) {
            double q = 0, r = 0, f = 0;
            for (List<Step> path : common) {
                q += path.get(i).queue();
                r += path.get(i).run() + path.get(i).blocked();
                f += path.get(i).fsync();
            }
            int n = common.size();
            System.out.printf("  %2d %-53s %9.1f %9.1f %9s%n", i + 1, common.get(0).get(i).label(), q / n / 1e3, r / n / 1e3,
                    f == 0 ? "" : String.format("%.1f", f / n / 1e3));
            if (q > longestWait) {
                longestWait = q;
                longest = i;
            }
        }
        // Who had the CPUs while the step that waited longest for one waited.
        Map<String, Double> ran = new HashMap<>();
        for (List<Step> path : common) {
            Step step = path.get(longest);
            long from = step.woken(), to = step.onCpu();
            for (Task t : threads.values()) {
                for (long in : t.switchIns.subSet(from - 100_000_000L, to)) {
                    Long out = t.switchOuts.ceilingKey(in);
                    long end = Math.min(out == null ? to : out, to), start = Math.max(in, from);
                    if (end > start) {
                        ran.merge(t.role + " " + t.kind, (double) (end - start), Double::sum);
                    }
                }
            }
        }
        System.out.printf("%nwhile step %d waited for a CPU after its wake-up, these threads ran: mean µs%n", longest + 1);
        ran.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(8)
                .forEach(e -> System.out.printf("  %9.1f  %s%n", e.getValue() / common.size() / 1e3, e.getKey()));
    }

    /** The thread map's lines, {@code tid role name}, as tasks. */
    static Map<Integer, Task> threadMap(Path file) throws IOException {
        Map<Integer, Task> threads = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split("\\s+", 3);
            if (f.length == 3) {
                threads.put(Integer.parseInt(f[0]), new Task(f[1], kind(f[2])));
            }
        }
        return threads;
    }

    /**
     * Records every wake-up, switch and fsync of a known task, and returns the hand-overs between the client and
     * the leader in time order: {time, the server thread that woke the client, or -1 where the client woke a server
     * thread}.
     */
    static List<long[]> read(Path perfScript, Map<Integer, Task> threads) throws IOException {
        List<long[]> handOvers = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(perfScript)) {
            for (String line; (line = in.readLine()) != null; ) {
                Matcher m = LINE.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                int tid = Integer.parseInt(m.group(3));
                client(threads, tid, m.group(1).trim());
                long time = Long.parseLong(m.group(5)) * 1_000_000_000L + Long.parseLong(m.group(6));
                String event = m.group(7);
                String rest = m.group(8) + " ";
                switch (event) {
                    case "sched:sched_waking" -> {
                        Matcher w = WAKEUP.matcher(rest);
                        if (w.find()) {
                            int target = Integer.parseInt(w.group(2));
                            client(threads, target, w.group(1));
                            Task t = threads.get(target);
                            if (t != null) {
                                t.wakes.put(time, new Wake(tid, m.group(1).trim()));
                                Task waker = threads.get(tid);
                                if (waker != null && (t.role.equals("C") && !waker.role.equals("C")
                                        || waker.role.equals("C") && t.kind.contains("Poller"))) {
                                    // the client woken by the leader (a response, or part of one), or the leader by the client
                                    handOvers.add(new long[] {time, waker.role.equals("C") ? -1 : tid});
                                }
                            }
                        }
                    }
                    case "sched:sched_switch" -> {
                        Matcher s = SWITCH.matcher(rest);
                        if (s.find()) {
                            Task prev = threads.get(Integer.parseInt(s.group(2)));
                            if (prev != null) {
                                prev.switchOuts.put(time, s.group(3));
                            }
                            Task next = threads.get(Integer.parseInt(s.group(5)));
                            if (next != null) {
                                next.switchIns.add(time);
                            }
                        }
                    }
                    case "syscalls:sys_enter_fdatasync", "syscalls:sys_enter_fsync" -> {
                        Task t = threads.get(tid);
                        if (t != null) {
                            t.fsyncEnter = time;
                        }
                    }
                    case "syscalls:sys_exit_fdatasync", "syscalls:sys_exit_fsync" -> {
                        Task t = threads.get(tid);
                        if (t != null && t.fsyncEnter >= 0) {
                            t.fsyncs.put(t.fsyncEnter, time);
                            t.fsyncEnter = -1;
                        }
                    }
                    default -> { }
                }
            }
        }

        return handOvers;
    }

    /**
     * Walks back from the wake-up of the client at {@code end} by thread {@code last}: each thread on the path
     * was woken by the one before it; a thread woken by the kernel (the end of an fsync, a timer, a soft
     * interrupt) had blocked on the path itself, so the walk goes on from its own earlier wake-up and the
     * time it was blocked counts to its step.
     */
    static List<Step> walk(Map<Integer, Task> threads, long end, int last) {
        List<Step> steps = new ArrayList<>();
        int cur = last;
        long handedOn = end;
        long queue = 0, run = 0, blocked = 0, fsync = 0;
        String note = "";
        for (int guard = 0; guard < 200; guard++) {
            Task t = threads.get(cur);
            if (t == null) {
                return null;
            }
            if (t.role.equals("C")) {
                Collections.reverse(steps);
                return steps;
            }
            Map.Entry<Long, Wake> w = t.wakes.lowerEntry(handedOn);
            if (w == null || end - w.getKey() > 100_000_000L) {
                return null;
            }
            long woken = w.getKey();
            Long in = t.switchIns.ceiling(woken);
            long running = in == null || in > handedOn ? woken : in;
            long preempted = preempted(t, running, handedOn);
            queue += running - woken + preempted;
            run += handedOn - running - preempted;
            Wake wake = w.getValue();
            if (threads.containsKey(wake.waker()) && wake.waker() != cur) {
                steps.add(new Step(t.role + " " + t.kind + note, woken, running, queue, run, blocked, fsync));
                queue = run = blocked = fsync = 0;
                note = "";
                cur = wake.waker();
                handedOn = woken;
                continue;
            }
            // Woken by the kernel: the thread had blocked on the path (an fsync, a timer, a socket read).
            Map.Entry<Long, String> out = t.switchOuts.lowerEntry(woken);
            if (out == null) {
                return null;
            }
            long b = woken - out.getKey();
            Map.Entry<Long, Long> fs = t.fsyncs.floorEntry(out.getKey());
            if (fs != null && fs.getValue() >= woken) {
                fsync += b;
            } else {
                blocked += b;
                String by = " (woken by " + wake.wakerComm().replaceAll("[/:0-9].*$", "") + ")";
                note = note.contains(by) ? note : note + by;
            }
            handedOn = out.getKey();
        }
        return null;
    }

    /** Nanoseconds the thread spent preempted (switched out while runnable) between two times. */
    static long preempted(Task t, long from, long to) {
        long sum = 0;
        for (Map.Entry<Long, String> out : t.switchOuts.subMap(from, to).entrySet()) {
            if (out.getValue().startsWith("R")) {
                Long back = t.switchIns.ceiling(out.getKey());
                sum += Math.min(back == null ? to : back, to) - out.getKey();
            }
        }
        return sum;
    }

    /** Threads of the client (hey) are known by their command name. */
    static void client(Map<Integer, Task> threads, int tid, String comm) {
        if (comm.equals("hey") && !threads.containsKey(tid)) {
            threads.put(tid, new Task("C", "hey"));
        }
    }

    /** A thread's name without its numbers and Ratis' member and group ids. */
    static String kind(String name) {
        return name.replaceAll("^[a-z0-9]+@group-[0-9A-F]+-", "")
                .replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "")
                .replaceAll("\\d+", "N");
    }
}
