import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures write unavailability: THREADS clients write one key each, again and again, for SECONDS,
 * to the nodes given (round robin; a failed or refused write moves to the next node at once). It
 * prints the longest time no write succeeded anywhere, when that gap began (seconds after start),
 * and the counts.
 *
 * <pre>java bench/WriteGap.java SECONDS THREADS http://127.0.0.1:9081 http://127.0.0.1:9082 ...</pre>
 */
public class WriteGap {

    public static void main(String[] args) throws Exception {
        long seconds = Long.parseLong(args[0]);
        int threads = Integer.parseInt(args[1]);
        List<String> nodes = List.of(args).subList(2, args.length);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        ConcurrentLinkedQueue<Long> successes = new ConcurrentLinkedQueue<>();
        AtomicLong failures = new AtomicLong();
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(seconds).toNanos();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread writer = new Thread(() -> {
                int next = id;
                while (System.nanoTime() < end) {
                    String node = nodes.get(next++ % nodes.size());
                    HttpRequest put = authorized(URI.create(node + "/v1/kv/bench/gap/" + id))
                            .timeout(Duration.ofSeconds(15)).header("Content-Type", "text/plain")
                            .PUT(HttpRequest.BodyPublishers.ofString("v")).build();
                    try {
                        int status = http.send(put, HttpResponse.BodyHandlers.discarding()).statusCode();
                        if (status / 100 == 2) {
                            successes.add(System.nanoTime());
                            next--; // stay on a node that works
                            continue;
                        }
                    } catch (Exception e) {
                        // refused or timed out: the next node
                    }
                    failures.incrementAndGet();
                }
            });
            writer.start();
            writers.add(writer);
        }
        for (Thread writer : writers) {
            writer.join();
        }
        List<Long> times = new ArrayList<>(successes);
        Collections.sort(times);
        int acknowledged = times.size();
        times.add(Math.min(System.nanoTime(), end)); // a gap that lasts to the end counts too
        long gap = 0;
        long gapStart = 0;
        long previous = start;
        for (long time : times) {
            if (time - previous > gap) {
                gap = time - previous;
                gapStart = previous;
            }
            previous = time;
        }
        System.out.printf("longest_gap_ms=%d gap_began_at_s=%.2f writes_ok=%d writes_failed=%d%n",
                gap / 1_000_000, (gapStart - start) / 1e9, acknowledged, failures.get());
    }

    /** A request carrying the cluster's token from MUSTER_TOKEN (bench/lib.sh sets it), when there is one. */
    static HttpRequest.Builder authorized(URI uri) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
        String token = System.getenv("MUSTER_TOKEN");
        return token == null || token.isEmpty() ? builder : builder.header("Authorization", "Bearer " + token);
    }
}
