package dev.fanout.leaderboard.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code load run}: opens stream connections at a ramp rate, optionally submits games, holds for a
 * duration, then checks that every client reached the final snapshot and prints a summary.
 *
 * <p>Phases: ramp ({@code --connections} at {@code --ramp}/s, submissions already running), hold
 * ({@code --duration} seconds; latency from {@code --warmup} seconds after the ramp on is the
 * "steady" histogram; stalled clients stop reading {@code --stall-after} seconds after the ramp),
 * stop submitting, settle (read each target's final snapshot version from a fresh connection and
 * wait at most {@code --settle} seconds for every client to reach it), report, close (with
 * {@code --abrupt-close}, by reset). A watchdog ends the process after {@code --max-time}.
 * Every {@code --progress} seconds a {@link Progress} line says the phase, the time elapsed and
 * left, connections open of the target, events/s, the p99 so far and of the interval, the
 * server's open streams and the games sent. Output goes to the command line's {@code getOut()}.
 *
 * <p>Hopping ({@code --hop-fraction}, {@code --hop-every}, {@code --hop-targets}): from the end of
 * the ramp to the end of the hold, every interval that fraction of the clients leave their
 * instance for the next one of the hop targets (round robin, in the order given), sending their
 * last event id as {@code Last-Event-ID}; each client's events are checked across its
 * connections (never a repeat, never back) and every client must end on the final snapshot.
 * See {@link StreamClients} and {@link VersionCheck}.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Open SSE connections, submit games, measure publish-to-receive latency.")
final class LoadRun implements Callable<Integer> {

    static final int MAX_CONNECTIONS = 100_000;

    @Option(names = "--target", description = "Base URL of an instance; repeat for several (default: ${DEFAULT-VALUE}).",
            defaultValue = "http://127.0.0.1:8080")
    List<URI> targets = new ArrayList<>();

    @Option(names = "--path", defaultValue = "/stream-leaderboard", description = "Stream path (default: ${DEFAULT-VALUE}).")
    String path;

    @Option(names = {"-n", "--connections"}, defaultValue = "1000", description = "Stream connections (default: ${DEFAULT-VALUE}, max 100000).")
    int connections;

    @Option(names = "--ramp", defaultValue = "1000", description = "New connections per second (default: ${DEFAULT-VALUE}).")
    double ramp;

    @Option(names = "--duration", defaultValue = "30", description = "Seconds to hold after the ramp (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--warmup", defaultValue = "2", description = "Seconds after the ramp not counted as steady (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--max-time", defaultValue = "900", description = "Hard limit on the whole run, seconds (default: ${DEFAULT-VALUE}, max 3600).")
    double maxTime;

    @Option(names = "--sources-from", defaultValue = "127.0.0.2", description = "First loopback source address (default: ${DEFAULT-VALUE}).")
    String sourcesFrom;

    @Option(names = "--sources", defaultValue = "0", description = "Source addresses (default: one per 10000 connections).")
    int sources;

    @Option(names = "--threads", defaultValue = "2", description = "Selector threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--connect-timeout", defaultValue = "15", description = "Seconds to reach the response headers (default: ${DEFAULT-VALUE}).")
    double connectTimeout;

    @Option(names = "--submit-rate", defaultValue = "0", description = "Games per second in total; 0: none (default: ${DEFAULT-VALUE}).")
    double submitRate;

    @Option(names = "--submit-unpaced", description = "Submit as fast as the submitters go (ingest capacity).")
    boolean submitUnpaced;

    @Option(names = "--submitters", defaultValue = "4", description = "Submitting threads (default: ${DEFAULT-VALUE}).")
    int submitters;

    @Option(names = "--submit-target", description = "Instance to submit to (default: the first --target).")
    URI submitTarget;

    @Option(names = "--players", defaultValue = "50", description = "Distinct players (default: ${DEFAULT-VALUE}).")
    int players;

    @Option(names = "--run-id", description = "Prefix of game ids (default: random).")
    String runId;

    @Option(names = "--ids-out", description = "Write <prefix>.sent and <prefix>.acked (one game id a line).")
    Path idsOut;

    @Option(names = "--stall-fraction", defaultValue = "0", description = "Fraction of clients that stop reading (default: ${DEFAULT-VALUE}).")
    double stallFraction;

