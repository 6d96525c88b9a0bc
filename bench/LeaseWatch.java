import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lease and watch figures against a running cluster.
 *
 * <pre>
 * java bench/LeaseWatch.java keepalive LEASES PERIOD_S SECONDS THREADS LEADER_PID node-url...
 *   grants LEASES leases (TTL 300 s, so that none runs out while the others are still being granted, nor
 *   during the phases after this one), then keeps each alive every PERIOD_S seconds for SECONDS,
 *   spread over the nodes; prints keep-alive latency, the leader's CPU and the commit-index growth
 * java bench/LeaseWatch.java heartbeat INSTANCES PERIOD_S SECONDS THREADS LEADER_PID node-url...
 *   registers INSTANCES instances of service "fleet" (TTL 300 s, for the same reason), then heart-beats each every PERIOD_S
 *   seconds for SECONDS through the nodes in turn; prints what keepalive prints
 * java bench/LeaseWatch.java register SERVICE COUNT node-url...
 *   registers COUNT instances of SERVICE (TTL 600 s) spread over three zones, two tags and five
 *   metadata versions, through the nodes in turn
 * java bench/LeaseWatch.java watch WATCHERS EVENTS watch-node-url write-node-url
 *   opens WATCHERS SSE streams on one node, writes EVENTS keys 100 ms apart through another, and
 *   prints the time from each write being sent to each watcher receiving it
 * </pre>
 */
