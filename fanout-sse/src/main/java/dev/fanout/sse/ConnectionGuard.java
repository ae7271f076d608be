package dev.fanout.sse;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.common.task.InterruptableTask;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1Connection;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.spi.ProtocolConfig;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import io.helidon.webserver.spi.ServerConnectionSelectorProvider;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Guards a Helidon 4 listener's HTTP/1.1 connections: read timeouts, {@code Connection: close}
 * honoured, HTTP/1.0 answered, and a share of the listener kept for requests that are not
 * waiting. It is the listener's only connection selector and hands each connection, once
 * identified, to Helidon's own HTTP/1.1 (or HTTP/2) connection, reading the socket for it.
 *
 * {@snippet file="dev/fanout/sse/SseExample.java" region="guard"}
 *
 * <h2>What Helidon 4.5.0 does not do, and this does</h2>
 * <ul>
 *   <li><b>Timeouts.</b> Helidon reads a connection with no timeout until a request is whole: a
 *       client that connects and sends nothing, part of a request head, or part of a body holds
 *       its connection (and a permit of {@code max-tcp-connections}) for good; its idle-connection
 *       check (5 minutes) sees only connections that were identified and are between requests.
 *       Here a blocked read is ended, and the connection closed, when the request head has not
 *       arrived within {@link Builder#headerTimeout} of the connection or of the head's first
 *       byte, a body not within {@link Builder#bodyTimeout} of its head, or no next request
 *       within {@link Builder#idleTimeout} of the last response. A handler that writes (a
 *       stream) never reads, so it is never timed out here.</li>
 *   <li><b>{@code Connection: close}.</b> Helidon sends {@code Connection: close} (asked for by
 *       the request, or set on the response) and then keeps reading the connection, so a body it
 *       did not read becomes the next request (helidon-io/helidon#12324, fixed after 4.5.3).
 *       Here the connection ends after such a response; when the server chose to close after a
 *       request with a body (an error answered before the body was read), after reading and
 *       dropping what the client still sends for up to half a second (closing with unread bytes
 *       resets the connection, and the client may lose the response).</li>
 *   <li><b>HTTP/1.0.</b> Helidon closes an HTTP/1.0 connection without an answer when HTTP/2 is
 *       also on the listener. Here the request is served as HTTP/1.1 and the connection closed
 *       after the response, as HTTP/1.0 expects.</li>
 *   <li><b>A request line too long.</b> With HTTP/2 on the listener, Helidon closes without an
 *       answer; here HTTP/1.1 gets it and answers 414.</li>
 *   <li><b>A share for requests.</b> When more than {@code maxConnections - reserve}
 *       connections are open, the ones waiting longest for a request (connected but silent, or
 *       idle between requests) are closed, and a connection accepted then that sends nothing
 *       within half a second is closed too, so the last {@code reserve} permits of the listener
 *       ({@link Builder#share}) stay free for requests; streams are never closed for this. Keep
 *       the stream limit ({@link SseHandler.Builder#maxConnections}) at most
 *       {@code maxConnections - reserve} too.</li>
 * </ul>
 * HTTP/2 connections (prior knowledge, or upgraded from HTTP/1.1) are handed to Helidon and
 * not timed out here.
 *
 * <h2>Threads</h2>
 * Thread-safe. Each connection is read on its own (virtual) thread as Helidon runs it; one
 * platform daemon thread ({@code fanout-connection-guard}) checks the blocked reads twice a
 * second from {@link #install} until {@link #close()}. {@link #stats()} may be called from any
 * thread.
 */
public final class ConnectionGuard implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ConnectionGuard.class.getName());
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** Over the line, how long a new connection may stay silent before it is closed. */
    private static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final int LINGER_BYTES = 256 * 1024;
    private static final byte[] HTTP_1_0 = " HTTP/1.0\r".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_FIRST_LINE = 16 * 1024;

    /** Why the guard closed a connection. */
    public enum Reason {
        /** The request head did not arrive within the header timeout (a silent or slow client). */
        HEADER_TIMEOUT,
        /** A request body did not arrive within the body timeout. */
        BODY_TIMEOUT,
        /** No next request within the idle timeout of the last response. */
        IDLE_TIMEOUT,
        /** Closed while waiting for a request, to keep the listener's reserve free. */
        EVICTED,
        /** Closed after a response that said {@code Connection: close}, or to an HTTP/1.0 client. */
        CONNECTION_CLOSE
    }

    /** A connection's phase, as the guard times it. */
    enum Phase {
        /** Waiting for, or reading, a request head. */
        HEAD,
        /** Reading a request body. */
        BODY,
        /** In a handler (no reads expected), or upgraded to another protocol. */
        HANDLER,
        /** The response started: the next read is the next request. */
        IDLE,
        /** Closing: reading what the client still sends, for a moment. */
        LINGER
    }

    private final long headerNanos;
    private final long bodyNanos;
    private final long idleNanos;
    private final int maxConnections;
    private final int reserve;
    private final Set<State> states = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder[] closed = new LongAdder[Reason.values().length];
    private final ReentrantLock shedding = new ReentrantLock();
    /**
     * Until when an accept does not scan: the last scan could not bring the connections below
     * the line (what is open beyond it is streams and requests under way, which are not shed).
     * Without it every accept over the line walked every connection: with 19,000 streams, a
     * tenth of the server's CPU while clients reconnected (docs/load.md, scenario 7).
     */
    private volatile long scanPausedUntil;
    /** Scans started by an accept; read by tests. */
    private final LongAdder acceptScans = new LongAdder();
    private volatile Thread ticker;
    private volatile boolean stopped;

    private ConnectionGuard(Builder b) {
        this.headerNanos = b.headerTimeout.toNanos();
        this.bodyNanos = b.bodyTimeout.toNanos();
        this.idleNanos = b.idleTimeout.toNanos();
        this.maxConnections = b.maxConnections;
        this.reserve = b.reserve;
        this.scanPausedUntil = System.nanoTime();
        for (int i = 0; i < closed.length; i++) {
            closed[i] = new LongAdder();
        }
    }

    /** {@return a builder with the defaults: header 10 s, body 10 s, idle 30 s, no connection limit} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Makes this guard the listener's only connection selector: the HTTP/1.1 and HTTP/2 selectors
     * Helidon would use (found as Helidon finds them, configured from {@code server.protocols}
     * as it would configure them) are created here and used behind the guard. Call it once, after
     * the rest of the builder's configuration and before {@code build()}.
     *
     * @param server the server's builder (its default listener is guarded)
     * @return the same builder
     * @throws IllegalStateException when this guard was installed already
     */
    public WebServerConfig.Builder install(WebServerConfig.Builder server) {
        Objects.requireNonNull(server, "server");
        if (ticker != null) {
            throw new IllegalStateException("already installed");
        }
        WebServerConfig probe = server.buildPrototype();
        List<ServerConnectionSelector> selectors = selectors(probe.name(), probe.protocols());
        server.protocolsDiscoverServices(false)
                .protocols(List.of())
                .connectionSelectors(List.of(new Selector(selectors)));
        Thread t = Thread.ofPlatform().daemon().name("fanout-connection-guard").unstarted(this::tick);
        ticker = t;
        t.start();
        return server;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private List<ServerConnectionSelector> selectors(String listener, List<ProtocolConfig> protocols) {
        List<ProtocolConfig> withListeners = new ArrayList<>();
        for (ProtocolConfig p : protocols) {
            if (p instanceof Http1Config h1) {
                // the only listener, forwarding to Helidon's: 4.5.0's list of several listeners
                // (Http1ConnectionListenerUtil.ListFrameListener) forwards nothing
                withListeners.add(Http1Config.builder().from(h1)
                        .receiveListeners(List.of(new Receive(h1.compositeReceiveListener())))
                        .sendListeners(List.of(new Send(h1.compositeSendListener())))
                        .build());
            } else {
                withListeners.add(p);
            }
        }
        ProtocolConfigs configs = ProtocolConfigs.create(withListeners);
        List<ServerConnectionSelector> out = new ArrayList<>();
        for (ServerConnectionSelectorProvider provider : ServiceLoader.load(ServerConnectionSelectorProvider.class,
                ConnectionGuard.class.getClassLoader())) {
            for (Object c : configs.config(provider.protocolType(), provider.protocolConfigType())) {
                out.add(provider.create(listener, (ProtocolConfig) c, configs));
            }
        }
        if (out.stream().noneMatch(s -> s.supportedApplicationProtocols().contains("http/1.1"))) {
            throw new IllegalStateException("no HTTP/1.1 connection selector found (helidon-webserver on the path?)");
        }
        return out;
    }

    /** {@return connections open on the guarded listener now; any thread} */
    public int openConnections() {
        return open.get();
    }

    /**
     * Connections closed for one reason.
     *
     * @param reason why
     * @return connections the guard closed for that reason so far; any thread
     */
    public long closed(Reason reason) {
        return closed[reason.ordinal()].sum();
    }

    /** {@return every {@link #closed(Reason)} count; any thread} */
    public Map<Reason, Long> stats() {
        Map<Reason, Long> m = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) {
            m.put(r, closed(r));
        }
        return m;
    }

    /** Stops the checking thread; connections are no longer timed out. Idempotent. */
    @Override
    public void close() {
        stopped = true;
        Thread t = ticker;
        if (t != null) {
            t.interrupt();
        }
    }

    // ------------------------------------------------------------------ the checking thread

    private void tick() {
        while (!stopped) {
            try {
                TimeUnit.NANOSECONDS.sleep(TICK_NANOS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (State s : states) {
                try {
                    s.checkTimeout(now);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "closing a timed-out connection failed: " + e);
                }
            }
            shed(); // also when no connection is accepted: the listener may be out of permits
        }
    }

    /**
     * An accept's look at the line: a scan unless the last one, less than a tick ago, found
     * nothing more to close (the checking thread still scans every tick, and a silent newcomer
     * over the line is closed after its grace by the timeout check).
     */
    private void shedOnAccept() {
        if (maxConnections <= 0 || open.get() <= maxConnections - reserve
                || System.nanoTime() - scanPausedUntil < 0) {
            return;
        }
        acceptScans.increment();
        shed();
    }

    /** {@return how many scans for connections to close an accept started; for tests} */
    long acceptScans() {
        return acceptScans.sum();
    }

    /**
     * Closes the longest-waiting connections while fewer than the reserve of permits are free:
     * down to half the reserve below the line, so that the scan is not repeated per accept and
     * requests find free permits at once.
     */
    private void shed() {
        int limit = maxConnections - reserve;
        if (maxConnections <= 0 || open.get() <= limit || !shedding.tryLock()) {
            return;
        }
        try {
            int excess = open.get() - limit;
            if (excess <= 0) {
                return;
            }
            int batch = excess + Math.max(1, reserve / 2);
            PriorityQueue<State> newestFirst = new PriorityQueue<>(batch + 1,
                    (a, b) -> Long.compare(b.waitingSince, a.waitingSince));
            for (State s : states) {
                if (s.waiting()) {
                    newestFirst.add(s);
                    if (newestFirst.size() > batch) {
                        newestFirst.poll();
                    }
                }
            }
            if (newestFirst.size() < excess) {
                scanPausedUntil = System.nanoTime() + TICK_NANOS;
            }
            for (State s : newestFirst) {
                s.closeFor(Reason.EVICTED, s.reading);
            }
        } finally {
            shedding.unlock();
        }
    }

    // ------------------------------------------------------------------ per connection

    /** One connection's timing state, shared by its thread, the listeners and the checking thread. */
    private final class State {
        private static final VarHandle READING;

        static {
            try {
                READING = MethodHandles.lookup().findVarHandle(State.class, "reading", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final ConnectionContext ctx;
        /** The start of the read blocked now (positive), 0 when not reading, -1 once closed here. */
        volatile long reading;
        volatile Phase phase = Phase.HEAD;
        /** When the current phase's clock started. */
        volatile long since = System.nanoTime();
        /** When this connection began to wait for a request (for eviction order). */
        volatile long waitingSince = since;
        volatile boolean closeAfterResponse;
        /** Set when a request came with a body: closing may leave some of it unread. */
        volatile boolean hadBody;
        /** Set when the client asked for the close (it sends nothing more after its request). */
        volatile boolean clientClosing;
        volatile Reason closedFor;
        volatile ServerConnection delegate;
        /** Accepted while fewer than the reserve of permits were free: silence is cut short. */
        volatile boolean overTheLine;
        /** Whether any byte of a request has arrived. */
        volatile boolean spoke;

        State(ConnectionContext ctx) {
            this.ctx = ctx;
        }

        void phase(Phase p) {
            long now = System.nanoTime();
            since = now;
            if (p == Phase.IDLE) {
                waitingSince = now;
            }
            phase = p;
        }

        boolean waiting() {
            Phase p = phase;
            return reading > 0 && (p == Phase.IDLE || p == Phase.HEAD);
        }

        /** Checking thread: closes the connection when its blocked read is past its phase's deadline. */
        void checkTimeout(long now) {
            long r = reading;
            if (r <= 0) {
                return;
            }
            Phase p = phase;
            long s = since;
            if (overTheLine && !spoke && p == Phase.HEAD && now - s > GRACE_NANOS) {
                closeFor(Reason.EVICTED, r); // a silent newcomer while the listener is short of permits
                return;
            }
            Reason why = switch (p) {
                case HEAD -> now - s > headerNanos ? Reason.HEADER_TIMEOUT : null;
                case BODY -> now - s > bodyNanos ? Reason.BODY_TIMEOUT : null;
                case IDLE -> now - Math.max(s, r) > idleNanos ? Reason.IDLE_TIMEOUT : null;
                case LINGER -> now - s > LINGER_NANOS ? Reason.CONNECTION_CLOSE : null;
                case HANDLER -> null;
            };
            if (why != null) {
                closeFor(why == Reason.CONNECTION_CLOSE ? null : why, r);
            }
        }

        /** Closes the socket under a read that began at {@code r}, unless that read has ended. */
        void closeFor(Reason why, long r) {
            if (r <= 0 || !READING.compareAndSet(this, r, -1L)) {
                return;
            }
            closedFor = why;
            if (why != null) {
                closed[why.ordinal()].increment();
            }
            try {
                ctx.serverSocket().close();
            } catch (RuntimeException e) {
                // already closed
            }
        }

        /** The connection's thread: one blocking read, timed. */
        byte[] read(HelidonSocket socket) {
            long start = System.nanoTime();
            start = start > 0 ? start : 1;
            if (!READING.compareAndSet(this, 0L, start)) {
                throw closedHere();
            }
            byte[] data;
            try {
                data = socket.get();
            } catch (UncheckedIOException e) {
                if (!READING.compareAndSet(this, start, 0L)) {
                    throw closedHere();
                }
                throw new ServerConnectionException("Failed to get data from socket", e);
            } catch (RuntimeException e) {
                if (!READING.compareAndSet(this, start, 0L)) {
                    throw closedHere();
                }
                throw e;
            }
            if (!READING.compareAndSet(this, start, 0L)) {
                throw closedHere();
            }
            if (data != null) {
                spoke = true;
                if (phase == Phase.IDLE) {
                    phase(Phase.HEAD); // the next request's first bytes: the header clock starts
                }
            }
            return data;
        }

        private CloseConnectionException closedHere() {
            Reason r = closedFor;
            return new CloseConnectionException(r == null ? "closed" : "closed: " + r);
        }
    }

    /** Feeds Helidon's reader from the socket through the state's timed reads; rewrites HTTP/1.0. */
    private static final class Feed implements java.util.function.Supplier<byte[]> {
        private final State state;
        private final HelidonSocket socket;
        /** The bytes held back until the first line (HTTP/1.0: the head) is whole; null after. */
        private byte[] held = new byte[512];
        private int length;
        /** How far {@link #held} was searched for the end of the first line. */
        private int scanned;

        Feed(State state, HelidonSocket socket) {
            this.state = state;
            this.socket = socket;
        }

        @Override
        public byte[] get() {
            if (state.closeAfterResponse && state.phase == Phase.IDLE) {
                return null; // the response said Connection: close: no next request is read
            }
            while (true) {
                byte[] data = state.read(socket);
                if (held == null) {
                    return data;
                }
                if (data == null) { // the client stopped sending: hand over what came
                    byte[] rest = length == 0 ? null : java.util.Arrays.copyOf(held, length);
                    held = null;
                    return rest;
                }
                append(data);
                int lf = -1;
                for (int i = scanned; i < length; i++) {
                    if (held[i] == '\n') {
                        lf = i;
                        break;
                    }
                }
                scanned = length;
                if (lf < 0 && length < MAX_FIRST_LINE) {
                    continue; // hold back until the first line is whole, to see its version
                }
                if (lf > HTTP_1_0.length && regionEquals(held, lf - HTTP_1_0.length, HTTP_1_0)) {
                    // HTTP/1.0: served as HTTP/1.1 (a response an HTTP/1.0 client reads), then
                    // closed; HTTP/1.1 needs a Host, which HTTP/1.0 clients may leave out: hold the
                    // head back until it is whole, to add one if it is missing
                    int end = headEnd(held, length);
                    if (end < 0 && length < MAX_FIRST_LINE) {
                        scanned = lf; // the first line is known; wait for the rest of the head
                        continue;
                    }
                    byte[] all = java.util.Arrays.copyOf(held, length);
                    held = null;
                    all[lf - 2] = '1';
                    state.closeAfterResponse = true;
                    if (end >= 0 && !hasHost(all, lf, Math.max(lf, end + 2))) {
                        PeerInfo local = socket.localPeer();
                        byte[] host = ("Host: " + local.host() + ":" + local.port() + "\r\n")
                                .getBytes(StandardCharsets.US_ASCII);
                        byte[] with = new byte[all.length + host.length];
                        System.arraycopy(all, 0, with, 0, lf + 1);
                        System.arraycopy(host, 0, with, lf + 1, host.length);
                        System.arraycopy(all, lf + 1, with, lf + 1 + host.length, all.length - lf - 1);
                        all = with;
                    }
                    return all;
                }
                byte[] all = java.util.Arrays.copyOf(held, length);
                held = null;
                return all;
            }
        }

        private void append(byte[] data) {
            if (length + data.length > held.length) {
                held = java.util.Arrays.copyOf(held, Math.max(held.length * 2, length + data.length));
            }
            System.arraycopy(data, 0, held, length, data.length);
            length += data.length;
        }

        private static boolean regionEquals(byte[] b, int at, byte[] what) {
            for (int i = 0; i < what.length; i++) {
                if (b[at + i] != what[i]) {
                    return false;
                }
            }
            return true;
        }

        /** {@return the index of the blank line ending the head, or -1} */
        private static int headEnd(byte[] b, int length) {
            for (int i = 0; i + 3 < length; i++) {
                if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private static boolean hasHost(byte[] b, int from, int to) {
            String head = new String(b, from, to - from, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
            return head.contains("\nhost:");
        }

    }

    /** The connection context Helidon's connection sees: the original, but read through the guard. */
    private static final class GuardedContext implements ConnectionContext {
        final ConnectionContext ctx;
        final State state;
        final DataReader reader;

        GuardedContext(ConnectionContext ctx, State state) {
            this.ctx = ctx;
            this.state = state;
            this.reader = DataReader.create(new Feed(state, ctx.serverSocket()));
        }

        @Override
        public ListenerContext listenerContext() {
            return ctx.listenerContext();
        }

        @Override
        public ExecutorService executor() {
            return ctx.executor();
        }

        @Override
        public DataWriter dataWriter() {
            return ctx.dataWriter();
        }

        @Override
        public DataReader dataReader() {
            return reader;
        }

        @Override
        public Router router() {
            return ctx.router();
        }

        @Override
        public Optional<ProxyProtocolData> proxyProtocolData() {
            return ctx.proxyProtocolData();
        }

        @Override
        public HelidonSocket serverSocket() {
            return ctx.serverSocket();
        }

        @Override
        public PeerInfo remotePeer() {
            return ctx.remotePeer();
        }

        @Override
        public PeerInfo localPeer() {
            return ctx.localPeer();
        }

        @Override
        public boolean isSecure() {
            return ctx.isSecure();
        }

        @Override
        public String socketId() {
            return ctx.socketId();
        }

        @Override
        public String childSocketId() {
            return ctx.childSocketId();
        }
    }

    private static State state(ConnectionContext ctx) {
        return ctx instanceof GuardedContext g ? g.state : null;
    }

    /** Forwards every event to Helidon's own listener. */
    private abstract static class Forwarding implements Http1ConnectionListener {
        final Http1ConnectionListener next;

        Forwarding(Http1ConnectionListener next) {
            this.next = next;
        }

        @Override
        public void data(ConnectionContext ctx, BufferData data) {
            next.data(ctx, data);
        }

        @Override
        public void data(ConnectionContext ctx, byte[] data, int position, int length) {
            next.data(ctx, data, position, length);
        }

        @Override
        public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
            next.prologue(ctx, prologue);
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            next.headers(ctx, headers);
        }

        @Override
        public void status(ConnectionContext ctx, Status status) {
            next.status(ctx, status);
        }
    }

    /** Request events of Helidon's HTTP/1.1 connection: the head is whole. */
    private static final class Receive extends Forwarding {
        Receive(Http1ConnectionListener next) {
            super(next);
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            next.headers(ctx, headers);
            State s = state(ctx);
            if (s == null) {
                return;
            }
            if (headers.containsToken(HeaderValues.CONNECTION_CLOSE)) {
                s.closeAfterResponse = true;
                s.clientClosing = true;
            }
            boolean body = headers.contains(HeaderNames.TRANSFER_ENCODING)
                    || headers.contains(HeaderNames.CONTENT_LENGTH) && !headers.contains(HeaderValues.CONTENT_LENGTH_ZERO);
            if (body) {
                s.hadBody = true;
            }
            s.phase(body ? Phase.BODY : Phase.HANDLER);
        }
    }

    /** Response events of Helidon's HTTP/1.1 connection: a response starts. */
    private static final class Send extends Forwarding {
        Send(Http1ConnectionListener next) {
            super(next);
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            next.headers(ctx, headers);
            State s = state(ctx);
            if (s == null || !(headers instanceof ServerResponseHeaders response)) {
                return;
            }
            if (response.containsToken(HeaderValues.CONNECTION_CLOSE)) {
                s.closeAfterResponse = true;
            } else if (s.closeAfterResponse) {
                response.set(HeaderValues.CONNECTION_CLOSE);
            }
            if (s.closeAfterResponse) {
                // no next request: Helidon's loop ends after this response. Not when Helidon is
                // answering a failed request head: it leaves its loop anyway, and close() would
                // interrupt this very thread, and so the write of the answer
                ServerConnection d = s.delegate;
                if (d != null && !(d instanceof InterruptableTask<?> t && t.canInterrupt())) {
                    d.close(false);
                }
            }
            if (s.phase != Phase.BODY) {
                s.phase(Phase.IDLE);
            }
        }
    }

    /** The listener's one selector: takes every connection, identifies it itself. */
    private final class Selector implements ServerConnectionSelector {
        private final List<ServerConnectionSelector> delegates;
        private final ServerConnectionSelector http1;

        Selector(List<ServerConnectionSelector> delegates) {
            this.delegates = List.copyOf(delegates);
            this.http1 = delegates.stream().filter(s -> s.supportedApplicationProtocols().contains("http/1.1"))
                    .findFirst().orElseThrow();
        }

        @Override
        public int bytesToIdentifyConnection() {
            return 0;
        }

        @Override
        public Support supports(BufferData data) {
            return Support.SUPPORTED;
        }

        @Override
        public Set<String> supportedApplicationProtocols() {
            Set<String> all = new java.util.LinkedHashSet<>();
            delegates.forEach(d -> all.addAll(d.supportedApplicationProtocols()));
            return all;
        }

        @Override
        public ServerConnection connection(ConnectionContext ctx) {
            return new Guarded(ctx, this);
        }

        /** Picks the delegate for the first bytes, as Helidon's connection handler would. */
        ServerConnection identify(GuardedContext ctx) {
            DataReader reader = ctx.dataReader();
            reader.ensureAvailable();
            List<ServerConnectionSelector> candidates = new ArrayList<>(delegates);
            while (true) {
                BufferData current = reader.getBuffer(reader.available());
                Iterator<ServerConnectionSelector> it = candidates.iterator();
                while (it.hasNext()) {
                    ServerConnectionSelector c = it.next();
                    int expected = c.bytesToIdentifyConnection();
                    if (expected != 0 && expected >= current.available()) {
                        continue;
                    }
                    current.rewind();
                    switch (c.supports(current)) {
                        case SUPPORTED -> {
                            return c.connection(ctx);
                        }
                        case UNSUPPORTED -> it.remove();
                        case UNKNOWN -> {
                            if (expected != 0) {
                                it.remove();
                            }
                        }
                        default -> throw new IllegalStateException("unknown support");
                    }
                }
                if (candidates.isEmpty() || reader.available() >= MAX_FIRST_LINE) {
                    // not recognised (a request line too long, an unknown version): HTTP/1.1
                    // answers it as well as it can (414, 505, 400)
                    return http1.connection(ctx);
                }
                reader.getBuffer(reader.available() + 1); // read more
            }
        }
    }

    /** One guarded connection. */
    private final class Guarded implements ServerConnection, InterruptableTask<Void> {
        private final GuardedContext ctx;
        private final Selector selector;
        private final long created = System.nanoTime();

        Guarded(ConnectionContext ctx, Selector selector) {
            this.ctx = new GuardedContext(ctx, new State(ctx));
            this.selector = selector;
        }

        @Override
        public void handle(Limit limit) throws InterruptedException {
            State s = ctx.state;
            states.add(s);
            int now = open.incrementAndGet();
            try {
                if (maxConnections > 0 && now > maxConnections - reserve) {
                    s.overTheLine = true;
                }
                shedOnAccept();
                ServerConnection d;
                try {
                    d = selector.identify(ctx);
                } catch (DataReader.InsufficientDataAvailableException e) {
                    throw new CloseConnectionException("closed before a request", e);
                }
                s.delegate = d;
                if (!(d instanceof Http1Connection)) {
                    s.phase(Phase.HANDLER); // HTTP/2: not timed here
                }
                try {
                    d.handle(limit);
                } finally {
                    if (s.closeAfterResponse && s.reading >= 0) {
                        closed[Reason.CONNECTION_CLOSE.ordinal()].increment();
                        if (s.hadBody && !s.clientClosing) {
                            linger(s); // the server closes: the client may still be sending
                        }
                    }
                }
            } finally {
                states.remove(s);
                open.decrementAndGet();
            }
        }

        /**
         * Reads and drops what the client still sends of a body, for up to half a second, before
         * Helidon closes: closing a socket with unread bytes resets it, and a client may lose the
         * response to the reset.
         */
        private void linger(State s) {
            s.phase(Phase.LINGER);
            int drained = ctx.reader.available();
            try {
                while (drained < LINGER_BYTES) {
                    byte[] b = s.read(ctx.serverSocket());
                    if (b == null) {
                        return;
                    }
                    drained += b.length;
                }
            } catch (RuntimeException e) {
                // closed: the client went away or the second is up
            }
        }

        @Override
        public boolean canInterrupt() {
            ServerConnection d = ctx.state.delegate;
            return d == null || d instanceof InterruptableTask<?> t && t.canInterrupt();
        }

        @Override
        public Duration idleTime() {
            ServerConnection d = ctx.state.delegate;
            return d == null ? Duration.ofNanos(System.nanoTime() - created) : d.idleTime();
        }

        @Override
        public void close(boolean interrupt) {
            ServerConnection d = ctx.state.delegate;
            if (d != null) {
                d.close(interrupt);
            } else {
                ctx.state.closeFor(null, ctx.state.reading);
            }
        }
    }

    // ------------------------------------------------------------------ builder

    /** Configures a {@link ConnectionGuard}. Not thread-safe; each option may be set once. */
    public static final class Builder {
        private Duration headerTimeout;
        private Duration bodyTimeout;
        private Duration idleTimeout;
        private int maxConnections;
        private int reserve = -1;

        private Builder() {
        }

        private static Duration positive(String name, Duration current, Duration d) {
            if (current != null) {
                throw new IllegalStateException(name + " was already set");
            }
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
            }
            return d;
        }

        /**
         * Sets how long a request head may take.
         *
         * @param timeout how long a request head may take, from the connection (or, for a later
         *                request, from its first byte) to its last header (default 10 s)
         * @return this
         */
        public Builder headerTimeout(Duration timeout) {
            this.headerTimeout = positive("headerTimeout", headerTimeout, timeout);
            return this;
        }

        /**
         * Sets how long a request body may take.
         *
         * @param timeout how long a request body may take after its head (default 10 s); the
         *                whole body, not each read, so a client that trickles it is cut off
         * @return this
         */
        public Builder bodyTimeout(Duration timeout) {
            this.bodyTimeout = positive("bodyTimeout", bodyTimeout, timeout);
            return this;
        }

        /**
         * Sets how long a kept-alive connection may wait for its next request.
         *
         * @param timeout how long a kept-alive connection may wait for its next request after a
         *                response (default 30 s)
         * @return this
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = positive("idleTimeout", idleTimeout, timeout);
            return this;
        }

        /**
         * Shares the listener's connection limit between streams and requests.
         *
         * @param maxConnections the listener's {@code max-tcp-connections}
         * @param reserve        how many of them waiting connections may not take: above
         *                       {@code maxConnections - reserve} open, the longest-waiting ones
         *                       are closed
         * @return this
         */
        public Builder share(int maxConnections, int reserve) {
            if (this.maxConnections != 0) {
                throw new IllegalStateException("share was already set");
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: > 0)");
            }
            if (reserve < 1 || reserve >= maxConnections) {
                throw new IllegalArgumentException("reserve: " + reserve + " (expected: 1 to " + (maxConnections - 1) + ")");
            }
            this.maxConnections = maxConnections;
            this.reserve = reserve;
            return this;
        }

        /** {@return the guard} */
        public ConnectionGuard build() {
            if (headerTimeout == null) {
                headerTimeout = Duration.ofSeconds(10);
            }
            if (bodyTimeout == null) {
                bodyTimeout = Duration.ofSeconds(10);
            }
            if (idleTimeout == null) {
                idleTimeout = Duration.ofSeconds(30);
            }
            if (reserve < 0) {
                reserve = 0;
            }
            return new ConnectionGuard(this);
        }
    }
}
