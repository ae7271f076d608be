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
import java.util.List;
import java.util.Map;
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
 * <p>Thread-safety: {@link #open(int)} is called by one ramp thread; the counters, drains and
 * {@link #closeAll(boolean)} by the controller; everything else runs on the selector threads.
 */
final class StreamClients implements AutoCloseable {

    static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);
    private static final byte[] PUBLISHED_AT = "\"published_at\"".getBytes(StandardCharsets.US_ASCII);

    /** Called on a selector thread for every event of the probe connection. */
    interface Probe {
        void onVersion(long version, long nowNanos);
    }

    private final List<InetSocketAddress> targets;
    private final List<byte[]> requests;
    private final List<InetAddress> sources;
    private final Loop[] loops;
    private final long connectTimeoutNanos;
    private final int stallEvery; // 0: none
    private final int stalledRcvBuf;
    private final Conn[] conns;
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

    /**
     * @param targets        where to connect, one per instance; connection i goes to target i % size
     * @param hostHeaders    the Host header for each target
     * @param path           the stream path
     * @param sources        local addresses to bind; connection i uses source i % size
     * @param threads        selector threads
     * @param max            the most connections {@link #open(int)} may be asked for
     * @param connectTimeout how long a connection may take to reach its response headers
     * @param stallFraction  the fraction of connections that {@link #stall()} stops reading (0 for none)
     * @param stalledRcvBuf  SO_RCVBUF of those connections, so a stalled reader fills up soon (0: default)
     */
    StreamClients(List<InetSocketAddress> targets, List<String> hostHeaders, String path, List<InetAddress> sources,
                  int threads, int max, long connectTimeout, double stallFraction, int stalledRcvBuf) {
        this.targets = List.copyOf(targets);
        this.requests = hostHeaders.stream()
                .map(h -> ("GET " + path + " HTTP/1.1\r\nHost: " + h + "\r\nAccept: text/event-stream\r\n"
                        + "Cache-Control: no-cache\r\nUser-Agent: fanout-load\r\n\r\n").getBytes(StandardCharsets.US_ASCII))
                .toList();
        this.sources = List.copyOf(sources);
        this.connectTimeoutNanos = connectTimeout;
        this.stallEvery = stallFraction <= 0 ? 0 : (int) Math.max(1, Math.round(1 / stallFraction));
        this.stalledRcvBuf = stalledRcvBuf;
        this.conns = new Conn[max];
        this.loops = new Loop[threads];
        for (int i = 0; i < threads; i++) {
            loops[i] = new Loop(i);
        }
        for (Loop l : loops) {
            l.thread.start();
        }
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
        int t = i % targets.size();
        boolean stalled = stallEvery > 0 && i % stallEvery == stallEvery - 1;
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open();
            ch.configureBlocking(false);
            if (stalled && stalledRcvBuf > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, stalledRcvBuf);
            }
            ch.bind(new InetSocketAddress(sources.get(i % sources.size()), 0));
            boolean now = ch.connect(targets.get(t));
            Conn c = new Conn(i, t, ch, stalled, now);
            conns[i] = c;
            loops[i % loops.length].add(c);
        } catch (IOException | RuntimeException e) {
            fail("open: " + reason(e));
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }
    }

    /** Stops reading on the chosen fraction of the streaming connections, as a stalled client would. */
    int stall() {
        int n = 0;
        for (Conn c : conns) {
            if (c != null && c.stalled) {
                n++;
                loops[c.index % loops.length].post(c::stopReading);
            }
        }
        return n;
    }

    /** @return the connections marked as stalled */
    int stalledCount() {
        int n = 0;
        for (Conn c : conns) {
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
        for (Conn c : conns) {
            if (c != null && c.target == t && c.streaming && !c.closed && !c.stalled && c.lastVersion < version) {
                n++;
            }
        }
        return n;
    }

    /** @return streaming, non-stalled connections of target {@code t} */
    long streaming(int t) {
        long n = 0;
        for (Conn c : conns) {
            if (c != null && c.target == t && c.streaming && !c.closed && !c.stalled) {
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
                    fail(c.connected ? "timeout: no response headers" : "timeout: connect");
                    c.close(false);
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

    /** One connection; touched only by its selector thread, except the volatile fields. */
    private final class Conn implements SseParser.Listener {
        final int index;
        final int target;
        final SocketChannel ch;
        final boolean stalled;
        final boolean connectedAtOnce;
        final long startNanos = System.nanoTime();
        final SseParser parser = new SseParser(this);
        SelectionKey key;
        ByteBuffer request;
        Loop loop;
        boolean connected;
        int status;
        long received;
        volatile boolean streaming;
        volatile boolean closed;
        volatile long lastVersion = -1;

        Conn(int index, int target, SocketChannel ch, boolean stalled, boolean connectedAtOnce) {
            this.index = index;
            this.target = target;
            this.ch = ch;
            this.stalled = stalled;
            this.connectedAtOnce = connectedAtOnce;
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
                        request = ByteBuffer.wrap(requests.get(target));
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
            } else {
                fail((connected ? "" : "connect: ") + why);
            }
            close(false);
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
            if (s != 200) {
                fail("http " + s);
                close(false);
            }
        }

        @Override
        public void onHeaders(boolean chunked, long contentLength) {
            if (status == 200 && !closed) {
                streaming = true;
                established.increment();
                open.incrementAndGet();
            }
        }

        @Override
        public void onComment() {
            heartbeats.increment();
        }

        @Override
        public void onEvent(long id, String event, byte[] data, int length) {
            if (!"leaderboard".equals(event)) {
                return;
            }
            events.increment();
            long v = id;
            if (received++ == 0) {
                loop.recordFirstEvent((loop.nowNanos - startNanos) / 1000);
            } else {
                long published = SseParser.longField(data, length, PUBLISHED_AT);
                if (published >= 0) {
                    loop.recordLatency(target, loop.nowMicros - published * 1000);
                }
            }
            if (v <= lastVersion) {
                regressions.increment();
            } else {
                lastVersion = v;
            }
            Probe p = probe;
            if (p != null && index == 0) {
                p.onVersion(v, loop.nowNanos);
            }
        }
    }

    /** @return a short description of the set-up, for the log */
    String describe() {
        return conns.length + " connections over " + targets.size() + " target(s), " + sources.size()
                + " source address(es) from " + sources.getFirst().getHostAddress() + ", " + loops.length
                + " selector thread(s)";
    }
}
