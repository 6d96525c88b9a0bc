import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes COUNT entries of 100 bytes (keys load/entry-0..) through one node, as transactions of 100
 * puts from WORKERS concurrent clients on kept-alive connections; exits non-zero if any failed.
 *
 *   java bench/LoadEntries.java URL COUNT [WORKERS]     (the token in $MUSTER_TOKEN)
 */
public class LoadEntries {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int count = Integer.parseInt(args[1]);
        int workers = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        String token = System.getenv("MUSTER_TOKEN");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        AtomicInteger next = new AtomicInteger();
        AtomicLong failed = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        for (int w = 0; w < workers; w++) {
            pool.execute(() -> {
                for (int start = next.getAndAdd(100); start < count; start = next.getAndAdd(100)) {
                    StringBuilder body = new StringBuilder("{\"then\":[");
                    for (int i = start; i < Math.min(count, start + 100); i++) {
                        body.append(i > start ? "," : "").append("{\"op\":\"put\",\"key\":\"load/entry-").append(i)
                                .append("\",\"value\":\"").append(String.format("%0100d", i)).append("\"}");
                    }
                    HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v1/txn"))
                            .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                            .header("Authorization", "Bearer " + token)
                            .POST(HttpRequest.BodyPublishers.ofString(body.append("]}").toString())).build();
                    // A transaction of puts may be sent again: applying it twice leaves the same values.
                    String outcome = null;
                    for (int attempt = 0; attempt < 3; attempt++) {
                        try {
                            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                            outcome = response.statusCode() == 200 ? null : response.statusCode() + " " + response.body();
                        } catch (Exception e) {
                            outcome = e.toString();
                        }
                        if (outcome == null) {
                            break;
                        }
                    }
                    if (outcome != null) {
                        failed.incrementAndGet();
                        System.err.println("transaction at " + start + " failed three times, last: " + outcome);
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.HOURS);
        if (failed.get() > 0) {
            System.err.println(failed.get() + " transactions of 100 puts failed");
            System.exit(1);
        }
    }
}
