package dev.fanout.leaderboard.load;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Holds many idle connections (connected, sending nothing, reconnecting when the server closes
 * them) spread over loopback source addresses, while probing the API with fresh connections:
 * {@code GET /leaderboard} and {@code POST /submit-game} in turn, at a fixed rate. It shows
 * whether silent clients can starve the listener: each probe's latency (connect to the last
 * byte of the answer) and its failures are counted per interval and in total.
 *
 * <p>One virtual thread per idle connection (blocked in a read) and per probe.
 */
@Command(name = "idle", mixinStandardHelpOptions = true,
        description = "Hold idle connections while probing the API (loopback targets only).")
final class IdleRun implements Callable<Integer> {

    @Option(names = "--target", defaultValue = "http://127.0.0.1:8080", description = "Base URL (default: ${DEFAULT-VALUE}).")
    URI target;

    @Option(names = {"-n", "--connections"}, defaultValue = "19800", description = "Idle connections to hold (default: ${DEFAULT-VALUE}, max 60000).")
    int connections;

    @Option(names = "--ramp", defaultValue = "4000", description = "New idle connections per second (default: ${DEFAULT-VALUE}).")
    int ramp;

    @Option(names = "--duration", defaultValue = "60", description = "Seconds to hold after the ramp (default: ${DEFAULT-VALUE}, max 900).")
    int duration;

    @Option(names = "--sources-from", defaultValue = "127.0.0.2", description = "First loopback source address (default: ${DEFAULT-VALUE}).")
    String sourcesFrom;

    @Option(names = "--sources", defaultValue = "0", description = "Source addresses (default: one per 10000 connections).")
    int sources;

    @Option(names = "--probe-rate", defaultValue = "20", description = "API probes per second; 0: none (default: ${DEFAULT-VALUE}).")
    int probeRate;

    @Option(names = "--probe-timeout", defaultValue = "5", description = "Seconds a probe may take (default: ${DEFAULT-VALUE}).")
    int probeTimeout;

    @Option(names = "--token", description = "Bearer token for POST /submit-game.")
    String token;

    @Option(names = "--progress", defaultValue = "5", description = "Seconds between progress lines (default: ${DEFAULT-VALUE}).")
    int progress;

    private final AtomicInteger held = new AtomicInteger();
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong closedByServer = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private final AtomicLong probesOk = new AtomicLong();
    private final AtomicLong probesFailed = new AtomicLong();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Histogram total = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    private Histogram interval = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    private volatile boolean running = true;

