import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Configuration releases measured from a client (issue 22), on kept-alive HTTP/1.1 connections with the
 * token in $MUSTER_TOKEN.
 *
 * <p>{@code writes}: one request at a time through the leader, COUNT rounds (or SECONDS, whichever ends
 * first) after WARMUP rounds that are not counted. A round drafts a release of the 32 documents
 * config/bench-app/p00..p31 (20 properties each, new values every round), then times three writes of
 * them: publishing that release, a PUT of one such document, and a transaction of 32 puts of all of
 * them (the nearest equivalent of a publish). Each write is timed from sending the request to its
 * answer, and the leader's CPU time is read from /proc/PID/stat just before the request (after SETTLE_MS
 * of quiet) and again SETTLE_MS after the answer (so the work the write leaves behind, the H2 view's
 * projection say, counts too); the leader's idle CPU rate, measured before and after the rounds, is taken
 * off over those windows. The share of its JIT compiler threads (in that CPU time) is shown apart: a
 * cluster a few minutes old is still compiling. Around each window it reads the leader's timers (outside
 * the window): the server's own time for the request (Spring's http.server.requests), Raft's
 * (muster.raft.proposal: proposed to applied) and the apply's. Prints one line per kind of write; exits
 * non-zero if any request failed.
 *
 * <p>{@code gray}: drafts a release of config/bench-app/default (100 properties whose values start
 * {@code gray-}) and puts it in gray for callers labelled track=canary; prints the release's id.
 *
 * <pre>
 *   java bench/ReleaseLoad.java writes LEADER_URL LEADER_PID CLK_TCK COUNT SECONDS WARMUP SETTLE_MS
 *   java bench/ReleaseLoad.java gray LEADER_URL
 * </pre>
 */
public class ReleaseLoad {

