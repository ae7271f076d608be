package dev.fanout.leaderboard.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Many SSE client connections on a few selector threads (no thread per connection): each is a
 * non-blocking {@link SocketChannel} bound to a loopback source address, sends one
 * {@code GET /stream-leaderboard}, and parses the response with an {@link SseParser}.
 *
 * <p>Per event after the first (the first is the state at connect time, not a publication), the
 * receive latency is {@code now - published_at} in microseconds, recorded per selector thread and
 * per target in a {@link SingleWriterRecorder}; {@link #drain(int, Histogram)} collects them.
 * {@code published_at} has millisecond resolution, so a latency is overestimated by 0 to 1 ms.
 *
 * <p>Hopping ({@link #hop(double, Random)}): a chosen client closes its connection and opens one
 * to the next instance of the hop ring, sending the last event id it saw as
 * {@code Last-Event-ID}; a 503 (an instance not caught up yet, or full) or a failure before the
 * response headers is retried after {@code Retry-After} (1 s when absent), up to
 * {@value #HOP_ATTEMPTS} attempts. A {@link VersionCheck} per client, kept across its
 * connections, counts every event that repeats or goes back. The first event of a hop
 * connection is a receive-latency sample only when it was published after the hop began (a
 * live event); an older one is the catch-up of what the client missed, counted apart.
 *
 * <p>Thread-safety: {@link #open(int)} is called by one ramp thread; the counters, drains,
 * {@link #hop(double, Random)} and {@link #closeAll(boolean)} by the controller; everything else
 * runs on the selector threads. A client and all its connections belong to one selector thread.
 */
final class StreamClients implements AutoCloseable {

    static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);
    private static final byte[] PUBLISHED_AT = "\"published_at\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VERSION = "\"version\"".getBytes(StandardCharsets.US_ASCII);
    /** Connection attempts of one hop (the first and its retries) before the client is given up. */
    static final int HOP_ATTEMPTS = 30;

    /** Called on a selector thread for every event of the probe connection. */
    interface Probe {
        void onVersion(long version, long nowNanos);
    }

    private final List<InetSocketAddress> targets;
    private final List<String> hostHeaders;
    private final String path;
    private final List<byte[]> requests;
    private final int homeTargets;
    private final int[] hopRing;
    private final List<InetAddress> sources;
    private final Loop[] loops;
    private final long connectTimeoutNanos;
    private final int stallEvery; // 0: none
    private final int stalledRcvBuf;
    private final Client[] clients;
    private volatile Probe probe;

    final LongAdder attempted = new LongAdder();
    final LongAdder established = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder events = new LongAdder();
    final LongAdder heartbeats = new LongAdder();
    final LongAdder regressions = new LongAdder();
    final AtomicInteger open = new AtomicInteger();
    final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    final Map<String, LongAdder> drops = new ConcurrentHashMap<>();
    // the per-client checks, across hops
    final LongAdder repeats = new LongAdder();
    final LongAdder backwards = new LongAdder();
    final LongAdder versionNotForward = new LongAdder();
    final LongAdder resets = new LongAdder();
    final Map<String, LongAdder> resetReasons = new ConcurrentHashMap<>();
    final LongAdder newEpochs = new LongAdder();
    // hops
    final LongAdder hopsChosen = new LongAdder();
    final LongAdder hopsStarted = new LongAdder();
    final LongAdder hopsSkipped = new LongAdder();
    final LongAdder hopsResumed = new LongAdder();
    final LongAdder hop503 = new LongAdder();
    final LongAdder hopRetries = new LongAdder();
    final LongAdder hopsGivenUp = new LongAdder();
    final LongAdder hopCatchUpEvents = new LongAdder();
    final LongAdder hopLiveFirstEvents = new LongAdder();
    final LongAdder hopNoInitialEvent = new LongAdder();
    final Map<String, LongAdder> hopFailures = new ConcurrentHashMap<>();

    /**
     * @param targets        where to connect, one per instance; connection i goes to target i % homeTargets
     * @param homeTargets    how many of the first targets take the initial connections (the others are hop targets only)
     * @param hopRing        the targets' indices that a hopping client goes through, in order (empty: no hops)
     * @param hostHeaders    the Host header for each target
     * @param path           the stream path
     * @param sources        local addresses to bind; connection i uses source i % size
     * @param threads        selector threads
     * @param max            the most connections {@link #open(int)} may be asked for
     * @param connectTimeout how long a connection may take to reach its response headers
     * @param stallFraction  the fraction of connections that {@link #stall()} stops reading (0 for none)
     * @param stalledRcvBuf  SO_RCVBUF of those connections, so a stalled reader fills up soon (0: default)
     */
    StreamClients(List<InetSocketAddress> targets, int homeTargets, List<Integer> hopRing, List<String> hostHeaders,
                  String path, List<InetAddress> sources,
                  int threads, int max, long connectTimeout, double stallFraction, int stalledRcvBuf) {
        if (homeTargets < 1 || homeTargets > targets.size()) {
            throw new IllegalArgumentException("homeTargets: " + homeTargets + " (expected: 1.." + targets.size() + ")");
        }
        this.targets = List.copyOf(targets);
        this.homeTargets = homeTargets;
        this.hopRing = hopRing.stream().mapToInt(Integer::intValue).toArray();
        this.hostHeaders = List.copyOf(hostHeaders);
        this.path = path;
        this.requests = hostHeaders.stream().map(h -> request(h, null)).toList();
        this.sources = List.copyOf(sources);
        this.connectTimeoutNanos = connectTimeout;
        this.stallEvery = stallFraction <= 0 ? 0 : (int) Math.max(1, Math.round(1 / stallFraction));
        this.stalledRcvBuf = stalledRcvBuf;
        this.clients = new Client[max];
        this.loops = new Loop[threads];
        for (int i = 0; i < threads; i++) {
            loops[i] = new Loop(i);
        }
        for (Loop l : loops) {
            l.thread.start();
        }
    }

    private byte[] request(String host, String lastEventId) {
        return ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: text/event-stream\r\n"
                + "Cache-Control: no-cache\r\nUser-Agent: fanout-load\r\n"
                + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    void probe(Probe p) {
        this.probe = p;
    }

    int targetCount() {
        return targets.size();
    }

    /**
     * Opens connection {@code i}: a socket bound to its source address, connecting without
     * blocking; the selector thread finishes it. A failure to open, bind or connect is counted.
     */
    void open(int i) {
        attempted.increment();
        int t = i % homeTargets;
        boolean stalled = stallEvery > 0 && i % stallEvery == stallEvery - 1;
        Client cl = new Client(i, stalled);
        clients[i] = cl;
        try {
            loops[i % loops.length].add(connect(cl, t, null, 0, 0));
        } catch (IOException | RuntimeException e) {
            fail("open: " + reason(e));
        }
    }

    /** A socket of client {@code cl} bound to its source address, connecting to target {@code t} without blocking. */
    private Conn connect(Client cl, int t, String lastEventId, long hopStartNanos, int attempt) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.configureBlocking(false);
            if (cl.stalled && stalledRcvBuf > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, stalledRcvBuf);
            }
            ch.bind(new InetSocketAddress(sources.get(cl.index % sources.size()), 0));
            boolean now = ch.connect(targets.get(t));
            Conn c = new Conn(cl, t, ch, now, lastEventId, hopStartNanos, attempt);
            cl.conn = c;
            return c;
        } catch (IOException | RuntimeException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do
            }
            throw e;
        }
    }

    /**
     * Makes about {@code fraction} of the clients hop: each closes its connection and opens one to
     * the next instance of the hop ring with its last event id. Clients that are not streaming
     * (connecting, between two connections, stalled, lost) are skipped and counted.
     *
     * @return how many clients were chosen
     */
    int hop(double fraction, Random rnd) {
        int n = 0;
        for (Client cl : clients) {
            if (cl != null) {
                n++;
            }
        }
        int k = (int) Math.round(fraction * n);
        int[] chosen = rnd.ints(0, n).distinct().limit(k).toArray();
        for (int i : chosen) {
            Client cl = clients[i];
            hopsChosen.increment();
            loops[cl.index % loops.length].post(() -> cl.loop().hopNow(cl));
        }
        return chosen.length;
    }

    /** @return the target after {@code t} in the hop ring (the ring's first when {@code t} is not in it) */
    int nextTarget(int t) {
        for (int i = 0; i < hopRing.length; i++) {
            if (hopRing[i] == t) {
                return hopRing[(i + 1) % hopRing.length];
            }
        }
        return hopRing[0];
    }

    /** Stops reading on the chosen fraction of the streaming connections, as a stalled client would. */
    int stall() {
        int n = 0;
        for (Client cl : clients) {
            if (cl != null && cl.stalled) {
                n++;
                loops[cl.index % loops.length].post(() -> {
                    Conn c = cl.conn;
                    if (c != null) {
                        c.stopReading();
                    }
                });
            }
        }
        return n;
    }

    /** @return the connections marked as stalled */
    int stalledCount() {
        int n = 0;
        for (Client c : clients) {
            if (c != null && c.stalled) {
                n++;
            }
        }
        return n;
    }

    /** Adds the receive latencies recorded since the last call, for target {@code t}, to {@code into}; one caller thread. */
    void drain(int t, Histogram into) {
        for (Loop l : loops) {
            into.add(l.recorders[t].getIntervalHistogram());
        }
    }

    /** Adds the connect-to-first-event times recorded since the last call to {@code into}; one caller thread. */
    void drainFirstEvent(Histogram into) {
        for (Loop l : loops) {
            into.add(l.firstEvent.getIntervalHistogram());
        }
    }

    /**
     * @param t          a target
     * @param version    its final snapshot version
     * @return how many streaming, non-stalled connections of target {@code t} have not reached {@code version}
     */
    long behind(int t, long version) {
        long n = 0;
        for (Client cl : clients) {
            Conn c = cl == null ? null : cl.conn;
            if (c != null && c.target == t && c.streaming && !c.closed && !cl.stalled && cl.lastSequence < version) {
                n++;
            }
        }
        return n;
    }

    /** @return clients in the middle of a hop (between two connections, or retrying) */
    long hopping() {
        long n = 0;
        for (Client cl : clients) {
            if (cl != null && cl.hopping) {
                n++;
            }
        }
        return n;
    }

    /** @return clients whose events repeated or went back at least once */
    long clientsWithViolations() {
        long n = 0;
        for (Client cl : clients) {
            if (cl != null && cl.violations > 0) {
                n++;
            }
        }
        return n;
    }

    /** Adds the hop-to-resumed-stream times (close of the old connection to the new one's headers) to {@code into}. */
    void drainHopResume(Histogram into) {
        for (Loop l : loops) {
            into.add(l.hopResume.getIntervalHistogram());
        }
    }

    /** @return streaming, non-stalled connections of target {@code t} */
    long streaming(int t) {
        long n = 0;
        for (Client cl : clients) {
            Conn c = cl == null ? null : cl.conn;
            if (c != null && c.target == t && c.streaming && !c.closed && !cl.stalled) {
                n++;
            }
        }
        return n;
    }

    /**
     * Closes every connection: with {@code abrupt}, SO_LINGER 0 so the kernel sends a reset at
     * once, as a client whose process dies or whose network drops; then stops the selector threads.
     */
    void closeAll(boolean abrupt) throws InterruptedException {
        for (Loop l : loops) {
            l.post(() -> l.closeEverything(abrupt));
        }
        for (Loop l : loops) {
            l.running = false;
            l.selector.wakeup();
        }
        for (Loop l : loops) {
            l.thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    @Override
    public void close() {
        try {
            closeAll(false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the caller sees it; every loop was already told to close
        }
    }

    private void fail(String reason) {
        failures.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    private void drop(String reason) {
        dropped.increment();
        drops.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    private void hopFail(String reason) {
        hopFailures.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    private static String reason(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** One selector thread and the connections it owns. */
    private final class Loop implements Runnable {
        final Selector selector;
        final Thread thread;
        final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        final ArrayDeque<Conn> connecting = new ArrayDeque<>();
        final SingleWriterRecorder[] recorders;
        final SingleWriterRecorder firstEvent = new SingleWriterRecorder(HIGHEST_MICROS, 3);
        final SingleWriterRecorder hopResume = new SingleWriterRecorder(HIGHEST_MICROS, 3);
        final PriorityQueue<Timed> timers = new PriorityQueue<>(Comparator.comparingLong(Timed::dueNanos));
        final ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        volatile boolean running = true;
        long nowMicros;
        long nowNanos;

        Loop(int i) {
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new IllegalStateException("cannot open a selector", e);
            }
            recorders = new SingleWriterRecorder[targets.size()];
            for (int t = 0; t < recorders.length; t++) {
                recorders[t] = new SingleWriterRecorder(HIGHEST_MICROS, 3);
            }
            thread = Thread.ofPlatform().name("load-selector-" + i).daemon().unstarted(this);
        }

        void add(Conn c) {
            post(() -> register(c));
        }

        void post(Runnable r) {
            tasks.add(r);
            selector.wakeup();
        }

        /** Runs {@code r} on this thread after {@code delayNanos} (100 ms resolution). */
        void later(long delayNanos, Runnable r) {
            timers.add(new Timed(System.nanoTime() + delayNanos, r));
        }

        /** Client {@code cl} leaves its connection for the next instance, with its last event id. */
        void hopNow(Client cl) {
            Conn c = cl.conn;
            if (cl.stalled || cl.hopping || c == null || !c.streaming || c.closed) {
                hopsSkipped.increment();
                return;
            }
            // a hop connection that resumed up to date has had no event: the id it was opened with still holds
            String id = c.parser.lastEventId().orElse(c.lastEventId);
            cl.hopping = true;
            c.close(false);
            hopsStarted.increment();
            attemptHop(cl, nextTarget(c.target), id, System.nanoTime(), 0);
        }

        void attemptHop(Client cl, int t, String id, long hopStart, int attempt) {
            try {
                register(connect(cl, t, id, hopStart, attempt));
            } catch (IOException | RuntimeException e) {
                retryHop(cl, t, id, hopStart, attempt, "open: " + reason(e), 1000);
            }
        }

        /** A hop connection failed before streaming: try again later, or give the client up. */
        void retryHop(Client cl, int t, String id, long hopStart, int attempt, String why, long delayMillis) {
            hopFail(why);
            if (attempt + 1 >= HOP_ATTEMPTS) {
                hopsGivenUp.increment();
                hopFail("gave up after " + HOP_ATTEMPTS + " attempts, last: " + why);
                cl.hopping = false;
                cl.conn = null;
                return;
            }
            hopRetries.increment();
            later(TimeUnit.MILLISECONDS.toNanos(delayMillis), () -> attemptHop(cl, t, id, hopStart, attempt + 1));
        }

        private void register(Conn c) {
            c.loop = this;
            try {
                connecting.add(c);
                if (c.connectedAtOnce) {
                    c.key = c.ch.register(selector, SelectionKey.OP_WRITE, c);
                } else {
                    c.key = c.ch.register(selector, SelectionKey.OP_CONNECT, c);
                }
            } catch (ClosedChannelException e) {
                c.close(false);
            }
        }

        @Override
        public void run() {
            try {
                while (running) {
                    selector.select(100);
                    clock();
                    Runnable r;
                    while ((r = tasks.poll()) != null) {
                        r.run();
                    }
                    Timed due;
                    while ((due = timers.peek()) != null && due.dueNanos() - nowNanos <= 0) {
                        timers.poll().task().run();
                    }
                    for (SelectionKey k : selector.selectedKeys()) {
                        Conn c = (Conn) k.attachment();
                        if (k.isValid()) {
                            c.ready(k, this);
                        }
                    }
                    selector.selectedKeys().clear();
                    expire();
                }
                Runnable r;
                while ((r = tasks.poll()) != null) {
                    r.run();
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("selector thread failed: " + e);
                e.printStackTrace();
            } finally {
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // exiting anyway
                }
            }
        }

        private void clock() {
            Instant now = Instant.now();
            nowMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
            nowNanos = System.nanoTime();
        }

        /** Fails connections that have not reached their response headers in time (oldest first). */
        private void expire() {
            Conn c;
            while ((c = connecting.peek()) != null) {
                if (c.streaming || c.closed) {
                    connecting.poll();
                } else if (nowNanos - c.startNanos > connectTimeoutNanos) {
                    connecting.poll();
                    c.failed(c.connected ? "timeout: no response headers" : "timeout: connect");
                } else {
                    break;
                }
            }
        }

        void closeEverything(boolean abrupt) {
            for (SelectionKey k : selector.keys()) {
                if (k.attachment() instanceof Conn c) {
                    c.close(abrupt);
                }
            }
        }

        void recordLatency(int target, long micros) {
            recorders[target].recordValue(Math.min(HIGHEST_MICROS, Math.max(0, micros)));
        }

        void recordFirstEvent(long micros) {
            firstEvent.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, micros)));
        }
    }

    private record Timed(long dueNanos, Runnable task) {
    }

    /**
     * One client across its connections. The selector thread of {@code index} owns it; the
     * volatile fields are read by the controller.
     */
    private final class Client {
        final int index;
        final boolean stalled;
        final VersionCheck check = new VersionCheck();
        volatile Conn conn;
        volatile boolean hopping;
        volatile long lastSequence = -1;
        volatile int violations;

        Client(int index, boolean stalled) {
            this.index = index;
            this.stalled = stalled;
        }

        Loop loop() {
            return loops[index % loops.length];
        }
    }

    /** One connection; touched only by its selector thread, except the volatile fields. */
    private final class Conn implements SseParser.Listener {
        final Client client;
        final int target;
        final SocketChannel ch;
        final boolean connectedAtOnce;
        final long startNanos = System.nanoTime();
        final long startMicros = epochMicros();
        final SseParser parser = new SseParser(this);
        /** The Last-Event-ID sent, or null (a first connection, or a hop before any event). */
        final String lastEventId;
        /** When the hop began (the old connection closed); meaningful for a hop connection. */
        final long hopStartNanos;
        /** 0 for a client's first connection; for a hop connection, its attempt (0, then the retries). */
        final int attempt;
        final boolean isHop;
        SelectionKey key;
        ByteBuffer request;
        Loop loop;
        boolean connected;
        int status;
        long retryAfterMillis = 1000;
        long received;
        volatile boolean streaming;
        volatile boolean closed;

        Conn(Client client, int target, SocketChannel ch, boolean connectedAtOnce, String lastEventId, long hopStartNanos,
             int attempt) {
            this.client = client;
            this.target = target;
            this.ch = ch;
            this.connectedAtOnce = connectedAtOnce;
            this.lastEventId = lastEventId;
            this.hopStartNanos = hopStartNanos;
            this.attempt = attempt;
            this.isHop = hopStartNanos != 0;
        }

        /** Failed before streaming: a first connection counts a failure; a hop connection is retried. */
        void failed(String why) {
            if (closed) {
                return;
            }
            close(false);
            if (isHop) {
                loop.retryHop(client, target, lastEventId, hopStartNanos, attempt, why, retryAfterMillis);
            } else {
                fail(why);
            }
        }

        void ready(SelectionKey k, Loop l) {
            try {
                if (k.isConnectable()) {
                    ch.finishConnect();
                    connected = true;
                    k.interestOps(SelectionKey.OP_WRITE);
                }
                if (k.isValid() && k.isWritable()) {
                    connected = true;
                    if (request == null) {
                        request = ByteBuffer.wrap(lastEventId == null ? requests.get(target)
                                : request(hostHeaders.get(target), lastEventId));
                    }
                    ch.write(request);
                    if (!request.hasRemaining()) {
                        request = null;
                        k.interestOps(SelectionKey.OP_READ);
                    }
                }
                if (k.isValid() && k.isReadable()) {
                    read(l);
                }
            } catch (IOException | SseParser.ProtocolException e) {
                lost(reason(e));
            }
        }

        private void read(Loop l) throws IOException, SseParser.ProtocolException {
            ByteBuffer b = l.buf;
            for (int round = 0; round < 8 && !closed; round++) {
                b.clear();
                int n = ch.read(b);
                if (n < 0) {
                    lost(parser.done() ? "server ended the stream" : "EOF");
                    return;
                }
                if (n == 0) {
                    return;
                }
                b.flip();
                parser.feed(b);
                if (parser.done()) {
                    lost("server ended the stream");
                    return;
                }
            }
        }

        /** The connection failed (before streaming) or dropped (after). */
        private void lost(String why) {
            if (closed) {
                return;
            }
            if (streaming) {
                drop(why);
                close(false);
            } else {
                failed((connected ? "" : "connect: ") + why);
            }
        }

        void stopReading() {
            if (key != null && key.isValid() && streaming) {
                key.interestOps(0);
            }
        }

        void close(boolean abrupt) {
            if (closed) {
                return;
            }
            closed = true;
            if (streaming) {
                open.decrementAndGet();
            }
            try {
                if (abrupt && ch.isOpen()) {
                    ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                }
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }

        @Override
        public void onStatus(int s) {
            status = s;
        }

        @Override
        public void onHeader(String name, String value) {
            if (name.equalsIgnoreCase("retry-after")) {
                try {
                    retryAfterMillis = Math.clamp(Long.parseLong(value) * 1000, 100, 10_000);
                } catch (NumberFormatException e) {
                    // an HTTP date: keep the default
                }
            }
        }

        @Override
        public void onHeaders(boolean chunked, long contentLength) {
            if (closed) {
                return;
            }
            if (status != 200) {
                if (status == 503 && isHop) {
                    hop503.increment();
                }
                failed("http " + status);
                return;
            }
            streaming = true;
            open.incrementAndGet();
            if (isHop) {
                hopsResumed.increment();
                client.hopping = false;
                loop.hopResume.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (loop.nowNanos - hopStartNanos) / 1000)));
            } else {
                established.increment();
            }
        }

        @Override
        public void onComment() {
            heartbeats.increment();
        }

        @Override
        public void onEvent(long id, String event, byte[] data, int length) {
            if ("reset".equals(event)) {
                resets.increment();
                resetReasons.computeIfAbsent(resetReason(data, length), k -> new LongAdder()).increment();
                client.check.reset();
                return;
            }
            if (!"leaderboard".equals(event)) {
                return;
            }
            events.increment();
            long published = SseParser.longField(data, length, PUBLISHED_AT);
            if (received++ == 0) {
                if (!isHop) {
                    loop.recordFirstEvent((loop.nowNanos - startNanos) / 1000);
                } else if (published >= 0 && published * 1000 < startMicros - 1000) {
                    hopCatchUpEvents.increment(); // what the client missed while it hopped: not a publication now
                } else {
                    hopLiveFirstEvents.increment();
                    loop.recordLatency(target, loop.nowMicros - published * 1000);
                }
            } else if (published >= 0) {
                loop.recordLatency(target, loop.nowMicros - published * 1000);
            }
            long version = SseParser.longField(data, length, VERSION);
            switch (client.check.onEvent(parser.lastEventId().orElse(""), id, version)) {
                case REPEAT -> {
                    repeats.increment();
                    regressions.increment();
                    client.violations++;
                }
                case BACKWARDS -> {
                    backwards.increment();
                    regressions.increment();
                    client.violations++;
                }
                case VERSION_NOT_FORWARD -> {
                    versionNotForward.increment();
                    client.violations++;
                }
                case NEW_EPOCH -> newEpochs.increment();
                case FIRST, FORWARD -> {
                    // as it must be
                }
            }
            client.lastSequence = client.check.sequence();
            Probe p = probe;
            if (p != null && client.index == 0) {
                p.onVersion(version >= 0 ? version : id, loop.nowNanos);
            }
        }
    }

    /** @return the {@code reason} member of a reset event's JSON ({@code epoch}, {@code expired}, ...), or {@code ?} */
    private static String resetReason(byte[] data, int length) {
        String d = new String(data, 0, length, StandardCharsets.UTF_8);
        int at = d.indexOf("\"reason\":\"");
        if (at < 0) {
            return "?";
        }
        int from = at + "\"reason\":\"".length();
        int to = d.indexOf('"', from);
        return to < 0 ? "?" : d.substring(from, Math.min(to, from + 32));
    }

    private static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    /** @return a short description of the set-up, for the log */
    String describe() {
        return clients.length + " connections over " + targets.size() + " target(s), " + sources.size()
                + " source address(es) from " + sources.getFirst().getHostAddress() + ", " + loops.length
                + " selector thread(s)";
    }
}
