package dev.fanout.sse;

import dev.fanout.CloseReason;
import dev.fanout.DeliveryHandler;
import dev.fanout.Hub;
import dev.fanout.Overflow;
import dev.fanout.Position;
import dev.fanout.Subscription;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * A Helidon SE {@link Handler} that streams a {@link Hub} to every request as Server-Sent Events.
 *
 * {@snippet file="dev/fanout/sse/SseExample.java" region="example"}
 *
 * <h2>Per request</h2>
 * <ol>
 *   <li>Authorization, with an {@link Builder#authorizer authorizer}: a refused request gets
 *       {@code 401} (with {@code WWW-Authenticate}) or {@code 403} and holds nothing.</li>
 *   <li>The strategy: with {@link Builder#overflowChoices}, a request may name one of the
 *       allowed strategies in {@code ?overflow=ALIAS}; any other value gets {@code 400}.</li>
 *   <li>Admission: with {@link Builder#maxConnections} streams open, the request gets
 *       {@code 503} with a jittered {@code Retry-After} and, over HTTP/1, {@code Connection: close}
 *       (so a refused client does not hold a connection the server keeps for others; Helidon
 *       4.5.0 closes it only behind a {@link ConnectionGuard}); so does every request once the
 *       handler is closed. A stream whose client has gone still counts until a write to it fails
 *       (on an idle stream, the next heartbeat), so a refusal also asks every stream idle for a
 *       second for a heartbeat now (at most once per 5 s): the refused client's retry finds the
 *       room that departed clients held.</li>
 *   <li>The hub is chosen ({@link #builder(Hub)}, or from the request with
 *       {@link #builder(Function)}: empty means {@code 404}).</li>
 *   <li>The connection subscribes with its own strategy (the request's choice, else
 *       {@link Builder#overflow}, default {@link Overflow#latestOnly()}) and starts as
 *       {@linkplain ##resume Resume} says.</li>
 *   <li>A {@code retry:} hint (base plus random jitter) goes out at once, with the headers.</li>
 *   <li>Then events as they come: everything pending is drained (up to
 *       {@link Builder#batchLimit}) and goes out in one write and one flush. Each event's
 *       {@code id:} is its {@link Position} ({@code epoch-sequence}), or what
 *       {@link Builder#eventIds} or {@link Builder#eventPositions} gives. A comment line goes out when the stream was idle for
 *       {@link Builder#heartbeat}.</li>
 * </ol>
 * Each published message is encoded to bytes once; every connection writes the same array.
 *
 * <h2 id="resume">Resume</h2>
 * What a new stream gets first depends on the ids and on the client's {@code Last-Event-ID}
 * header (ignored altogether with {@link Builder#resume resume(false)}):
 * <ul>
 *   <li><b>Positions</b> (the default: {@code id:} is the message's {@link Position},
 *       {@code epoch-sequence}: the hub's {@linkplain Hub#epoch() epoch} and the message's
 *       sequence number). With no {@code Last-Event-ID} the stream starts with the hub's current
 *       message ({@link Builder#startWithLatest}), then live ones. A {@code Last-Event-ID} of the
 *       hub's epoch, {@code e-n}, replays the messages after {@code n} that the hub's history
 *       still holds, then live ones, with no gap and no duplicate (under {@code latestOnly} only
 *       the newest of the replayed ones). Any other {@code Last-Event-ID} is a <em>gap</em>:
 *       one of another epoch (a restarted process, another cluster), one ahead of the hub, one
 *       older than the history (or any, on a hub without a history, unless nothing was
 *       published since it), or one that is not of the form {@code epoch-sequence} (such as the
 *       bare sequence numbers of earlier versions, whose epoch is unknown). A gap is never
 *       replayed: the stream begins with a <a href="#reset">reset event</a>, then the hub's
 *       current message if it keeps one, then live ones, and counts in
 *       {@link SseStats#resumeGaps()}.</li>
 *   <li><b>Message ids</b> ({@link Builder#eventIds}: {@code id:} is derived from the message,
 *       such as a snapshot's version). Ids are not positions in the hub, so nothing is
 *       replayed: the stream starts with the current message like a new client
 *       ({@link Builder#startWithLatest}), and the header only decides whether that first event
 *       goes out. The stream's first event is not written when its id equals the header's value
 *       exactly (the client already shows that state); every later event is written. Any other
 *       value, an older or a newer id or one this hub never used, gets the first event, and the
 *       stream counts in {@link SseStats#resumeGaps()}. This suits snapshot streams, where each
 *       message is the whole state: a client that reconnects up to date gets no duplicate, any
 *       other gets the current state. With {@link Builder#eventPositions} the ids are
 *       positions of the messages' own sequence, and a {@code Last-Event-ID} of another epoch
 *       (or one that is not a position) also gets a <a href="#reset">reset event</a> before
 *       that state.</li>
 * </ul>
 *
 * <h2 id="reset">The reset event</h2>
 * A stream with a gap begins, right after the {@code retry:} hint, with
 * <pre>
 * event: reset
 * data: {"reason":"epoch","epoch":"k3f9q2x8a1bz"}
 * </pre>
 * {@code reason} is {@code epoch} (the id is of another epoch), {@code ahead} (of this epoch,
 * beyond the last message), {@code expired} (the history no longer holds what came after it)
 * or {@code unreadable} (not {@code epoch-sequence}); {@code epoch} is the hub's. The event has
 * no {@code id:}, so a client that loses the stream before the state arrives reconnects with
 * the same id and is reset again. A browser sees it with
 * {@code source.addEventListener("reset", ...)}: drop what was derived from the old stream and
 * take the state that follows. Streams with message ids get no reset: their first event is
 * the whole state; except message positions ({@link Builder#eventPositions}), whose first
 * event is preceded by a reset when the {@code Last-Event-ID} is not of its epoch.
 *
 * <h2>Ending</h2>
 * A stream ends, its subscription closed and counted under one {@link SseDisconnect}, when a
 * write fails (the client went away: Helidon does not read the socket during a handler, so a
 * vanished client shows at the next event or heartbeat, at most two heartbeat intervals later),
 * when a write makes no progress for {@link Builder#stallTimeout} (a ticker interrupts the
 * connection's thread), when the hub closes (after what the subscription held), when the
 * handler is {@linkplain #close() closed}, or when the server stops (Helidon interrupts the
 * thread). None of these logs a stack trace.
 *
 * <h2>Threads</h2>
 * Helidon calls {@link #handle} on one virtual thread per request; the authorizer runs there
 * first. That thread waits on the subscription (parked, no polling) and writes.
 * {@link #stats()}, {@link #openConnections()} and {@link #close()} are safe from any thread. The connection is a push subscription whose
 * executor is the request's thread itself: the hub unparks it, it drains and writes, and it
 * parks again with no timeout. One ticker virtual thread per handler, from the first stream
 * until {@link #close()}, asks idle streams for heartbeats and evicts stalled writes; so an idle
 * stream holds no timer.
 *
 * @param <T> the hub's message type
 */
public final class SseHandler<T> implements Handler, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SseHandler.class.getName());
    private static final HeaderName LAST_EVENT_ID = HeaderNames.create("Last-Event-ID");
    private static final HeaderName ACCEL_BUFFERING = HeaderNames.create("X-Accel-Buffering");
    private static final Header TEXT_PLAIN = HeaderValues.create(HeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8");

    /**
     * The query parameter of a request's strategy, {@code ?overflow=ALIAS}, read when
     * {@link Builder#overflowChoices} allows some.
     */
    public static final String OVERFLOW_PARAMETER = "overflow";

    private final Function<? super ServerRequest, Optional<Hub<T>>> topic;
    private final FrameCache<T> frames;
    private final boolean messageIds;
    /** Message ids that are positions ({@link Builder#eventPositions}): an id of another epoch gets a reset. */
    private final boolean messagePositions;
    private final Overflow overflow;
    /** The strategies a request may choose, the default first; null when requests may not choose. */
    private final Set<Overflow> choices;
    /** The key function of a {@code latest-per-key} choice, for reading its alias; or null. */
    private final Function<Object, ?> choiceKeys;
    private final Authorizer authorizer;
    private final int capacity;
    private final int maxConnections;
    private final Duration retryAfter;
    private final long heartbeatNanos;
    private final long retryMillis;
    private final long retryJitterMillis;
    private final boolean resume;
    private final boolean latest;
    private final int batchLimit;

    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Ticker ticker;
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean closed;

    private final LongAdder accepted = new LongAdder();
    private final LongAdder resumed = new LongAdder();
    private final LongAdder resumeGaps = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder events = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder heartbeats = new LongAdder();
    private final LongAdder droppedClosed = new LongAdder();
    private final LongAdder[] disconnects = new LongAdder[SseDisconnect.values().length];
    private final LatencyHistogram latency = new LatencyHistogram();
    /** Copy on write, under {@code this}; read once per flush. */
    private volatile LongConsumer[] latencyListeners = new LongConsumer[0];

    private SseHandler(Builder<T> b) {
        this.topic = b.topic;
        this.frames = new FrameCache<>(b.events, b.ids);
        this.messageIds = b.ids != null;
        this.messagePositions = b.positions;
        this.overflow = b.overflow;
        this.choices = b.choices;
        this.choiceKeys = b.choices == null ? null : b.choices.stream()
                .filter(o -> o instanceof Overflow.LatestPerKey).map(o -> ((Overflow.LatestPerKey) o).keyFunction())
                .findFirst().orElse(null);
        this.authorizer = b.authorizer;
        this.capacity = b.capacity;
        this.maxConnections = b.maxConnections;
        this.retryAfter = b.retryAfter;
        this.heartbeatNanos = b.heartbeat.toNanos();
        this.retryMillis = b.retry.toMillis();
        this.retryJitterMillis = b.retryJitter.toMillis();
        this.resume = b.resume;
        this.latest = b.latest;
        this.batchLimit = b.batchLimit;
        for (int i = 0; i < disconnects.length; i++) {
            disconnects[i] = new LongAdder();
        }
        this.ticker = new Ticker(connections, heartbeatNanos, b.stallTimeout.toNanos());
    }

    /**
     * A builder for a handler that streams one hub.
     *
     * @param hub the hub every request streams
     * @param <T> its message type
     * @return a builder
     */
    public static <T> Builder<T> builder(Hub<T> hub) {
        Objects.requireNonNull(hub, "hub");
        Optional<Hub<T>> fixed = Optional.of(hub);
        return new Builder<>(req -> fixed);
    }

    /**
     * A builder for a handler that streams the hub a request names.
     *
     * @param topic picks the hub for a request (from its path or query, say); empty answers
     *              {@code 404}. Called on the request's thread; it must be thread-safe.
     * @param <T>   the hubs' message type
     * @return a builder
     */
    public static <T> Builder<T> builder(Function<? super ServerRequest, Optional<Hub<T>>> topic) {
        return new Builder<>(Objects.requireNonNull(topic, "topic"));
    }

    // ------------------------------------------------------------------ request

    /**
     * Streams to one request until the stream ends; called by Helidon on the request's thread.
     */
    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        if (closed) {
            reject(req, res);
            return;
        }
        if (authorizer != null && !authorized(req, res)) {
            return;
        }
        Overflow strategy = choices == null ? overflow : choose(req, res);
        if (strategy == null) {
            return;
        }
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            ticker.probe(); // streams whose client left still count: flush them out for the retry
            reject(req, res);
            return;
        }
        try {
            stream(req, res, strategy);
        } finally {
            open.decrementAndGet();
        }
    }

    /** {@return true when the authorizer allows the request; else it has been answered} */
    private boolean authorized(ServerRequest req, ServerResponse res) {
        Authorizer.Decision d;
        try {
            d = Objects.requireNonNull(authorizer.authorize(req), "the authorizer returned null");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, () -> "the authorizer failed; answered 500: " + e);
            res.status(Status.INTERNAL_SERVER_ERROR_500);
            send(res, "authorization failed");
            return false;
        }
        if (d.allowed()) {
            return true;
        }
        if (d.status() == 401) {
            res.status(Status.UNAUTHORIZED_401).header(HeaderNames.WWW_AUTHENTICATE, d.challenge());
        } else {
            res.status(Status.FORBIDDEN_403);
        }
        send(res, d.reason());
        return false;
    }

    /** {@return the request's strategy: its {@code overflow} parameter if allowed, else the default; null when answered 400} */
    private Overflow choose(ServerRequest req, ServerResponse res) {
        String alias = req.query().first(OVERFLOW_PARAMETER).orElse(null);
        if (alias == null) {
            return overflow;
        }
        Overflow asked;
        try {
            asked = choiceKeys == null ? Overflow.parse(alias) : Overflow.parse(alias, choiceKeys);
        } catch (IllegalArgumentException e) {
            asked = null;
        }
        if (asked != null && choices.contains(asked)) {
            return asked;
        }
        String shown = alias.length() > 100 ? alias.substring(0, 100) + "..." : alias;
        res.status(Status.BAD_REQUEST_400);
        send(res, OVERFLOW_PARAMETER + ": \"" + Frames.escape(shown) + "\" (expected one of: "
                + String.join(", ", choices.stream().map(Overflow::alias).toList()) + ")");
        return null;
    }

    private static void send(ServerResponse res, String text) {
        res.header(TEXT_PLAIN).send((text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private void reject(ServerRequest req, ServerResponse res) {
        rejected.increment();
        long base = Math.max(1, retryAfter.toSeconds());
        long seconds = base + ThreadLocalRandom.current().nextLong(base + 1); // spread the retries
        res.status(Status.SERVICE_UNAVAILABLE_503)
                .header(HeaderNames.RETRY_AFTER, Long.toString(seconds));
        if (req.prologue().protocolVersion().startsWith("1.")) {
            // a refused client must not keep a connection (HTTP/1 only: HTTP/2 forbids the header)
            res.header(HeaderValues.CONNECTION_CLOSE);
        }
        res.send();
    }

    private void stream(ServerRequest req, ServerResponse res, Overflow strategy) {
        Optional<Hub<T>> chosen = topic.apply(req);
        if (chosen.isEmpty()) {
            res.status(Status.NOT_FOUND_404).send();
            return;
        }
        Hub<T> hub = chosen.get();
        Connection c = new Connection(Thread.currentThread());
        String lastEventId = resume ? req.headers().first(LAST_EVENT_ID).filter(v -> !v.isBlank()).orElse(null) : null;
        Writer w = new Writer(c, hub, messageIds ? lastEventId : null);
        w.liveAfter = hub.sequence(); // what the stream starts with is not a live delivery
        Subscribe.Started<T> started;
        try {
            started = Subscribe.open(hub, strategy, capacity, messageIds ? null : lastEventId, latest, w, c);
        } catch (IllegalStateException hubClosed) {
            reject(req, res);
            return;
        }
        Subscription<T> sub = started.subscription();
        c.subscription = sub;
        connections.add(c);
        accepted.increment();
        if (lastEventId != null) {
            resumed.increment(); // with message ids, resumeGaps: when the first event's id differs, see Writer
            if (started.gap() != null) {
                resumeGaps.increment();
                w.reset = Frames.reset(started.gap(), hub.epoch());
            }
        }
        ticker.start();
        if (closed) {
            c.shutdown(); // close() may have missed it
        }
        SseDisconnect cause = SseDisconnect.ERROR;
        try {
            res.status(Status.OK_200);
            res.headers().contentType(MediaTypes.TEXT_EVENT_STREAM);
            res.headers().set(HeaderNames.CACHE_CONTROL, "no-cache");
            res.headers().set(ACCEL_BUFFERING, "no");
            w.out = res.outputStream();
            cause = w.pump(sub);
            if (cause != SseDisconnect.CLIENT_GONE && cause != SseDisconnect.STALLED) {
                end(w.out);
            }
        } finally {
            sub.close();
            Runnable last = c.takeTask();
            if (last != null) {
                last.run(); // the closed subscription discards what it held and detaches
            }
            connections.remove(c);
            droppedClosed.add(sub.stats().dropped());
            disconnects[cause.ordinal()].increment();
        }
    }

    private static void end(OutputStream out) {
        try {
            out.close();
        } catch (Exception e) {
            LOG.log(Level.DEBUG, () -> "closing a stream failed: " + e);
        }
    }

    /**
     * One stream's writer, confined to the request's thread: the subscription's handler (run by
     * that thread, see {@link Connection}) collects frames, and {@link #pump} writes them.
     */
    private final class Writer implements DeliveryHandler<T> {
        private final Connection c;
        private final Hub<T> hub;
        private final int salt;
        private final List<FrameCache.Frame> batch = new ArrayList<>(4);
        /** Message ids only: the client's {@code Last-Event-ID}, until the first event is seen. */
        String upToDateId;
        /** The hub's sequence when the stream began: only later messages are latency samples. */
        long liveAfter;
        /**
         * The reset event that goes out before the state, when the stream has a gap: set before
         * the stream starts (position ids), or at its first event (message positions).
         */
        byte[] reset;
        OutputStream out;
        private Exception failure;

        Writer(Connection c, Hub<T> hub, String upToDateId) {
            this.c = c;
            this.hub = hub;
            this.salt = System.identityHashCode(hub);
            this.upToDateId = upToDateId;
        }

        /** Called by the subscription's drain task, on the request's thread. Never throws. */
        @Override
        public void onDelivery(long sequence, T message) {
            if (failure != null) {
                return; // the stream is ending; the rest is discarded with the subscription
            }
            try {
                FrameCache.Frame f = frames.frame(hub, salt, sequence, message);
                if (f.bytes.length == 0) {
                    return; // the event mapper failed on it: skipped, counted once in stats
                }
                if (upToDateId != null) { // the stream's first event, with message ids
                    String seen = upToDateId;
                    upToDateId = null;
                    if (seen.equals(f.id)) {
                        return; // the client already shows this state
                    }
                    resumeGaps.increment();
                    if (messagePositions && f.id != null) {
                        reset = resetFor(seen, f.id);
                    }
                }
                batch.add(f);
                if (batch.size() >= batchLimit) {
                    flush();
                }
            } catch (Exception e) {
                failure = e;
            }
        }

        /** Writes until the stream ends; returns why it ended. */
        SseDisconnect pump(Subscription<T> sub) {
            try {
                long jitter = retryJitterMillis > 0 ? ThreadLocalRandom.current().nextLong(retryJitterMillis + 1) : 0;
                byte[] retry = Frames.retry(retryMillis + jitter);
                write(reset == null ? retry : concat(retry, reset)); // the reset before the state
                reset = null;
                while (true) {
                    Runnable task = c.takeTask();
                    if (task != null) {
                        task.run(); // hands the pending messages to onDelivery
                        if (failure != null) {
                            throw failure;
                        }
                        if (!batch.isEmpty()) {
                            flush(); // all that was pending: one write, one flush
                        }
                        continue;
                    }
                    if (c.shutdown || Thread.currentThread().isInterrupted()) {
                        return SseDisconnect.SHUTDOWN; // the handler closed, or the server is stopping
                    }
                    if (sub.isClosed()) {
                        return sub.closeReason().map(SseHandler::cause).orElse(SseDisconnect.SHUTDOWN);
                    }
                    if (c.heartbeatDue) {
                        c.heartbeatDue = false;
                        write(Frames.HEARTBEAT);
                        heartbeats.increment();
                        continue;
                    }
                    LockSupport.park(this); // no timeout: the hub, the ticker or a closer unparks
                }
            } catch (Stalled e) {
                return SseDisconnect.STALLED;
            } catch (Exception e) {
                if (c.evicted()) {
                    return SseDisconnect.STALLED;
                }
                if (c.shutdown || Thread.currentThread().isInterrupted()) {
                    return SseDisconnect.SHUTDOWN;
                }
                LOG.log(Level.TRACE, () -> "client gone: " + e);
                return SseDisconnect.CLIENT_GONE;
            }
        }

        private void flush() throws Exception {
            byte[] data;
            if (reset != null) { // message positions: the reset before the state, in the same write
                data = reset;
                reset = null;
                for (FrameCache.Frame f : batch) {
                    data = concat(data, f.bytes);
                }
            } else if (batch.size() == 1) {
                data = batch.getFirst().bytes; // the shared array, no copy
            } else {
                int n = 0;
                for (FrameCache.Frame f : batch) {
                    n += f.bytes.length;
                }
                data = new byte[n];
                int at = 0;
                for (FrameCache.Frame f : batch) {
                    System.arraycopy(f.bytes, 0, data, at, f.bytes.length);
                    at += f.bytes.length;
                }
            }
            write(data); // a failed write ends the stream, and this writer with it
            long now = System.nanoTime();
            LongConsumer[] listeners = latencyListeners;
            for (FrameCache.Frame f : batch) {
                if (f.sequence > liveAfter) { // only live events are samples: a state or a replay is old, not late
                    long nanos = now - f.createdNanos;
                    latency.record(nanos);
                    for (LongConsumer l : listeners) {
                        try {
                            l.accept(nanos);
                        } catch (Throwable e) { // a listener never ends a stream
                            LOG.log(Level.DEBUG, "latency listener failed", e);
                        }
                    }
                }
            }
            events.add(batch.size());
            batch.clear();
        }

        /**
         * Message positions: the reset for a client whose {@code Last-Event-ID} is not of the
         * epoch of the stream's first event, or null when it is (same epoch: the state alone,
         * as for any message id).
         */
        private static byte[] resetFor(String lastEventId, String firstId) {
            Optional<Position> first = Position.parse(firstId);
            if (first.isEmpty()) {
                return null; // the mapper's own business; checked when the id was made
            }
            Optional<Position> last = Position.parse(lastEventId.strip());
            if (last.isEmpty()) {
                return Frames.reset(Subscribe.UNREADABLE, first.get().epoch());
            }
            return last.get().epoch().equals(first.get().epoch()) ? null
                    : Frames.reset(Subscribe.EPOCH, first.get().epoch());
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] out = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }

        /** One write and one flush, watched for stalls. */
        private void write(byte[] data) throws Exception {
            c.beginWrite();
            try {
                out.write(data);
                out.flush();
            } finally {
                if (!c.endWrite()) {
                    throw new Stalled();
                }
            }
            bytes.add(data.length);
        }
    }

    private static SseDisconnect cause(CloseReason r) {
        return switch (r) {
            case SLOW -> SseDisconnect.SLOW;
            case HUB_CLOSED -> SseDisconnect.HUB_CLOSED;
            case CLOSED -> SseDisconnect.SHUTDOWN;
        };
    }

    /** The ticker evicted the connection during a write. */
    private static final class Stalled extends Exception {
        private static final long serialVersionUID = 1L;

        Stalled() {
            super(null, null, false, false);
        }
    }

    // ------------------------------------------------------------------ lifecycle and stats

    /**
     * Ends every open stream (they finish their current write and end with
     * {@link SseDisconnect#SHUTDOWN}), answers later requests with {@code 503}, and stops the
     * ticker. Call it before stopping the server so streams end at once rather than after
     * Helidon's grace period. Idempotent; any thread.
     */
    @Override
    public void close() {
        closed = true;
        for (Connection c : connections) {
            c.shutdown();
        }
        ticker.stop();
    }

    /** Closes the handler when the server stops. */
    @Override
    public void afterStop() {
        close();
    }

    /** {@return streams open now; any thread} */
    public int openConnections() {
        return open.get();
    }

    /**
     * Adds a listener of the publish-to-flush latency samples, the ones
     * {@link SseStats#latency()} counts from now on: a metrics library's timer, say. It is
     * called on the stream's thread right after each flush, once per live event the flush
     * sent, with the latency in nanoseconds; many streams call it at once, so it must be
     * thread-safe and quick. What it throws is logged at DEBUG and ends nothing. Any thread.
     *
     * @param listener receives latencies in nanoseconds
     */
    public synchronized void addLatencyListener(LongConsumer listener) {
        Objects.requireNonNull(listener, "listener");
        LongConsumer[] ls = java.util.Arrays.copyOf(latencyListeners, latencyListeners.length + 1);
        ls[ls.length - 1] = listener;
        latencyListeners = ls;
    }

    /**
     * Removes a listener added by {@link #addLatencyListener}; a flush under way may still call
     * it once. Any thread.
     *
     * @param listener the listener (compared by identity)
     * @return true when it was registered
     */
    public synchronized boolean removeLatencyListener(LongConsumer listener) {
        LongConsumer[] ls = latencyListeners;
        for (int i = 0; i < ls.length; i++) {
            if (ls[i] == listener) {
                LongConsumer[] rest = new LongConsumer[ls.length - 1];
                System.arraycopy(ls, 0, rest, 0, i);
                System.arraycopy(ls, i + 1, rest, i, rest.length - i);
                latencyListeners = rest;
                return true;
            }
        }
        return false;
    }

    /** {@return a snapshot of the counters; any thread, it walks the open connections} */
    public SseStats stats() {
        long dropped = droppedClosed.sum();
        for (Connection c : connections) {
            dropped += c.subscription.stats().dropped();
        }
        Map<SseDisconnect, Long> d = new EnumMap<>(SseDisconnect.class);
        for (SseDisconnect cause : SseDisconnect.values()) {
            d.put(cause, disconnects[cause.ordinal()].sum());
        }
        return new SseStats(open.get(), accepted.sum(), resumed.sum(), resumeGaps.sum(), rejected.sum(), events.sum(), bytes.sum(),
                heartbeats.sum(), frames.encoded(), frames.failed(), dropped, d, latency.snapshot());
    }

    @Override
    public String toString() {
        return "SseHandler[open=" + open.get() + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ builder

    /**
     * Configures an {@link SseHandler}. Not thread-safe; each option may be set once.
     *
     * @param <T> the hub's message type
     */
    public static final class Builder<T> {
        private final Function<? super ServerRequest, Optional<Hub<T>>> topic;
        private Function<? super T, SseEvent> events;
        private Function<? super T, String> ids;
        private boolean positions;
        private Overflow overflow;
        private Set<Overflow> choices;
        private Authorizer authorizer;
        private int capacity;
        private int maxConnections;
        private Duration retryAfter;
        private Duration heartbeat;
        private Duration retry;
        private Duration retryJitter;
        private Duration stallTimeout;
        private Boolean resume;
        private Boolean latest;
        private int batchLimit;

        private Builder(Function<? super ServerRequest, Optional<Hub<T>>> topic) {
            this.topic = topic;
        }

        private static void once(Object current, String option) {
            if (current != null) {
                throw new IllegalStateException(option + " was already set");
            }
        }

        private static void once(int current, String option) {
            if (current != 0) {
                throw new IllegalStateException(option + " was already set");
            }
        }

        private static int positive(String name, int v) {
            if (v <= 0) {
                throw new IllegalArgumentException(name + ": " + v + " (expected: > 0)");
            }
            return v;
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
            }
            return d;
        }

        private static Duration nonNegative(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + ": " + d + " (expected: >= 0)");
            }
            return d;
        }

        /**
         * Sets how a message becomes an event.
         *
         * @param events turns a message into its event, once per message; called on some
         *               connection's thread, so it must be thread-safe (default: an
         *               {@link SseEvent} as it is, anything else as {@code SseEvent.of(toString())})
         * @return this
         */
        public Builder<T> events(Function<? super T, SseEvent> events) {
            once(this.events, "events");
            this.events = Objects.requireNonNull(events, "events");
            return this;
        }

        /**
         * Takes each event's {@code id:} from the message instead of its {@link Position},
         * for hubs whose messages carry their own identity: a snapshot's version, say, which
         * several servers publishing the same states agree on. {@code Last-Event-ID} then
         * follows the message-id rule of {@linkplain SseHandler##resume Resume}: the current
         * message is sent first unless its id equals the header. Leave it unset for sequence
         * ids and resume from the hub's history.
         *
         * @param ids gives a message's id, once per message, on some connection's thread (so it
         *            must be thread-safe); null means no {@code id:} line. An id holding CR, LF or
         *            NUL makes the message fail like a failing event mapper: logged once,
         *            counted in {@link SseStats#eventsFailed()}, sent to no one
         * @return this
         */
        public Builder<T> eventIds(Function<? super T, String> ids) {
            once(this.ids, positions ? "eventPositions" : "eventIds");
            this.ids = Objects.requireNonNull(ids, "ids");
            return this;
        }

        /**
         * Message ids that are positions in a sequence the messages carry (not the hub's): a
         * store's epoch and version, say, which several servers publishing the same states
         * agree on, and whose epoch changes when the store's numbering starts over. The
         * {@code id:} is the position's text form, {@code epoch-sequence}, and
         * {@code Last-Event-ID} follows the message-id rule of
         * {@linkplain SseHandler##resume Resume}, plus one: a {@code Last-Event-ID} that is not
         * of the epoch of the stream's first event (another epoch, or not a position at all)
         * gets a <a href="SseHandler.html#reset">reset event</a> ({@code epoch} or
         * {@code unreadable}, with the first event's epoch) right before that event. One of
         * this epoch gets no reset, like any message id. Not with {@link #eventIds}.
         *
         * @param positions gives a message's position, once per message, on some connection's
         *                  thread (so it must be thread-safe); null means no {@code id:} line
         * @return this
         */
        public Builder<T> eventPositions(Function<? super T, Position> positions) {
            Objects.requireNonNull(positions, "positions");
            once(this.ids, this.positions ? "eventPositions" : "eventIds");
            this.ids = m -> {
                Position p = positions.apply(m);
                return p == null ? null : p.toString();
            };
            this.positions = true;
            return this;
        }

        /**
         * Sets the strategy of each stream's subscription.
         *
         * @param overflow each connection's strategy when it falls behind (default
         *                 {@link Overflow#latestOnly()}: a slow client skips to the newest state)
         * @return this
         */
        public Builder<T> overflow(Overflow overflow) {
            once(this.overflow, "overflow");
            this.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /**
         * Lets each request choose its connection's strategy among these, with the query
         * parameter {@value SseHandler#OVERFLOW_PARAMETER}: {@code ?overflow=drop-oldest}, any
         * {@link Overflow#alias() alias} that {@link Overflow#parse(String)} reads (with the key
         * function of a {@code latest-per-key} choice, if one is given). An alias that reads to
         * one of these or to the {@link #overflow default} is used; any other value is answered
         * {@code 400} with a plain-text body naming the allowed aliases, before admission and
         * before anything is subscribed. A request without the parameter gets the default.
         * Every choice uses {@link #capacity}. Without this option the parameter is ignored.
         *
         * @param choices the strategies a request may pick, besides the default; not
         *                {@code elastic-workers}
         * @return this
         */
        public Builder<T> overflowChoices(Overflow... choices) {
            once(this.choices, "overflowChoices");
            Objects.requireNonNull(choices, "choices");
            if (choices.length == 0) {
                throw new IllegalArgumentException("choices: none (expected: at least one strategy)");
            }
            Set<Overflow> set = new LinkedHashSet<>();
            for (Overflow o : choices) {
                set.add(pullStrategy("choices", Objects.requireNonNull(o, "choice")));
            }
            this.choices = set;
            return this;
        }

        /**
         * Sets who may open a stream.
         *
         * @param authorizer decides for each request, before admission and before anything is
         *                   subscribed, whether it may open a stream; a refusal is answered
         *                   {@code 401} or {@code 403} (see {@link Authorizer}). Default: every
         *                   request may
         * @return this
         */
        public Builder<T> authorizer(Authorizer authorizer) {
            once(this.authorizer, "authorizer");
            this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
            return this;
        }

        private static Overflow pullStrategy(String option, Overflow o) {
            if (o instanceof Overflow.ElasticWorkers) {
                throw new IllegalArgumentException(option + ": elastic-workers (expected: a pull strategy;"
                        + " one thread writes each stream)");
            }
            return o;
        }

        /**
         * Sets the buffer size of each stream's subscription.
         *
         * @param capacity each connection's buffer, for strategies that have one (default 64)
         * @return this
         */
        public Builder<T> capacity(int capacity) {
            once(this.capacity, "capacity");
            this.capacity = positive("capacity", capacity);
            return this;
        }

        /**
         * Sets the most concurrent streams.
         *
         * @param maxConnections streams open at once; more get {@code 503} (default: no limit).
         *                       Keep it below the listener's {@code maxTcpConnections}
         *                       ({@link ConnectionLimits}) so refused clients get an answer
         * @return this
         */
        public Builder<T> maxConnections(int maxConnections) {
            once(this.maxConnections, "maxConnections");
            this.maxConnections = positive("maxConnections", maxConnections);
            return this;
        }

        /**
         * Sets the {@code Retry-After} of a refused stream.
         *
         * @param retryAfter the base of the {@code Retry-After} of a {@code 503}, whole seconds;
         *                   each answer adds a random 0 to 100% of it (default 5 s)
         * @return this
         */
        public Builder<T> retryAfter(Duration retryAfter) {
            once(this.retryAfter, "retryAfter");
            this.retryAfter = positive("retryAfter", retryAfter);
            return this;
        }

        /**
         * Sets the heartbeat period.
         *
         * @param heartbeat how long a stream may be idle before a comment line is written
         *                  (default 15 s); also bounds how long a vanished client goes unseen
         * @return this
         */
        public Builder<T> heartbeat(Duration heartbeat) {
            once(this.heartbeat, "heartbeat");
            this.heartbeat = positive("heartbeat", heartbeat);
            return this;
        }

        /**
         * Sets the reconnect delay sent to clients.
         *
         * @param base   the reconnect delay sent as {@code retry:} (default 2 s)
         * @param jitter a random 0 to {@code jitter} added per stream (default 3 s), so a mass
         *               reconnect is spread out
         * @return this
         */
        public Builder<T> retry(Duration base, Duration jitter) {
            once(this.retry, "retry");
            this.retry = nonNegative("retry", base);
            this.retryJitter = nonNegative("jitter", jitter);
            return this;
        }

        /**
         * Sets how long a stream may stall before it is ended.
         *
         * @param stallTimeout how long one write may make no progress before the stream is
         *                     evicted (default 10 s)
         * @return this
         */
        public Builder<T> stallTimeout(Duration stallTimeout) {
            once(this.stallTimeout, "stallTimeout");
            this.stallTimeout = positive("stallTimeout", stallTimeout);
            return this;
        }

        /**
         * Turns resuming from {@code Last-Event-ID} on or off.
         *
         * @param resume whether a {@code Last-Event-ID} is used at all, as
         *               {@linkplain SseHandler##resume Resume} says (default true)
         * @return this
         */
        public Builder<T> resume(boolean resume) {
            once(this.resume, "resume");
            this.resume = resume;
            return this;
        }

        /**
         * Starts a new stream with the hub's latest message, or not.
         *
         * @param latest whether a new stream starts with the hub's current message (default true)
         * @return this
         */
        public Builder<T> startWithLatest(boolean latest) {
            once(this.latest, "startWithLatest");
            this.latest = latest;
            return this;
        }

        /**
         * Sets the most events written per flush.
         *
         * @param batchLimit the most events written by one write and flush (default 64)
         * @return this
         */
        public Builder<T> batchLimit(int batchLimit) {
            once(this.batchLimit, "batchLimit");
            this.batchLimit = positive("batchLimit", batchLimit);
            return this;
        }

        /** {@return the handler} */
        public SseHandler<T> build() {
            if (events == null) {
                events = m -> m instanceof SseEvent e ? e : SseEvent.of(String.valueOf(m));
            }
            if (overflow == null) {
                overflow = Overflow.latestOnly();
            }
            pullStrategy("overflow", overflow);
            if (choices != null) {
                Set<Overflow> all = new LinkedHashSet<>();
                all.add(overflow);
                all.addAll(choices);
                choices = Collections.unmodifiableSet(all);
            }
            if (capacity == 0) {
                capacity = 64;
            }
            if (maxConnections == 0) {
                maxConnections = Integer.MAX_VALUE;
            }
            if (retryAfter == null) {
                retryAfter = Duration.ofSeconds(5);
            }
            if (heartbeat == null) {
                heartbeat = Duration.ofSeconds(15);
            }
            if (retry == null) {
                retry = Duration.ofSeconds(2);
                retryJitter = Duration.ofSeconds(3);
            }
            if (stallTimeout == null) {
                stallTimeout = Duration.ofSeconds(10);
            }
            if (resume == null) {
                resume = true;
            }
            if (latest == null) {
                latest = true;
            }
            if (batchLimit == 0) {
                batchLimit = 64;
            }
            return new SseHandler<>(this);
        }
    }
}