    @Override
    public Integer call() throws Exception {
        if (connections < 0 || connections > 60_000) {
            throw new IllegalArgumentException("connections: " + connections + " (expected: 0 to 60000)");
        }
        if (duration < 1 || duration > 900) {
            throw new IllegalArgumentException("duration: " + duration + " (expected: 1 to 900)");
        }
        InetSocketAddress to = Loopback.target(target);
        List<InetAddress> from = Loopback.sources(sourcesFrom, sources > 0 ? sources : Math.max(1, (connections + 9_999) / 10_000));
        PrintStream out = System.out;
        String run = UUID.randomUUID().toString().substring(0, 8);
        long start = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            // probes: one every 1/rate s, each on its own fresh connection
            if (probeRate > 0) {
                threads.submit(() -> probes(threads, to, run));
            }
            long rampNanos = TimeUnit.SECONDS.toNanos(1) / Math.max(1, ramp);
            for (int i = 0; i < connections && running; i++) {
                InetAddress source = from.get(i % from.size());
                threads.submit(() -> hold(to, source));
                long due = start + (i + 1) * rampNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            out.printf(Locale.ROOT, "ramp done in %.1f s: %d idle connections started%n",
                    (System.nanoTime() - start) / 1e9, connections);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(duration);
            long nextProgress = System.nanoTime();
            while (System.nanoTime() < end) {
                TimeUnit.MILLISECONDS.sleep(200);
                if (System.nanoTime() >= nextProgress) {
                    report(out, start);
                    nextProgress += TimeUnit.SECONDS.toNanos(progress);
                }
            }
            running = false;
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing
                }
            }
            threads.shutdownNow();
        }
        synchronized (this) {
            out.printf(Locale.ROOT, "total: idle connections opened %d, closed by the server %d, connect failures %d;"
                            + " probes %d ok, %d failed; latency ms p50 %.1f p99 %.1f p99.9 %.1f max %.1f%n",
                    opened.get(), closedByServer.get(), connectFailures.get(), probesOk.get(), probesFailed.get(),
                    total.getValueAtPercentile(50) / 1e3, total.getValueAtPercentile(99) / 1e3,
                    total.getValueAtPercentile(99.9) / 1e3, total.getMaxValue() / 1e3);
        }
        return probesFailed.get() == 0 ? 0 : 1;
    }

    private synchronized void report(PrintStream out, long start) {
        out.printf(Locale.ROOT, "%5.0f s  idle held %5d  opened %6d  closed by server %6d  connect failures %4d"
                        + "  probes ok %5d failed %3d  latency ms p50 %6.1f p99 %6.1f max %7.1f%n",
                (System.nanoTime() - start) / 1e9, held.get(), opened.get(), closedByServer.get(), connectFailures.get(),
                probesOk.get(), probesFailed.get(), interval.getValueAtPercentile(50) / 1e3,
                interval.getValueAtPercentile(99) / 1e3, interval.getMaxValue() / 1e3);
        interval = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    }

    /** One idle client: connects, sends nothing, reconnects after the server closes it. */
    private void hold(InetSocketAddress to, InetAddress source) {
        byte[] sink = new byte[64];
        while (running) {
            Socket s = new Socket();
            try {
                s.bind(new InetSocketAddress(source, 0));
                s.connect(to, 10_000);
            } catch (IOException e) {
                connectFailures.incrementAndGet();
                closeQuietly(s);
                pause(1000);
                continue;
            }
            sockets.add(s);
            opened.incrementAndGet();
            held.incrementAndGet();
            try (InputStream in = s.getInputStream()) {
                while (in.read(sink) >= 0) {
                    // an idle client: whatever the server sends is dropped
                }
            } catch (IOException e) {
                // reset
            } finally {
                held.decrementAndGet();
                sockets.remove(s);
                closeQuietly(s);
            }
            if (running) {
                closedByServer.incrementAndGet();
                pause(100);
            }
        }
    }

    private void probes(ExecutorService threads, InetSocketAddress to, String run) {
        long every = TimeUnit.SECONDS.toNanos(1) / Math.max(1, probeRate);
        long next = System.nanoTime();
        for (long n = 0; running; n++) {
            long id = n;
            threads.submit(() -> probe(to, id % 2 == 0 ? null : run + "-" + id));
            next += every;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                pause(TimeUnit.NANOSECONDS.toMillis(wait));
            }
        }
    }

    /** One API request on a fresh connection: GET /leaderboard, or POST /submit-game of {@code game}. */
    private void probe(InetSocketAddress to, String game) {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(to, probeTimeout * 1000);
            s.setSoTimeout(probeTimeout * 1000);
            String request;
            if (game == null) {
                request = "GET /leaderboard HTTP/1.1\r\nHost: " + target.getAuthority() + "\r\nConnection: close\r\n\r\n";
            } else {
                String body = "{\"game_id\":\"idle-" + game + "\",\"server_id\":\"idle\",\"player1_id\":\"p" + (game.hashCode() & 15)
                        + "\",\"player2_id\":\"q" + (game.hashCode() >>> 4 & 15) + "\",\"result\":2}";
                request = "POST /submit-game HTTP/1.1\r\nHost: " + target.getAuthority()
                        + "\r\nContent-Type: application/json\r\nConnection: close\r\n"
                        + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body;
            }
            OutputStream o = s.getOutputStream();
            o.write(request.getBytes(StandardCharsets.US_ASCII));
            o.flush();
            String head = head(s.getInputStream());
            if (!head.startsWith("HTTP/1.1 200")) {
                throw new IOException("answer: " + head.lines().findFirst().orElse("(none)"));
            }
            int length = head.lines().filter(l -> l.regionMatches(true, 0, "Content-Length:", 0, 15))
                    .map(l -> Integer.parseInt(l.substring(15).trim())).findFirst().orElse(0);
            if (s.getInputStream().readNBytes(length).length != length) { // as a client reads it: to its length
                throw new IOException("answer cut short");
            }
            long micros = Math.max(1, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start));
            synchronized (this) {
                total.recordValue(Math.min(micros, total.getHighestTrackableValue()));
                interval.recordValue(Math.min(micros, interval.getHighestTrackableValue()));
            }
            probesOk.incrementAndGet();
        } catch (IOException e) {
            if (running) {
                probesFailed.incrementAndGet();
                System.out.println("probe failed: " + e);
            }
        }
    }

    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        int state = 0;
        while (state < 4 && (c = in.read()) >= 0) {
            b.write(c);
            state = c == (state % 2 == 0 ? '\r' : '\n') ? state + 1 : c == '\r' ? 1 : 0;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }
}