    @Option(names = "--stall-after", defaultValue = "5", description = "Seconds after the ramp when they stop (default: ${DEFAULT-VALUE}).")
    double stallAfter;

    @Option(names = "--stall-rcvbuf", defaultValue = "0", description = "SO_RCVBUF of stalled clients in bytes; 0: system default.")
    int stallRcvBuf;

    @Option(names = "--abrupt-close", description = "Close every connection with a reset (SO_LINGER 0) at the end.")
    boolean abruptClose;

    @Option(names = "--hold-after", defaultValue = "0", description = "Seconds to keep the connections open after the summary"
            + " (to measure the server's heap and RSS with them) (default: ${DEFAULT-VALUE}).")
    double holdAfter;

    @Option(names = "--settle", defaultValue = "10", description = "Seconds to wait for every client to reach the final snapshot (default: ${DEFAULT-VALUE}).")
    double settle;

    @Option(names = "--progress", defaultValue = "5", description = "Seconds between progress lines: phase, elapsed and left, open/target, events/s, p99"
            + " (default: ${DEFAULT-VALUE}).")
    double progress;

    @Option(names = "--hop-fraction", defaultValue = "0", description = "Fraction of the clients that hop to another instance"
            + " every --hop-every (default: ${DEFAULT-VALUE}: none).")
    double hopFraction;

    @Option(names = "--hop-every", defaultValue = "10s", converter = Seconds.class,
            description = "Interval between hops, seconds, e.g. 10 or 10s (default: ${DEFAULT-VALUE}).")
    double hopEvery;

    @Option(names = "--hop-targets", split = ",", description = "The instances clients hop between, in order (a client"
            + " goes to the one after its current; comma-separated base URLs; default: the --target list).")
    List<URI> hopTargets = new ArrayList<>();

    @Option(names = "--hop-seed", description = "Seed of the choice of hopping clients (default: random).")
    Long hopSeed;

    @Option(names = "--json", description = "Write the summary as JSON to this file ('-' for standard output).")
    String json;

    @Spec
    CommandSpec spec;

    private PrintWriter out;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Histogram> steady = new ArrayList<>();
    private final List<Histogram> all = new ArrayList<>();
    private final Histogram firstEvent = histogram();
    private final Histogram ackLatency = histogram();
    private final Histogram submitToStream = histogram();
    private final Histogram metricsLatency = histogram();
    private final Histogram hopResume = histogram();
    private int hopRounds;
    /** How many of {@code targets} came from {@code --target} (the rest are hop targets only). */
    private int homeTargets;
    private final LongAdder metricsFailures = new LongAdder();
    private volatile boolean steadyPhase;
    private volatile Progress.Phase phase = Progress.Phase.RAMP;
    /** The planned end of the hold (during the ramp: of the ramp plus the hold), then of the settling. */
    private volatile long phaseEndNanos;
    private long steadyStartNanos;
    private long steadyEvents;
    private long lastEvents;
    private long lastProgressNanos;
    private long startNanos;

    private static Histogram histogram() {
        return new Histogram(StreamClients.HIGHEST_MICROS, 3);
    }

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        validate();
        homeTargets = targets.size();
        List<Integer> ring = new ArrayList<>();
        if (hopFraction > 0) {
            for (URI u : hopTargets.isEmpty() ? List.copyOf(targets) : hopTargets) {
                int at = targets.indexOf(u);
                if (at < 0) {
                    targets.add(u); // a hop target only: no initial connections, but its own latency and final check
                    at = targets.size() - 1;
                }
                ring.add(at);
            }
        }
        List<InetSocketAddress> addrs = targets.stream().map(Loopback::target).toList();
        List<String> hosts = targets.stream().map(u -> u.getHost() + ":" + (u.getPort() < 0 ? 80 : u.getPort())).toList();
        int nSources = sources > 0 ? sources : Math.max(1, (connections + 9_999) / 10_000);
        List<InetAddress> src = Loopback.sources(sourcesFrom, nSources);
        String id = runId != null ? runId : UUID.randomUUID().toString().substring(0, 8);
        for (int t = 0; t < targets.size(); t++) {
            steady.add(histogram());
            all.add(histogram());
        }
        Thread watchdog = Thread.ofPlatform().daemon().name("load-watchdog").start(() -> {
            try {
                Thread.sleep((long) (maxTime * 1000));
                System.err.println("load: --max-time " + maxTime + " s reached; exiting");
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
                // finished in time
            }
        });