public class LeaseWatch {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newFixedThreadPool(8)).build();
    static final Pattern ID = Pattern.compile("\"id\":(\\d+)");
    static final Pattern COMMIT = Pattern.compile("\"commitIndex\":(\\d+)");

    public static void main(String[] args) throws Exception {
        if (args[0].equals("heartbeat")) {
            heartbeat(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Long.parseLong(args[5]), List.of(args).subList(6, args.length));
        } else if (args[0].equals("register")) {
            register(args[1], Integer.parseInt(args[2]), List.of(args).subList(3, args.length), 600);
        } else if (args[0].equals("register-services")) {
            // register-services SERVICES PER_SERVICE TTL_SECONDS NODES...: services svc-0.. with instances each
            int services = Integer.parseInt(args[1]);
            for (int service = 0; service < services; service++) {
                register("svc-" + service, Integer.parseInt(args[2]), List.of(args).subList(4, args.length),
                        Integer.parseInt(args[3]));
            }
        } else if (args[0].equals("keepalive")) {
            keepAlive(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Long.parseLong(args[5]), List.of(args).subList(6, args.length));
        } else {
            watch(Integer.parseInt(args[1]), Integer.parseInt(args[2]), args[3], args[4]);
        }
        System.exit(0);
    }

    static void keepAlive(int leases, int periodSeconds, int seconds, int threads, long leaderPid, List<String> nodes)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long[] ids = new long[leases];
        CountDownLatch granted = new CountDownLatch(leases);
        for (int i = 0; i < leases; i++) {
            int index = i;
            pool.execute(() -> {
                String body = send(post(nodes.get(index % nodes.size()) + "/v1/leases",
                        "{\"ttlSeconds\":300}"));
                Matcher id = ID.matcher(body);
                ids[index] = id.find() ? Long.parseLong(id.group(1)) : -1;
                granted.countDown();
            });
        }
        granted.await();
        beat(leases, periodSeconds, seconds, threads, leaderPid, nodes, pool,
                i -> nodes.get(i % nodes.size()) + "/v1/leases/" + ids[i] + "/keepalive");
    }

    static void heartbeat(int instances, int periodSeconds, int seconds, int threads, long leaderPid, List<String> nodes)
            throws Exception {
        register("fleet", instances, nodes, 300);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        beat(instances, periodSeconds, seconds, threads, leaderPid, nodes, pool,
                i -> nodes.get(i % nodes.size()) + "/v1/services/fleet/instances/i-" + i + "/heartbeat");
    }

    /** POSTs to each of {@code count} URLs once per period for {@code seconds}, and prints the figures. */
    static void beat(int leases, int periodSeconds, int seconds, int threads, long leaderPid, List<String> nodes,
            ExecutorService pool, java.util.function.IntFunction<String> url) throws Exception {
        Thread.sleep(2000); // let every node learn the last grant's commit before measuring
        long commitBefore = commitIndex(nodes);
        long cpuBefore = cpuTicks(leaderPid);
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong failures = new AtomicLong();
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(seconds).toNanos();
        long spacing = Duration.ofSeconds(periodSeconds).toNanos() / leases;
        CountDownLatch finished = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            pool.execute(() -> {
                // Thread t owns leases t, t+threads, ...: each is beaten once per period, at its own offset.
                for (long round = 0; ; round++) {
                    for (int i = thread; i < leases; i += threads) {
                        long due = start + round * Duration.ofSeconds(periodSeconds).toNanos() + i * spacing;
                        if (due > end) {
                            finished.countDown();
                            return;
                        }
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            try {
                                TimeUnit.NANOSECONDS.sleep(wait);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                        long sent = System.nanoTime();
                        HttpResponse<String> answer = sendRaw(post(url.apply(i), ""));
                        latencies.add(System.nanoTime() - sent);
                        if (answer == null || answer.statusCode() != 200) {
                            failures.incrementAndGet();
                        }
                    }
                }
            });
        }
        finished.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        long cpu = cpuTicks(leaderPid) - cpuBefore;
        Thread.sleep(2000);
        long commitAfter = commitIndex(nodes);
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        pool.shutdown();
        System.out.printf("keep-alives: %d in %.1f s (%.0f/s), %d failed; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                sorted.size(), elapsed, sorted.size() / elapsed, failures.get(), ms(sorted, 0.50), ms(sorted, 0.99),
                sorted.get(sorted.size() - 1) / 1e6);
        System.out.printf("leader CPU: %.0f %% of one core; commit index grew by %d during the keep-alives%n",
                100.0 * cpu / 100.0 / elapsed, commitAfter - commitBefore);
    }

    static void register(String service, int count, List<String> nodes, int ttlSeconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        AtomicLong failed = new AtomicLong();
        CountDownLatch done = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            int index = i;
            pool.execute(() -> {
                String body = "{\"address\":\"10.3." + index / 250 + "." + index % 250 + "\",\"port\":8080,\"zone\":\"z"
                        + index % 3 + "\",\"tags\":[\"" + (index % 2 == 0 ? "v1" : "v2") + "\"],\"metadata\":{\"version\":\"2."
                        + index % 5 + "\"},\"ttlSeconds\":" + ttlSeconds + "}";
                HttpResponse<String> answer = sendRaw(authorized(URI.create(nodes.get(index % nodes.size())
                        + "/v1/services/" + service + "/instances/i-" + index)).header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
                if (answer == null || answer.statusCode() != 201) {
                    failed.incrementAndGet();
                }
                done.countDown();
            });
        }
        done.await();
        pool.shutdown();
        System.out.printf("registered %d instances of %s, %d failed%n", count - failed.get(), service, failed.get());
    }

    static void watch(int watchers, int events, String watchNode, String writeNode) throws Exception {
        ConcurrentHashMap<Long, ConcurrentLinkedQueue<Long>> arrivals = openStreams(watchers,
                watchNode + "/v1/watch?prefix=fan/", "change");
        List<long[]> writes = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            long sent = System.nanoTime();
            HttpResponse<String> put = sendRaw(authorized(URI.create(writeNode + "/v1/kv/fan/" + i))
                    .PUT(HttpRequest.BodyPublishers.ofString("v" + i)).build());
            long acked = System.nanoTime();
            writes.add(new long[] {Long.parseLong(put.headers().firstValue("X-Muster-Revision").orElseThrow()), sent, acked});
            Thread.sleep(100);
        }
        Thread.sleep(2000);
        List<Long> fromSent = new ArrayList<>();
        List<Long> fromAck = new ArrayList<>();
        long missing = 0;
        for (long[] write : writes) {
            ConcurrentLinkedQueue<Long> seen = arrivals.getOrDefault(write[0], new ConcurrentLinkedQueue<>());
            missing += watchers - seen.size();
            for (long at : seen) {
                fromSent.add(at - write[1]);
                fromAck.add(Math.max(0, at - write[2]));
            }
        }
        Collections.sort(fromSent);
        Collections.sort(fromAck);
        System.out.printf("%d watchers x %d events: %d deliveries, %d missing%n", watchers, events, fromSent.size(), missing);
        System.out.printf("from write sent:  p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", ms(fromSent, 0.5), ms(fromSent, 0.99),
                fromSent.get(fromSent.size() - 1) / 1e6);
        System.out.printf("from write acked: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", ms(fromAck, 0.5), ms(fromAck, 0.99),
                fromAck.get(fromAck.size() - 1) / 1e6);
    }

    /**
     * Opens {@code watchers} SSE streams of {@code url} and returns, by SSE id, when each {@code event}
     * message arrived on each stream; returns once every stream sent its first id (or after 60 s, saying so).
     * Also used by bench/EnvironmentWatchLoad.java.
     */
    static ConcurrentHashMap<Long, ConcurrentLinkedQueue<Long>> openStreams(int watchers, String url, String event)
            throws InterruptedException {
        ConcurrentHashMap<Long, ConcurrentLinkedQueue<Long>> arrivals = new ConcurrentHashMap<>();
        CountDownLatch open = new CountDownLatch(watchers);
        for (int w = 0; w < watchers; w++) {
            HttpRequest request = authorized(URI.create(url)).header("Accept", "text/event-stream").build();
            HTTP.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(new Flow.Subscriber<String>() {
                boolean opened;
                long pendingId = -1;

                public void onSubscribe(Flow.Subscription subscription) {
                    subscription.request(Long.MAX_VALUE);
                }

                public void onNext(String line) {
                    long now = System.nanoTime();
                    if (line.startsWith("id:")) {
                        pendingId = Long.parseLong(line.substring(3).strip());
                        if (!opened) {
                            opened = true;
                            open.countDown();
                        }
                    } else if (line.equals("event:" + event) && pendingId > 0) {
                        arrivals.computeIfAbsent(pendingId, r -> new ConcurrentLinkedQueue<>()).add(now);
                    }
                }

                public void onError(Throwable throwable) {
                }

                public void onComplete() {
                }
            }));
        }
        if (!open.await(60, TimeUnit.SECONDS)) {
            System.out.println("only " + (watchers - open.getCount()) + " of " + watchers + " watches opened");
        }
        return arrivals;
    }

    static double ms(List<Long> sorted, double quantile) {
        return sorted.get(Math.min(sorted.size() - 1, (int) (quantile * sorted.size()))) / 1e6;
    }

    static HttpRequest post(String url, String json) {
        return authorized(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).timeout(Duration.ofSeconds(10)).build();
    }

    static String send(HttpRequest request) {
        HttpResponse<String> response = sendRaw(request);
        return response == null ? "" : response.body();
    }

    static HttpResponse<String> sendRaw(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            return null;
        }
    }

    /** The highest commit index any of the nodes reports. */
    static long commitIndex(List<String> nodes) {
        long highest = -1;
        for (String node : nodes) {
            Matcher commit = COMMIT.matcher(send(authorized(URI.create(node + "/v1/cluster")).build()));
            highest = Math.max(highest, commit.find() ? Long.parseLong(commit.group(1)) : -1);
        }
        return highest;
    }

    /** utime + stime of a process, in clock ticks (100 per second on Linux). */
    static long cpuTicks(long pid) throws Exception {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** A request carrying the cluster's token from MUSTER_TOKEN (bench/lib.sh sets it), when there is one. */
    static HttpRequest.Builder authorized(URI uri) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
        String token = System.getenv("MUSTER_TOKEN");
        return token == null || token.isEmpty() ? builder : builder.header("Authorization", "Bearer " + token);
    }
}
