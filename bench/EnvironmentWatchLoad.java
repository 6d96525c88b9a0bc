import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cost of idle environment watches on one node, and how fast a change reaches them (the C3 targets:
 * 1,000 idle streams at most 64 MB of heap and 5 % of a core; a change to every stream within p99 1 s).
 *
 * java bench/EnvironmentWatchLoad.java (Java 22 or newer: it uses bench/LeaseWatch.java beside it)
 *   WATCHERS CHANGES IDLE_SECONDS PID JCMD NODE_URL
 *   heap: live heap after a full GC (jcmd GC.run, then GC.heap_info) before and after opening the
 *   streams; CPU: the node's utime + stime over IDLE_SECONDS without streams, then with them; then
 *   CHANGES writes to the watched document, and the time from each write's acknowledgement to each
 *   stream's environment message of that revision. MODE=watch measures plain /v1/watch streams of the
 *   same document instead (their change message), for comparison.
 */
public class EnvironmentWatchLoad {

    private static final Pattern USED = Pattern.compile("used (\\d+)K");
    private static final String DOCUMENT = "config/bench-env/default";
    /** MODE=watch: plain /v1/watch streams of the same document instead, to compare with. */
    private static final boolean PLAIN_WATCH = "watch".equals(System.getenv("MODE"));

    public static void main(String[] args) throws Exception {
        int watchers = Integer.parseInt(args[0]);
        int changes = Integer.parseInt(args[1]);
        int idleSeconds = Integer.parseInt(args[2]);
        long pid = Long.parseLong(args[3]);
        String jcmd = args[4];
        String node = args[5];
        put(node, "bench:\n  value: 0\n");
        String version = LeaseWatch.send(LeaseWatch.authorized(URI.create(node + "/config/bench-env/default")).build())
                .replaceAll(".*\"version\":\"([0-9a-f]{16})\".*", "$1");

        long heapBefore = liveHeapKb(jcmd, pid);
        double idleBefore = corePercent(pid, idleSeconds);
        String path = PLAIN_WATCH ? "/v1/watch?key=" + DOCUMENT
                : "/v1/config/bench-env/environment/watch?version=" + version;
        ConcurrentHashMap<Long, ConcurrentLinkedQueue<Long>> arrivals = LeaseWatch.openStreams(watchers, node + path,
                PLAIN_WATCH ? "change" : "environment");
        Thread.sleep(2000);
        long heapAfter = liveHeapKb(jcmd, pid);
        if (System.getenv("HISTOGRAM") != null) {
            Files.writeString(Path.of(System.getenv("HISTOGRAM")), run(jcmd, Long.toString(pid), "GC.class_histogram"));
        }
        double idleAfter = corePercent(pid, idleSeconds);
        System.out.printf("%d idle " + (PLAIN_WATCH ? "/v1/watch" : "environment") + " streams: live heap %+.1f MB (%.1f KB each); node CPU %.2f %% of a core "
                        + "without them, %.2f %% with them (%+.2f %%)%n", watchers, (heapAfter - heapBefore) / 1024.0,
                (heapAfter - heapBefore) / (double) watchers, idleBefore, idleAfter, idleAfter - idleBefore);

        List<long[]> writes = new ArrayList<>();
        for (int i = 1; i <= changes; i++) {
            long revision = put(node, "bench:\n  value: " + i + "\n");
            writes.add(new long[] {revision, System.nanoTime()});
            Thread.sleep(300);
        }
        Thread.sleep(3000);
        List<Long> fromAck = new ArrayList<>();
        long missing = 0;
        for (long[] write : writes) {
            ConcurrentLinkedQueue<Long> seen = arrivals.getOrDefault(write[0], new ConcurrentLinkedQueue<>());
            missing += watchers - seen.size();
            seen.forEach(at -> fromAck.add(Math.max(0, at - write[1])));
        }
        Collections.sort(fromAck);
        System.out.printf("%d streams x %d changes: %d messages, %d missing; from the write's "
                + "acknowledgement p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", watchers, changes, fromAck.size(), missing,
                LeaseWatch.ms(fromAck, 0.5), LeaseWatch.ms(fromAck, 0.99),
                fromAck.isEmpty() ? 0 : fromAck.get(fromAck.size() - 1) / 1e6);
        System.exit(0);
    }

    /** The node's heap in use after a full collection, in KB (the generations' "used", Metaspace left out). */
    static long liveHeapKb(String jcmd, long pid) throws Exception {
        run(jcmd, Long.toString(pid), "GC.run");
        long used = 0;
        for (String line : run(jcmd, Long.toString(pid), "GC.heap_info").split("\n")) {
            Matcher matcher = USED.matcher(line);
            if (!line.contains("Metaspace") && !line.contains("class space") && matcher.find()) {
                used += Long.parseLong(matcher.group(1));
            }
        }
        return used;
    }

    /** The node's CPU over {@code seconds}, as a percentage of one core. */
    static double corePercent(long pid, int seconds) throws Exception {
        long before = LeaseWatch.cpuTicks(pid);
        Thread.sleep(seconds * 1000L);
        return (LeaseWatch.cpuTicks(pid) - before) * 100.0 / (100.0 * seconds); // 100 ticks per second
    }

    static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        process.waitFor();
        return out;
    }

    static long put(String node, String yaml) {
        HttpResponse<String> response = LeaseWatch.sendRaw(LeaseWatch.authorized(URI.create(node + "/v1/kv/" + DOCUMENT))
                .header("Content-Type", "application/yaml").PUT(HttpRequest.BodyPublishers.ofString(yaml)).build());
        return Long.parseLong(response.headers().firstValue("X-Muster-Revision").orElseThrow());
    }
}
