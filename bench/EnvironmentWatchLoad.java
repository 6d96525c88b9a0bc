import io.muster.spring.client.EventStream;
import io.muster.spring.client.MusterHttpClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cost of idle environment watches on one node, and how fast a change reaches them (the C3 targets:
 * 1,000 applications' idle watches at most 64 MB of heap and 5 % of a core; a publish reaches all of them
 * within p99 1 s). The clients are the starter's own: each stream is opened and read by
 * {@code io.muster.spring.client.MusterHttpClient#stream} / {@code EventStream}, with the starter's 15 s
 * idle timeout, exactly as {@code MusterConfigWatch} opens it.
 *
 * java -cp STARTER_JAR:ITS_CLASSPATH bench/EnvironmentWatchLoad.java (Java 22 or newer: it uses
 *   bench/LeaseWatch.java beside it) WATCHERS CHANGES IDLE_SECONDS PID JCMD NODE_URL
 *   Application i (of WATCHERS) has its own document config/app-i/default and watches
 *   /v1/config/app-i/environment/watch?profiles=default&version=<its version>, whose environment also
 *   includes config/application/default: a write to that shared document changes every application's
 *   version. CLIENTS (default WATCHERS: one MusterHttpClient an application, as in production) may be
 *   fewer, the streams then shared round-robin among them (each stream is its own connection either way).
 *   heap: live heap after a full GC (jcmd GC.run, then GC.heap_info) before and after opening the
 *   streams; CPU: the node's utime + stime over IDLE_SECONDS without streams, then with them; then
 *   CHANGES writes to config/application/default, 300 ms apart, and the time from each write's
 *   acknowledgement to each stream's environment message of that revision (its SSE id). MODE=watch opens
 *   plain /v1/watch?key=config/application/default streams instead (their change message), to compare.
 */
public class EnvironmentWatchLoad {

    private static final Pattern USED = Pattern.compile("used (\\d+)K");
    private static final Pattern VERSION = Pattern.compile("\"version\":\"([0-9a-f]+)\"");
    private static final String SHARED = "config/application/default";
    /** The starter's own idle timeout (MusterConfigWatch): a stream silent this long is broken. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(15);
    /** MODE=watch: plain /v1/watch streams of the shared document instead, to compare with. */
    private static final boolean PLAIN_WATCH = "watch".equals(System.getenv("MODE"));

    public static void main(String[] args) throws Exception {
        int watchers = Integer.parseInt(args[0]);
        int changes = Integer.parseInt(args[1]);
        int idleSeconds = Integer.parseInt(args[2]);
        long pid = Long.parseLong(args[3]);
        String jcmd = args[4];
        String node = args[5];
        int clientCount = Integer.parseInt(System.getenv().getOrDefault("CLIENTS", Integer.toString(watchers)));

        put(node, SHARED, "shared:\n  value: 0\n");
        List<String> paths = applications(node, watchers);

        long heapBefore = liveHeapKb(jcmd, pid);
        heapDump(jcmd, pid, "before");
        double idleBefore = corePercent(pid, idleSeconds);
        List<MusterHttpClient> clients = new ArrayList<>();
        for (int i = 0; i < clientCount; i++) {
            clients.add(new MusterHttpClient(List.of(URI.create(node)), System.getenv("MUSTER_TOKEN"),
                    Duration.ofSeconds(5), Duration.ofSeconds(30)));
        }
        Arrivals arrivals = new Arrivals(PLAIN_WATCH ? "change" : "environment");
        long openStart = System.nanoTime();
        List<EventStream> streams = open(clients, paths, arrivals);
        System.out.printf("opened %d streams with %d starter clients in %.1f s%n", streams.size(), clients.size(),
                (System.nanoTime() - openStart) / 1e9);
        Thread.sleep(2000);
        long heapAfter = liveHeapKb(jcmd, pid);
        heapDump(jcmd, pid, "after");
        if (System.getenv("HISTOGRAM") != null) {
            Files.writeString(Path.of(System.getenv("HISTOGRAM")), run(jcmd, Long.toString(pid), "GC.class_histogram"));
        }
        double idleAfter = corePercent(pid, idleSeconds);
        System.out.printf("%d idle " + (PLAIN_WATCH ? "/v1/watch" : "environment") + " streams: live heap %+.1f MB "
                        + "(%.1f KB each); node CPU %.2f %% of a core without them, %.2f %% with them (%+.2f %%); "
                        + "streams broken meanwhile: %d%n", watchers, (heapAfter - heapBefore) / 1024.0,
                (heapAfter - heapBefore) / (double) watchers, idleBefore, idleAfter, idleAfter - idleBefore,
                arrivals.broken.get());

        List<long[]> writes = new ArrayList<>();
        for (int i = 1; i <= changes; i++) {
            long revision = put(node, SHARED, "shared:\n  value: " + i + "\n");
            writes.add(new long[] {revision, System.nanoTime()});
            Thread.sleep(300);
        }
        Thread.sleep(3000);
        List<Long> fromAck = new ArrayList<>();
        long missing = 0;
        for (long[] write : writes) {
            ConcurrentLinkedQueue<Long> seen = arrivals.byRevision.getOrDefault(write[0], new ConcurrentLinkedQueue<>());
            missing += watchers - seen.size();
            seen.forEach(at -> fromAck.add(Math.max(0, at - write[1])));
        }
        Collections.sort(fromAck);
        System.out.printf("%d streams x %d changes of %s: %d messages delivered, %d missing; from the write's "
                + "acknowledgement p50 %.1f ms, p99 %.1f ms, max %.1f ms; streams broken in all: %d%n", watchers,
                changes, SHARED, fromAck.size(), missing, LeaseWatch.ms(fromAck, 0.5), LeaseWatch.ms(fromAck, 0.99),
                fromAck.isEmpty() ? 0 : fromAck.get(fromAck.size() - 1) / 1e6, arrivals.broken.get());
        System.exit(0);
    }

    /**
     * Writes each application's own document and returns the path its watch opens, with the version it
     * has loaded (the native environment's), as the starter's watch sends it.
     */
    static List<String> applications(String node, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<String>> paths = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String app = "app-" + i;
            paths.add(pool.submit(() -> {
                if (PLAIN_WATCH) {
                    return "/v1/watch?key=" + SHARED;
                }
                put(node, "config/" + app + "/default", app.replace('-', '_') + ":\n  value: 0\n");
                String environment = LeaseWatch.send(LeaseWatch.authorized(URI.create(node + "/v1/config/" + app
                        + "/environment?profiles=default")).build());
                Matcher version = VERSION.matcher(environment);
                if (!version.find()) {
                    throw new IllegalStateException("no version for " + app + ": " + environment);
                }
                return "/v1/config/" + app + "/environment/watch?profiles=default&version=" + version.group(1);
            }));
        }
        List<String> result = new ArrayList<>();
        for (Future<String> path : paths) {
            result.add(path.get());
        }
        pool.shutdown();
        return result;
    }

    /** Opens one stream a path, on the clients in turn, 16 at a time (an application's start opens one). */
    static List<EventStream> open(List<MusterHttpClient> clients, List<String> paths, Arrivals arrivals)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<EventStream>> opened = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            MusterHttpClient client = clients.get(i % clients.size());
            String path = paths.get(i);
            opened.add(pool.submit(() -> client.stream(path, Map.of(), IDLE_TIMEOUT, arrivals)));
        }
        List<EventStream> streams = new ArrayList<>();
        for (Future<EventStream> stream : opened) {
            streams.add(stream.get());
        }
        pool.shutdown();
        return streams;
    }

    /** When each stream heard each revision's message, by revision (the message's SSE id); and broken streams. */
    static final class Arrivals implements EventStream.Listener {
        final String event;
        final ConcurrentHashMap<Long, ConcurrentLinkedQueue<Long>> byRevision = new ConcurrentHashMap<>();
        final AtomicInteger broken = new AtomicInteger();

        Arrivals(String event) {
            this.event = event;
        }

        @Override
        public void event(EventStream stream, String name, String id, String data) {
            if (event.equals(name) && id != null) {
                long at = System.nanoTime();
                byRevision.computeIfAbsent(Long.parseLong(id), any -> new ConcurrentLinkedQueue<>()).add(at);
            }
        }

        @Override
        public void closed(EventStream stream, Throwable failure) {
            broken.incrementAndGet();
            System.err.println("stream closed: " + failure);
        }
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

    /** HEAPDUMP=prefix: the node's live objects to prefix-before.hprof / prefix-after.hprof. */
    static void heapDump(String jcmd, long pid, String when) throws Exception {
        if (System.getenv("HEAPDUMP") != null) {
            run(jcmd, Long.toString(pid), "GC.heap_dump", System.getenv("HEAPDUMP") + "-" + when + ".hprof");
        }
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

    static long put(String node, String key, String yaml) {
        HttpResponse<String> response = LeaseWatch.sendRaw(LeaseWatch.authorized(URI.create(node + "/v1/kv/" + key))
                .header("Content-Type", "application/yaml").PUT(HttpRequest.BodyPublishers.ofString(yaml)).build());
        if (response == null || response.statusCode() >= 300) {
            throw new IllegalStateException("PUT " + key + ": " + (response == null ? "no answer" : response.body()));
        }
        return Long.parseLong(response.headers().firstValue("X-Muster-Revision").orElseThrow());
    }
}