        startNanos = System.nanoTime();
        lastProgressNanos = startNanos;
        phaseEndNanos = startNanos + secondsToNanos(connections / ramp) + secondsToNanos(duration);
        StreamClients clients = new StreamClients(addrs, homeTargets, ring, hosts, path, src, threads, connections,
                secondsToNanos(connectTimeout), stallFraction, stallRcvBuf);
        out.println("load " + id + ": " + clients.describe() + ", ramp " + ramp + "/s, hold " + duration + " s"
                + (submitRate > 0 || submitUnpaced ? ", submitting " + (submitUnpaced ? "unpaced" : submitRate + "/s")
                + " from " + submitters + " thread(s)" : "")
                + (hopFraction > 0 ? ", " + hopFraction + " of the clients hop every " + hopEvery + " s over " + ring.size()
                + " instance(s)" : ""));

        Submitter submitter = null;
        if (submitRate > 0 || submitUnpaced) {
            submitter = new Submitter(submitTarget != null ? submitTarget : targets.getFirst(),
                    submitUnpaced ? 0 : submitRate, submitters, players, id);
            submitter.start();
            clients.probe(submitter);
        }
        Submitter sub = submitter;
        Thread reporter = Thread.ofPlatform().daemon().name("load-progress").start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep((long) (progress * 1000));
                    report(clients, sub);
                }
            } catch (InterruptedException e) {
                // done
            }
        });

        // ramp
        for (int i = 0; i < connections; i++) {
            long due = startNanos + (long) (i * 1e9 / ramp);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            clients.open(i);
        }
        long rampEnd = System.nanoTime();
        out.printf("ramp done: %d attempted in %.1f s%n", connections, (rampEnd - startNanos) / 1e9);

        // hold
        boolean stalledDone = stallFraction <= 0;
        Random rnd = hopSeed != null ? new Random(hopSeed) : new Random();
        long nextHop = hopFraction > 0 ? rampEnd + secondsToNanos(hopEvery) : Long.MAX_VALUE;
        long warmEnd = rampEnd + secondsToNanos(warmup);
        long stallAt = rampEnd + secondsToNanos(stallAfter);
        long holdEnd = rampEnd + secondsToNanos(duration);
        phaseEndNanos = holdEnd;
        phase = warmup > 0 ? Progress.Phase.WARMUP : Progress.Phase.STEADY;
        while (System.nanoTime() < holdEnd) {
            long now = System.nanoTime();
            if (!steadyPhase && now >= warmEnd) {
                synchronized (this) {
                    drainInto(clients, false);
                    steadyPhase = true;
                    phase = Progress.Phase.STEADY;
                    steadyStartNanos = now;
                    steadyEvents = clients.events.sum();
                }
            }
            if (hopFraction > 0 && now - nextHop >= 0 && now < holdEnd) {
                int n = clients.hop(hopFraction, rnd);
                hopRounds++;
                out.println("hop round " + hopRounds + ": " + n + " client(s) leave for the next instance with their Last-Event-ID");
                nextHop += secondsToNanos(hopEvery);
            }
            if (!stalledDone && now >= stallAt) {
                int n = clients.stall();
                out.println("stalled " + n + " client(s): they stop reading now");
                stalledDone = true;
            }
            TimeUnit.MILLISECONDS.sleep(Math.max(1, Math.min(100, (Math.min(holdEnd, nextHop) - now) / 1_000_000)));
        }
        long steadyEnd = System.nanoTime();
        long eventsAtEnd = clients.events.sum();
        phaseEndNanos = steadyEnd + (submitter != null ? 1_500_000_000L : 200_000_000L) + secondsToNanos(settle) + 5_000_000_000L;
        phase = Progress.Phase.SETTLE;
        if (submitter != null) {
            submitter.stop();
        }

        // settle: every client on the final snapshot
        TimeUnit.MILLISECONDS.sleep(submitter != null ? 1500 : 200); // the feed's last coalesced snapshot
        long[] finalVersion = new long[targets.size()];
        long[] behind = new long[targets.size()];
        for (int t = 0; t < targets.size(); t++) {
            finalVersion[t] = finalVersion(addrs.get(t), hosts.get(t), abruptClose);
        }
        long settleEnd = System.nanoTime() + secondsToNanos(settle);
        phaseEndNanos = settleEnd;
        long hoppingAtEnd;
        while (true) {
            long total = 0;
            hoppingAtEnd = hopFraction > 0 ? clients.hopping() : 0;
            total += hoppingAtEnd;
            for (int t = 0; t < targets.size(); t++) {
                behind[t] = finalVersion[t] < 0 ? clients.streaming(t) : clients.behind(t, finalVersion[t]);
                total += behind[t];
            }
            if (total == 0 || System.nanoTime() > settleEnd) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        reporter.interrupt();
        reporter.join();
        long[] serverOpen = new long[targets.size()];
        for (int t = 0; t < targets.size(); t++) {
            serverOpen[t] = scrapeStreamsOpen(targets.get(t));
        }
        Map<String, Object> summary;
        synchronized (this) {
            drainInto(clients, true);
            if (submitter != null) {
                ackLatency.add(submitter.ackLatency.getIntervalHistogram());
                submitToStream.add(submitter.submitToStream.getIntervalHistogram());
            }
            clients.drainHopResume(hopResume);
            summary = summary(id, clients, submitter, finalVersion, behind, hoppingAtEnd, serverOpen,
                    (eventsAtEnd - steadyEvents) / Math.max(1e-9, (steadyEnd - steadyStartNanos) / 1e9), src);
        }
        if (submitter != null && idsOut != null) {
            writeIds(submitter);
        }
        printSummary(summary);
        if (json != null) {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            if (json.equals("-")) {
                out.println(m.writeValueAsString(summary));
            } else {
                m.writeValue(Path.of(json).toFile(), summary);
                out.println("summary written to " + json);
            }
        }
        if (holdAfter > 0) {
            out.printf("holding %d connections open for %.0f s%n", clients.open.get(), holdAfter);
            out.flush();
            TimeUnit.MILLISECONDS.sleep((long) (holdAfter * 1000));
        }
        clients.closeAll(abruptClose);
        out.println("closed" + (abruptClose ? " (reset)" : ""));
        watchdog.interrupt();
        return 0;
    }

    private void validate() {
        if (connections < 0 || connections > MAX_CONNECTIONS) {
            throw new IllegalArgumentException("--connections: " + connections + " (expected: 0.." + MAX_CONNECTIONS
                    + "; one process has 20,000 open files here: spread big runs over several processes)");
        }
        if (!(ramp > 0) || !(duration >= 0) || !(maxTime > 0) || maxTime > 3600 || threads < 1 || submitters < 1
                || players < 2 || !(progress > 0) || stallFraction < 0 || stallFraction > 1) {
            throw new IllegalArgumentException("check --ramp > 0, --duration >= 0, 0 < --max-time <= 3600, --threads >= 1,"
                    + " --submitters >= 1, --players >= 2, --progress > 0, 0 <= --stall-fraction <= 1");
        }
        if (!(hopFraction >= 0) || hopFraction > 1) {
            throw new IllegalArgumentException("--hop-fraction: " + hopFraction + " (expected: 0..1)");
        }
        if (hopFraction > 0 && !(hopEvery > 0)) {
            throw new IllegalArgumentException("--hop-every: " + hopEvery + " (expected: > 0)");
        }
        if (hopFraction > 0 && stallFraction > 0) {
            throw new IllegalArgumentException("--hop-fraction with --stall-fraction: not supported (expected: one of them)");
        }
        for (URI u : targets) {
            Loopback.target(u);
        }
        for (URI u : hopTargets) {
            Loopback.target(u);
        }
        if (submitTarget != null) {
            Loopback.target(submitTarget);
        }
    }

    private static long secondsToNanos(double s) {
        return (long) (s * 1e9);
    }

    /** Moves what the recorders hold into the histograms; with {@code steadyPhase}, into the steady ones too. */
    private void drainInto(StreamClients clients, boolean last) {
        for (int t = 0; t < targets.size(); t++) {
            Histogram h = histogram();
            clients.drain(t, h);
            all.get(t).add(h);
            if (steadyPhase) {
                steady.get(t).add(h);
            }
        }
        clients.drainFirstEvent(firstEvent);
    }

    private synchronized void report(StreamClients clients, Submitter sub) {
        long now = System.nanoTime();
        Histogram interval = histogram();
        for (int t = 0; t < targets.size(); t++) {
            Histogram h = histogram();
            clients.drain(t, h);
            all.get(t).add(h);
            if (steadyPhase) {
                steady.get(t).add(h);
            }
            interval.add(h);
        }
        clients.drainFirstEvent(firstEvent);
        long events = clients.events.sum();
        double seconds = (now - lastProgressNanos) / 1e9;
        double eps = (events - lastEvents) / seconds;
        lastEvents = events;
        lastProgressNanos = now;
        List<Long> server = new ArrayList<>();
        // the home targets only: a scrape walks every stream's stats, and a hop-only target is
        // another generator's home, scraped by that one
        for (URI u : targets.subList(0, homeTargets)) {
            long t0 = System.nanoTime();
            long open = scrapeStreamsOpen(u);
            if (open >= 0) {
                metricsLatency.recordValue(Math.min(StreamClients.HIGHEST_MICROS, (System.nanoTime() - t0) / 1000));
            }
            server.add(open);
        }
        Histogram soFar = histogram();
        all.forEach(soFar::add);
        Optional<Progress.Games> games = sub == null ? Optional.empty() : Optional.of(new Progress.Games(sub.sent.sum(),
                sub.acked.size(), sub.errors.values().stream().mapToLong(LongAdder::sum).sum()));
        out.println(new Progress(phase, now - startNanos, phaseEndNanos - now, clients.open.get(), connections,
                failedTotal(clients), clients.dropped.sum(), eps,
                soFar.getTotalCount() == 0 ? -1 : soFar.getValueAtPercentile(99),
                interval.getTotalCount() == 0 ? -1 : interval.getValueAtPercentile(99), seconds, server, games).line());
    }

    private static long failedTotal(StreamClients c) {
        return c.failures.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** @return {@code leaderboard_streams_open} from the instance's /metrics, or -1 when it does not answer */
    private long scrapeStreamsOpen(URI base) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                metricsFailures.increment();
                return -1;
            }
            for (String line : r.body().split("\n")) {
                if (line.startsWith("leaderboard_streams_open")) {
                    return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            metricsFailures.increment();
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * The version of the first event a fresh connection receives (the feed's latest). A
     * {@code 503} (an instance at its stream limit, which counts the streams of clients that left
     * until its next write to them finds them gone) is retried after its {@code Retry-After}, as
     * any client would, for up to {@link #FINAL_RETRIES} more tries.
     *
     * @param abrupt close it with a reset, like the other connections (a graceful close is only
     *               noticed by the interim endpoint after two heartbeats)
     * @return the version, or -1
     */
    static long finalVersion(InetSocketAddress target, String host, boolean abrupt) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            FirstEvent r = finalVersionOnce(target, host, abrupt);
            if (r.version >= 0 || r.status != 503 || attempt == FINAL_RETRIES) {
                return r.version;
            }
            long wait = Math.min(5, Math.max(1, r.retryAfterSeconds));
            System.err.println("final version of " + target + ": 503, retried in " + wait + " s");
            TimeUnit.SECONDS.sleep(wait);
        }
    }

    /** How many times a final-version check that got {@code 503} tries again. */
    static final int FINAL_RETRIES = 5;

    /**
     * What one request for the leaderboard stream saw, filled in by the parser as the response
     * arrives: its status, its {@code Retry-After} and the version of its first leaderboard event.
     */
    private static final class FirstEvent implements SseParser.Listener {
        long version = -1;
        int status;
        long retryAfterSeconds;

        @Override
        public void onStatus(int code) {
            status = code;
        }

        @Override
        public void onHeader(String name, String value) {
            if ("retry-after".equalsIgnoreCase(name)) {
                try {
                    retryAfterSeconds = Long.parseLong(value.trim());
                } catch (NumberFormatException e) {
                    retryAfterSeconds = 0;
                }
            }
        }

        @Override
        public void onEvent(long id, String event, byte[] data, int length) {
            if (version < 0 && "leaderboard".equals(event)) {
                version = id;
            }
        }
    }

    private static FirstEvent finalVersionOnce(InetSocketAddress target, String host, boolean abrupt) {
        FirstEvent seen = new FirstEvent();
        try (Socket s = new Socket()) {
            if (abrupt) {
                s.setSoLinger(true, 0);
            }
            s.connect(target, 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET /stream-leaderboard HTTP/1.1\r\nHost: " + host
                    + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            SseParser p = new SseParser(seen);
            byte[] buf = new byte[8192];
            int n;
            while (seen.version < 0 && !p.done() && (n = s.getInputStream().read(buf)) > 0) {
                p.feed(ByteBuffer.wrap(buf, 0, n));
            }
            if (seen.version < 0) {
                System.err.println("final version of " + target + ": no leaderboard event (status " + seen.status
                        + (p.done() ? ", the response ended" : ", the connection closed") + ")");
            }
        } catch (IOException | SseParser.ProtocolException e) {
            System.err.println("final version of " + target + ": " + e + " (status " + seen.status + ")");
        }
        return seen;
    }

    private Map<String, Object> summary(String id, StreamClients c, Submitter sub, long[] finalVersion, long[] behind,
                                        long hoppingAtEnd, long[] serverOpen, double steadyEps, List<InetAddress> src) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", id);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("targets", targets.stream().map(URI::toString).toList());
        cfg.put("connections", connections);
        cfg.put("ramp_per_s", ramp);
        cfg.put("duration_s", duration);
        cfg.put("sources", src.stream().map(InetAddress::getHostAddress).toList());
        cfg.put("selector_threads", threads);
        cfg.put("submit_rate", submitUnpaced ? "unpaced" : submitRate);
        cfg.put("submitters", submitters);
        cfg.put("stall_fraction", stallFraction);
        cfg.put("abrupt_close", abruptClose);
        cfg.put("hop_fraction", hopFraction);
        cfg.put("hop_every_s", hopEvery);
        m.put("config", cfg);
        Map<String, Object> conns = new LinkedHashMap<>();
        conns.put("attempted", c.attempted.sum());
        conns.put("established", c.established.sum());
        conns.put("failed", failedTotal(c));
        conns.put("failures", counts(c.failures));
        conns.put("dropped", c.dropped.sum());
        conns.put("drops", counts(c.drops));
        conns.put("open_at_end", c.open.get());
        conns.put("stalled", stallFraction > 0 ? c.stalledCount() : 0);
        m.put("connections", conns);
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("received", c.events.sum());
        ev.put("heartbeats", c.heartbeats.sum());
        ev.put("out_of_order", c.regressions.sum());
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("repeats", c.repeats.sum());
        check.put("backwards", c.backwards.sum());
        check.put("version_not_forward", c.versionNotForward.sum());
        check.put("resets", c.resets.sum());
        check.put("reset_reasons", counts(c.resetReasons));
        check.put("new_epochs", c.newEpochs.sum());
        check.put("clients_with_violations", c.clientsWithViolations());
        ev.put("per_client_check", check);
        ev.put("steady_per_s", Math.round(steadyEps));
        m.put("events", ev);
        Histogram st = histogram();
        Histogram al = histogram();
        for (int t = 0; t < targets.size(); t++) {
            st.add(steady.get(t));
            al.add(all.get(t));
        }
        m.put("latency_ms", percentiles(st));
        m.put("latency_ms_including_ramp", percentiles(al));
        m.put("first_event_ms", percentiles(firstEvent));
        List<Map<String, Object>> per = new ArrayList<>();
        boolean allFinal = true;
        for (int t = 0; t < targets.size(); t++) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("target", targets.get(t).toString());
            p.put("final_version", finalVersion[t]);
            p.put("streaming", c.streaming(t));
            p.put("behind_final", behind[t]);
            p.put("server_streams_open", serverOpen[t]);
            p.put("latency_ms", percentiles(steady.get(t)));
            per.add(p);
            allFinal &= finalVersion[t] >= 0 && behind[t] == 0;
        }
        m.put("targets", per);
        if (hopFraction > 0) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("rounds", hopRounds);
            h.put("chosen", c.hopsChosen.sum());
            h.put("started", c.hopsStarted.sum());
            h.put("skipped_not_streaming", c.hopsSkipped.sum());
            h.put("resumed", c.hopsResumed.sum());
            h.put("http_503", c.hop503.sum());
            h.put("retries", c.hopRetries.sum());
            h.put("given_up", c.hopsGivenUp.sum());
            h.put("failures", counts(c.hopFailures));
            h.put("first_event_catch_up", c.hopCatchUpEvents.sum());
            h.put("first_event_live", c.hopLiveFirstEvents.sum());
            h.put("hopping_at_end", hoppingAtEnd);
            h.put("close_to_resumed_ms", percentiles(hopResume));
            m.put("hops", h);
            allFinal &= hoppingAtEnd == 0;
        }
        m.put("all_on_final_snapshot", allFinal);
        if (sub != null) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("sent", sub.sent.sum());
            s.put("acked", sub.acked.size());
            s.put("applied", sub.applied.sum());
            s.put("duplicates", sub.duplicates.sum());
            s.put("errors", counts(sub.errors));
            double secs = (System.nanoTime() - startNanos) / 1e9;
            s.put("acked_per_s_over_run", Math.round(sub.acked.size() / secs));
            s.put("ack_latency_ms", percentiles(ackLatency));
            s.put("submit_to_stream_ms", percentiles(submitToStream));
            m.put("submissions", s);
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("scrapes", metricsLatency.getTotalCount());
        metrics.put("failures", metricsFailures.sum());
        metrics.put("latency_ms", percentiles(metricsLatency));
        m.put("metrics_endpoint", metrics);
        return m;
    }

    private static Map<String, Long> counts(Map<String, LongAdder> m) {
        return m.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum(),
                (a, b) -> a, TreeMap::new));
    }

    static Map<String, Object> percentiles(Histogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", h.getTotalCount());
        if (h.getTotalCount() > 0) {
            m.put("p50", ms(h.getValueAtPercentile(50)));
            m.put("p90", ms(h.getValueAtPercentile(90)));
            m.put("p99", ms(h.getValueAtPercentile(99)));
            m.put("p99_9", ms(h.getValueAtPercentile(99.9)));
            m.put("max", ms(h.getMaxValue()));
        }
        return m;
    }

    private static double ms(long micros) {
        return Math.round(micros / 10.0) / 100.0;
    }

    @SuppressWarnings("unchecked")
    private void printSummary(Map<String, Object> s) {
        Map<String, Object> c = (Map<String, Object>) s.get("connections");
        Map<String, Object> e = (Map<String, Object>) s.get("events");
        out.println("== summary " + s.get("run_id"));
        out.println("connections: attempted " + c.get("attempted") + ", established " + c.get("established") + ", failed "
                + c.get("failed") + " " + c.get("failures") + ", dropped " + c.get("dropped") + " " + c.get("drops")
                + ", open at end " + c.get("open_at_end") + ", stalled " + c.get("stalled"));
        out.println("events: " + e.get("received") + " received, " + e.get("steady_per_s") + "/s steady, "
                + e.get("heartbeats") + " heartbeats, " + e.get("out_of_order") + " out of order");
        out.println("latency (steady, ms): " + s.get("latency_ms"));
        out.println("latency (incl. ramp, ms): " + s.get("latency_ms_including_ramp"));
        out.println("connect to first event (ms): " + s.get("first_event_ms"));
        for (Object o : (List<Object>) s.get("targets")) {
            out.println("target " + o);
        }
        out.println("per-client check: " + e.get("per_client_check"));
        if (s.containsKey("hops")) {
            out.println("hops: " + s.get("hops"));
        }
        out.println("all clients on the final snapshot: " + s.get("all_on_final_snapshot"));
        if (s.containsKey("submissions")) {
            out.println("submissions: " + s.get("submissions"));
        }
        out.println("/metrics: " + s.get("metrics_endpoint"));
    }

    /** Seconds as a number, with an optional {@code s}: {@code 10}, {@code 10s}, {@code 2.5s}. */
    static final class Seconds implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String v = value.strip();
            if (v.endsWith("s")) {
                v = v.substring(0, v.length() - 1);
            }
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a number of seconds (e.g. 10 or 10s)");
            }
        }
    }

    private void writeIds(Submitter sub) throws IOException {
        Path sent = Path.of(idsOut + ".sent");
        Path acked = Path.of(idsOut + ".acked");
        StringBuilder b = new StringBuilder();
        for (Long n : sub.sentIds) {
            b.append(sub.id(n)).append('\n');
        }
        Files.writeString(sent, b);
        b.setLength(0);
        for (Long n : sub.acked) {
            b.append(sub.id(n)).append('\n');
        }
        Files.writeString(acked, b);
        out.println("game ids written to " + sent + " and " + acked);
    }
}
