package dev.fanout.leaderboard.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;

/**
 * Submits games to {@code POST /submit-game} from a few threads, paced to a total rate (or as
 * fast as they go), with ids {@code <runId>-<n>}, and records which ids were acknowledged.
 *
 * <p>Submit-to-stream latency: the store's version counts applied games, and this process is the
 * only writer, so after the k-th "applied" acknowledgement the version {@code base + k} exists.
 * The time from sending that game to the first event of the probe stream with a version at least
 * {@code base + k} is recorded. With several submitters in flight the k-th acknowledgement may
 * belong to a game applied just before or after, so a figure can be off by the time between two
 * concurrent games: well under one snapshot interval.
 *
 * <p>Thread-safe: the submitter threads, the probe's selector thread and the controller share only
 * concurrent structures and atomics.
 */
final class Submitter implements StreamClients.Probe {

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http;
    private final URI submit;
    private final URI board;
    private final double rate;
    private final int threads;
    private final int players;
    private final String runId;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong appliedAcks = new AtomicLong();
    private final ConcurrentHashMap<Long, Long> sentAtByVersion = new ConcurrentHashMap<>();
    private volatile long probeVersion = Long.MIN_VALUE;
    private volatile boolean stop;
    private long baseVersion;
    private long startNanos;

    final ConcurrentLinkedQueue<Long> sentIds = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Long> acked = new ConcurrentLinkedQueue<>();
    final LongAdder sent = new LongAdder();
    final LongAdder applied = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    final Recorder ackLatency = new Recorder(StreamClients.HIGHEST_MICROS, 3);
    final Recorder submitToStream = new Recorder(StreamClients.HIGHEST_MICROS, 3);

    /**
     * @param base    the instance to submit to, e.g. {@code http://127.0.0.1:8080}
     * @param rate    games per second in total, or 0 for as fast as the threads go
     * @param threads submitting threads (each has one request in flight)
     * @param players distinct player ids to draw from
     * @param runId   prefix of every game id
     */
    Submitter(URI base, double rate, int threads, int players, String runId) {
        Loopback.target(base);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        this.submit = base.resolve("/submit-game");
        this.board = base.resolve("/leaderboard?limit=1");
        this.rate = rate;
        this.threads = threads;
        this.players = players;
        this.runId = runId;
    }

    /** @return the store's version now, read from {@code GET /leaderboard} */
    long version() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(board).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + board + ": " + r.statusCode() + " " + r.body());
        }
        return json.readTree(r.body()).path("version").asLong();
    }

    /** Reads the base version (retrying for up to 30 s: the instance may be swamped), then starts the threads. */
    void start() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                baseVersion = version();
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(500);
            }
        }
        startNanos = System.nanoTime();
        for (int i = 0; i < threads; i++) {
            Thread t = Thread.ofPlatform().name("load-submit-" + i).daemon().start(this::run);
            workers.add(t);
        }
    }

    /** Stops submitting and waits for the requests in flight. */
    void stop() throws InterruptedException {
        stop = true;
        for (Thread t : workers) {
            t.join(TimeUnit.SECONDS.toMillis(15));
        }
    }

    /** @return the id of game {@code n} */
    String id(long n) {
        return runId + "-" + n;
    }

    private void run() {
        while (!stop) {
            long n = seq.getAndIncrement();
            if (rate > 0) {
                long due = startNanos + (long) (n * 1e9 / rate);
                long wait;
                while (!stop && (wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                if (stop) {
                    return; // n was not sent
                }
            }
            send(n);
        }
    }

    private void send(long n) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int a = r.nextInt(players);
        int b = r.nextInt(players - 1);
        if (b >= a) {
            b++;
        }
        Map<String, Object> game = new LinkedHashMap<>();
        game.put("game_id", id(n));
        game.put("server_id", "load");
        game.put("player1_id", "p" + a);
        game.put("player2_id", "p" + b);
        game.put("result", r.nextInt(3));
        long t0 = System.nanoTime();
        sent.increment();
        sentIds.add(n);
        try {
            HttpRequest req = HttpRequest.newBuilder(submit).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(game))).build();
            HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
            long now = System.nanoTime();
            if (res.statusCode() != 200) {
                error("http " + res.statusCode());
                return;
            }
            ackLatency.recordValue(Math.min(StreamClients.HIGHEST_MICROS, (now - t0) / 1000));
            acked.add(n);
            JsonNode body = json.readTree(res.body());
            if (body.path("duplicate").asBoolean()) {
                duplicates.increment();
                return;
            }
            applied.increment();
            long v = baseVersion + appliedAcks.incrementAndGet();
            if (v <= probeVersion) {
                // the stream was ahead of the acknowledgement
                submitToStream.recordValue(Math.min(StreamClients.HIGHEST_MICROS, (now - t0) / 1000));
            } else {
                sentAtByVersion.put(v, t0);
                if (v <= probeVersion && sentAtByVersion.remove(v) != null) {
                    submitToStream.recordValue(Math.min(StreamClients.HIGHEST_MICROS, (System.nanoTime() - t0) / 1000));
                }
            }
        } catch (IOException e) {
            error(e.getClass().getSimpleName());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // the instance is down: do not spin
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void error(String why) {
        errors.computeIfAbsent(why, k -> new LongAdder()).increment();
    }

    @Override
    public void onVersion(long version, long nowNanos) {
        long prev = probeVersion;
        if (version <= prev) {
            return;
        }
        probeVersion = version;
        if (sentAtByVersion.isEmpty()) {
            return;
        }
        long from = prev == Long.MIN_VALUE ? baseVersion : prev;
        for (long v = from + 1; v <= version; v++) {
            Long t0 = sentAtByVersion.remove(v);
            if (t0 != null) {
                submitToStream.recordValue(Math.min(StreamClients.HIGHEST_MICROS, Math.max(0, (nowNanos - t0) / 1000)));
            }
        }
    }
}