    static final int DOCUMENTS = 32;
    static final int PROPERTIES = 20;
    static final Pattern RELEASE_ID = Pattern.compile("\"release\"\\s*:\\s*\\{\\s*\"id\"\\s*:\\s*(\\d+)");
    static final Pattern ID = Pattern.compile("^\\{\\s*\"id\"\\s*:\\s*(\\d+)");
    static final String TIMERS = "/actuator/prometheus?includedNames="
            + "http_server_requests_seconds,muster_raft_proposal_seconds,muster_raft_apply_seconds";
    /** The timers read, as {count, sum} pairs in this order. */
    static final String[] TIMER_NAMES = {"http_server_requests_seconds", "muster_raft_proposal_seconds",
        "muster_raft_apply_seconds"};

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final String TOKEN = System.getenv("MUSTER_TOKEN");

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "writes" -> new Writes(args[1], Long.parseLong(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Integer.parseInt(args[5]), Integer.parseInt(args[6]),
                    Integer.parseInt(args[7])).run();
            case "gray" -> System.out.println(gray(args[1]));
            default -> throw new IllegalArgumentException("writes or gray, not " + args[0]);
        }
    }

    /** The sequential writes and what each kind of write cost. */
    static final class Writes {

        final String url;
        final long pid;
        final int tick;
        final int count;
        final int seconds;
        final int warmup;
        final int settleMillis;
        final Map<String, Kind> kinds = new LinkedHashMap<>();
        int failures;

        Writes(String url, long pid, int tick, int count, int seconds, int warmup, int settleMillis) {
            this.url = url;
            this.pid = pid;
            this.tick = tick;
            this.count = count;
            this.seconds = seconds;
            this.warmup = warmup;
            this.settleMillis = settleMillis;
            for (String name : List.of("publish", "put", "txn", "draft")) {
                kinds.put(name, new Kind());
            }
        }

        void run() throws Exception {
            long warmupEnd = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            for (int round = 0; round < warmup && System.nanoTime() < warmupEnd; round++) {
                round(-1 - round, false);
            }
            double idleBefore = idleTicksPerSecond(5);
            long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            int rounds = 0;
            while (rounds < count && System.nanoTime() < end) {
                round(rounds++, true);
            }
            double idleAfter = idleTicksPerSecond(5);
            double idle = (idleBefore + idleAfter) / 2;
            long windows = 3L * Math.max(1, rounds);
            long windowNanos = kinds.values().stream().mapToLong(kind -> kind.windowNanos).sum();
            System.out.printf("%d rounds; leader idle %.1f %% / %.1f %% of a core before / after: %.2f ms taken "
                    + "off per window of %.0f ms%n", rounds, idleBefore / tick * 100, idleAfter / tick * 100,
                    idle / tick * 1000 * windowNanos / 1e9 / windows, windowNanos / 1e6 / windows);
            System.out.printf("%-40s %7s %7s %7s %7s | %9s %9s %9s | %7s %6s%n", "one at a time, through the leader",
                    "p50 ms", "p99 ms", "max ms", "mean ms", "server ms", "Raft ms", "apply ms", "CPU ms", "JIT");
            print("publish a release of 32 documents", kinds.get("publish"), idle);
            print("PUT one document (20 properties)", kinds.get("put"), idle);
            print("txn of 32 puts (the same documents)", kinds.get("txn"), idle);
            print("(draft the release, POST /v1/releases)", kinds.get("draft"), -1);
            if (failures > 0) {
                System.err.println(failures + " requests failed");
                System.exit(1);
            }
        }

        /** Drafts a release, then publishes it, puts one document and writes all 32 in a transaction. */
        void round(int round, boolean counted) throws Exception {
            long started = System.nanoTime();
            HttpResponse<String> drafted = send(post("/v1/releases", release(round)), 201);
            if (counted) {
                kinds.get("draft").latencies.add(System.nanoTime() - started);
            }
            Matcher id = RELEASE_ID.matcher(drafted == null ? "" : drafted.body());
            if (!id.find()) {
                return;
            }
            timed(counted ? kinds.get("publish") : null, post("/v1/releases/" + id.group(1) + "/publish", "{}"));
            timed(counted ? kinds.get("put") : null, authorized("/v1/kv/config/bench-app/p00")
                    .header("Content-Type", "application/yaml")
                    .PUT(HttpRequest.BodyPublishers.ofString(document(0, round))).build());
            timed(counted ? kinds.get("txn") : null, post("/v1/txn", transaction(round)));
        }

        /**
         * Sends one write; when KIND is not {@code null}, records its time, the leader's CPU over its
         * window and the leader's timers, otherwise (warm-up) just sends it.
         */
        void timed(Kind kind, HttpRequest request) throws Exception {
            if (kind == null) {
                send(request, 200);
                return;
            }
            double[] timersBefore = timers();
            pause();
            long ticksBefore = ticks();
            long jitBefore = compilerTicks();
            long started = System.nanoTime();
            send(request, 200);
            long answered = System.nanoTime();
            pause();
            long ticksAfter = ticks();
            long jitAfter = compilerTicks();
            long windowEnd = System.nanoTime();
            double[] timersAfter = timers();
            kind.latencies.add(answered - started);
            kind.ticks += ticksAfter - ticksBefore;
            kind.compilerTicks += jitAfter - jitBefore;
            kind.windowNanos += windowEnd - started;
            for (int i = 0; i < kind.timers.length; i++) {
                kind.timers[i] += timersAfter[i] - timersBefore[i];
            }
        }

        void print(String name, Kind kind, double idleTicksPerSecond) {
            List<Long> sorted = new ArrayList<>(kind.latencies);
            Collections.sort(sorted);
            int n = sorted.size();
            if (n == 0) {
                System.out.printf("%-40s none%n", name);
                return;
            }
            double mean = sorted.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6;
            String server = String.format("%9s %9s %9s | %7s %6s", "", "", "", "", "");
            if (idleTicksPerSecond >= 0) {
                double net = kind.ticks - idleTicksPerSecond * kind.windowNanos / 1e9;
                server = String.format("%9s %9s %9s | %7.2f %6.2f", each(kind, 0, n), each(kind, 1, n),
                        each(kind, 2, n), net / tick * 1000 / n, (double) kind.compilerTicks / tick * 1000 / n);
            }
            System.out.printf("%-40s %7.2f %7.2f %7.2f %7.2f | %s%n", name, rank(sorted, 0.50), rank(sorted, 0.99),
                    sorted.get(n - 1) / 1e6, mean, server);
        }

        /** Timer I's milliseconds per write, and how many it counted per write when that is not one. */
        static String each(Kind kind, int timer, int writes) {
            double count = kind.timers[2 * timer];
            double seconds = kind.timers[2 * timer + 1];
            if (count <= 0) {
                return "-";
            }
            String each = String.format("%.2f", seconds * 1000 / writes);
            return Math.round(count) == writes ? each : each + String.format(" (%.1f)", count / writes);
        }

        /** The leader's ticks per second over SECONDS without requests. */
        double idleTicksPerSecond(int seconds) throws Exception {
            long before = ticks();
            long started = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            return (ticks() - before) / ((System.nanoTime() - started) / 1e9);
        }

        long ticks() throws IOException {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime and stime, fields 14 and 15
        }

        /** The ticks of the leader's JIT compiler threads (counted in {@link #ticks()} too). */
        long compilerTicks() throws IOException {
            long ticks = 0;
            try (var threads = Files.list(Path.of("/proc/" + pid + "/task"))) {
                for (Path thread : (Iterable<Path>) threads::iterator) {
                    try {
                        if (Files.readString(thread.resolve("comm")).contains("CompilerThre")) {
                            String stat = Files.readString(thread.resolve("stat"));
                            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                        }
                    } catch (IOException e) {
                        // the thread ended meanwhile
                    }
                }
            }
            return ticks;
        }

        /** The leader's timers in TIMER_NAMES as {count, seconds} pairs; requests to /actuator are left out. */
        double[] timers() throws Exception {
            HttpResponse<String> response = send(authorized(TIMERS).GET().build(), 200);
            double[] values = new double[2 * TIMER_NAMES.length];
            for (String line : response == null ? new String[0] : response.body().split("\n")) {
                if (line.contains("uri=\"/actuator")) {
                    continue;
                }
                for (int i = 0; i < TIMER_NAMES.length; i++) {
                    int pair = line.startsWith(TIMER_NAMES[i] + "_count") ? 0
                            : line.startsWith(TIMER_NAMES[i] + "_sum") ? 1 : -1;
                    if (pair >= 0) {
                        values[2 * i + pair] += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                }
            }
            return values;
        }

        void pause() throws InterruptedException {
            Thread.sleep(settleMillis);
        }

        HttpRequest post(String path, String json) {
            return authorized(path).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        }

        HttpRequest.Builder authorized(String path) {
            return ReleaseLoad.authorized(url + path);
        }

        /** The answer, or {@code null} (counted, and the first few printed) when it is not STATUS. */
        HttpResponse<String> send(HttpRequest request, int status) throws Exception {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == status) {
                return response;
            }
            if (++failures <= 5) {
                System.err.println(request.method() + " " + request.uri() + ": " + response.statusCode() + " "
                        + response.body().substring(0, Math.min(400, response.body().length())));
            }
            return null;
        }
    }

    /** What one kind of write cost: its latencies, the leader's ticks over its windows, and its timers. */
    static final class Kind {
        final List<Long> latencies = new ArrayList<>();
        final double[] timers = new double[2 * TIMER_NAMES.length];
        long ticks;
        long compilerTicks;
        long windowNanos;
    }

    static double rank(List<Long> sorted, double quantile) {
        int index = (int) Math.ceil(quantile * sorted.size()) - 1;
        return sorted.get(Math.max(0, index)) / 1e6;
    }

    /** Document pNN of round ROUND: PROPERTIES properties whose values name both. */
    static String document(int number, int round) {
        StringBuilder yaml = new StringBuilder(String.format("bench:%n  p%02d:%n", number));
        for (int i = 1; i <= PROPERTIES; i++) {
            yaml.append(String.format("    key%02d: value-p%02d-round%07d-%02d%n", i, number, round + 1_000_000, i));
        }
        return yaml.toString();
    }

    static String release(int round) {
        StringBuilder json = new StringBuilder("{\"title\":\"bench round ").append(round).append("\",\"documents\":[");
        for (int d = 0; d < DOCUMENTS; d++) {
            json.append(d == 0 ? "" : ",").append(String.format("{\"app\":\"bench-app\",\"profile\":\"p%02d\","
                    + "\"contentType\":\"application/yaml\",\"content\":%s}", d, quoted(document(d, round))));
        }
        return json.append("]}").toString();
    }

    /** All 32 documents in one transaction, with values neither a release nor a PUT of any round has. */
    static String transaction(int round) {
        StringBuilder json = new StringBuilder("{\"then\":[");
        for (int d = 0; d < DOCUMENTS; d++) {
            json.append(d == 0 ? "" : ",").append(String.format("{\"op\":\"put\",\"key\":\"config/bench-app/p%02d\","
                    + "\"contentType\":\"application/yaml\",\"value\":%s}", d, quoted(document(d, round + 5_000_000))));
        }
        return json.append("]}").toString();
    }

    /** Drafts config/bench-app/default in gray for track=canary; its id. */
    static long gray(String url) throws Exception {
        StringBuilder yaml = new StringBuilder("bench:\n");
        for (int i = 1; i <= 100; i++) {
            yaml.append(String.format("  key%03d: gray-bench-%03d%n", i, i));
        }
        String draft = "{\"title\":\"gray bench\",\"documents\":[{\"app\":\"bench-app\",\"profile\":\"default\","
                + "\"contentType\":\"application/yaml\",\"content\":" + quoted(yaml.toString()) + "}]}";
        String created = expect(authorized(url + "/v1/releases").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(draft)).build(), 201);
        Matcher id = RELEASE_ID.matcher(created);
        if (!id.find()) {
            throw new IllegalStateException("no release id in " + created);
        }
        String rule = "{\"rule\":{\"labels\":{\"track\":\"canary\"}}}";
        String grayed = expect(authorized(url + "/v1/releases/" + id.group(1) + "/gray")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(rule)).build(), 200);
        if (!ID.matcher(grayed).find()) {
            throw new IllegalStateException("unexpected answer to gray: " + grayed);
        }
        return Long.parseLong(id.group(1));
    }

    static String expect(HttpRequest request, int status) throws Exception {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != status) {
            throw new IllegalStateException(request.uri() + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    static HttpRequest.Builder authorized(String uri) {
        return HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN);
    }

    /** TEXT as a JSON string (the documents hold no quotes, backslashes or control characters but newlines). */
    static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
