package dev.fanout;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import dev.fanout.spi.HubListener;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * One stream of messages fanned out to many subscribers, each with its own bounded buffer and
 * {@link Overflow} strategy.
 *
 * {@snippet file="dev/fanout/ReadmeExample.java" region="example"}
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>{@link #publish(Object)} may be called from any thread, concurrently: publishers are
 *       serialised by a lock, so every subscriber sees messages in the same sequence order. A hub
 *       built with {@link Builder#singlePublisher()} skips that lock; its publishes must then not
 *       overlap (one thread, or a hand-over with a happens-before edge).</li>
 *   <li>{@link #subscribe(Overflow)} and its variants, {@link #close()}, {@link #stats()} and the
 *       accessors are safe from any thread at any time, concurrently with publishing.</li>
 * </ul>
 *
 * <h2>Ordering and visibility</h2>
 * Sequence numbers start at 1 and grow by one per published message. A publish happens-before
 * the delivery of its message to every subscriber that receives it. A subscription attached
 * while publishing goes on receives every message from some sequence number on.
 *
 * <h2>Engines</h2>
 * On the {@linkplain Engine#queues() queue engine} (the default) each subscriber has its own
 * bounded queue and a publish offers to each, so its cost grows with the subscribers. On the
 * {@linkplain Engine#ring(int) ring engine} a publish writes one slot of one ring, whatever the
 * number of subscribers; lagging subscribers skip ahead and count what they skipped when they
 * read. {@link Engine} lists what each supports.
 *
 * <h2>Closing</h2>
 * {@link #close()} refuses further publishes ({@link PublishResult.Status#HUB_CLOSED}),
 * releases publishers parked for room (the waiting message counts as {@link DropCause#CLOSED}),
 * and ends every subscription after it has delivered what it holds. Push workers end once their
 * subscriptions are drained; {@link #awaitTermination(Duration)} waits for that. The hub starts
 * no thread of its own: push handlers run on the {@linkplain Builder#executor executor}.
 *
 * @param <T> the message type
 */
public final class Hub<T> implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Hub.class.getName());
    private static final BufferedSubscription<?>[] NONE = new BufferedSubscription<?>[0];
    private static final VarHandle SEQUENCE;
    private static final VarHandle PUBLISHING;
    private static final VarHandle LATEST;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SEQUENCE = l.findVarHandle(Hub.class, "sequence", long.class);
            PUBLISHING = l.findVarHandle(Hub.class, "publishing", boolean.class);
            LATEST = l.findVarHandle(Hub.class, "latest", Delivery.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final Engine engine;
    private final int capacity;
    private final Overflow defaultOverflow;
    private final boolean singlePublisher;
    private final Executor executor;
    private final HubListener listener;
    private final boolean listening;
    private final int batchSize;
    private final Pacer pacer;
    private final Function<? super T, ?> dedupKey;
    private final History historySpec;

    /**
     * Guards the history and makes the seam exact: a publish appends to the history and reads
     * the subscriber list under it, and a resuming subscriber reads the history and attaches
     * under it, so every message is either replayed or offered live, never both or neither.
     * Null without history.
     */
    private final ReentrantLock seam;
    private final HistoryLog<T> history;
    private Delivery<T> latest;
    private Object lastKey; // dedup: the key of the last published message

    /** Serialises publishers; null for a single-publisher hub. */
    private final ReentrantLock publishLock;
    /** Single-publisher hub: set while a publish runs, so that close can wait for it. */
    private volatile boolean publishing;
    private volatile boolean closed;
    private long sequence;

    private final ReentrantLock subscribersLock = new ReentrantLock();
    private final Condition terminated = subscribersLock.newCondition();
    private volatile BufferedSubscription<T>[] subscribers = none();
    private int pushLive; // guarded by subscribersLock

    /** Ring engine: the ring, and the subscribers to wake after the next publish. */
    private final RingBuffer<RingView.Slot<T>> ring;
    private final ConcurrentLinkedQueue<BufferedSubscription<T>> enlisted;
    private final AtomicInteger enlistedCount = new AtomicInteger();
    /** Ring engine: the publisher parked until a lossless consumer makes room, announced before it parks. */
    private volatile Thread ringProducer;

    private final AtomicLong subscribed = new AtomicLong();
    private final AtomicLong handlerErrorsLogged = new AtomicLong();
    private final AtomicLong disconnects = new AtomicLong();
    private final AtomicLong offered = new AtomicLong();
    private final LongAdder delivered = new LongAdder();
    private final AtomicLongArray drops = new AtomicLongArray(DropCause.values().length);

    private Hub(Builder<T> b) {
        this.name = b.name;
        this.engine = b.engine;
        this.capacity = b.capacity;
        this.defaultOverflow = b.overflow;
        this.singlePublisher = b.singlePublisher;
        this.executor = b.executor != null ? b.executor : new VirtualThreads(b.name);
        this.listener = b.listener;
        this.listening = b.listener != HubListener.NOOP;
        this.batchSize = b.batchSize;
        this.pacer = b.pacer;
        this.publishLock = singlePublisher ? null : new ReentrantLock();
        if (b.engine instanceof Engine.Ring r) {
            this.ring = RingBuffer.createSingleProducer(RingView.Slot::new, r.size()); // publishers are serialised
            this.enlisted = new ConcurrentLinkedQueue<>();
        } else {
            this.ring = null;
            this.enlisted = null;
        }
        this.dedupKey = b.dedupKey;
        this.historySpec = b.history;
        boolean keep = !b.history.isNone();
        this.history = keep ? new HistoryLog<>(b.history, b.clock) : null;
        this.seam = keep ? new ReentrantLock() : null;
    }

    @SuppressWarnings("unchecked")
    private static <T> BufferedSubscription<T>[] none() {
        return (BufferedSubscription<T>[]) NONE;
    }

    /**
     * @param <T> the message type
     * @return a builder with the defaults listed on its methods
     */
    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    // ------------------------------------------------------------------ publish

    /**
     * Gives {@code message} the next sequence number and offers it to every subscriber, each
     * according to its strategy. Returns without waiting unless a lossless subscriber is full:
     * then it parks until that subscriber has room, at most its wait limit. It never throws for
     * a full or closed subscriber or a closed hub: the result says what happened.
     *
     * @param message the message, not null
     * @return what happened, subscriber by subscriber
     */
    public PublishResult publish(T message) {
        Objects.requireNonNull(message, "message");
        if (singlePublisher) {
            PUBLISHING.setVolatile(this, true);
            try {
                return closed ? PublishResult.hubClosed() : fanOut(message);
            } finally {
                PUBLISHING.setRelease(this, false);
            }
        }
        publishLock.lock();
        try {
            return closed ? PublishResult.hubClosed() : fanOut(message);
        } finally {
            publishLock.unlock();
        }
    }

    private PublishResult fanOut(T message) {
        if (dedupKey != null) {
            Object key = dedupKey.apply(message);
            if (key != null && key.equals(lastKey)) {
                return PublishResult.duplicate();
            }
            lastKey = key;
        }
        long seq = sequence + 1;
        SEQUENCE.setRelease(this, seq);
        Delivery<T> d = new Delivery<>(seq, message, System.nanoTime());
        PublishResult r = new PublishResult(seq, PublishResult.Status.PUBLISHED);
        BufferedSubscription<T>[] subs;
        if (seam != null) {
            seam.lock();
            try {
                history.append(d);
                LATEST.setRelease(this, d);
                subs = subscribers;
            } finally {
                seam.unlock();
            }
        } else {
            LATEST.setRelease(this, d);
            subs = subscribers;
        }
        if (ring != null) {
            return ringFanOut(d, r, subs);
        }
        BufferedSubscription<T>[] full = null;
        int fullCount = 0;
        for (BufferedSubscription<T> s : subs) {
            if (s.state() != BufferedSubscription.OPEN) {
                continue;
            }
            r.subscribers++;
            if (s.offer(d, r)) {
                if (full == null) {
                    full = newArray(subs.length);
                }
                full[fullCount++] = s;
            }
        }
        // one fence for all subscribers: the offers above are visible before any waiter is read
        VarHandle.fullFence();
        for (BufferedSubscription<T> s : subs) {
            s.signal();
        }
        if (fullCount > 0) {
            long now = System.nanoTime(); // each wait limit counts from here, so they overlap
            for (int i = 0; i < fullCount; i++) {
                full[i].awaitRoom(d, full[i].deadline(now), r);
            }
        }
        if (pacer != null) {
            double fill = 0;
            for (BufferedSubscription<T> s : subs) {
                if (s.isLossless()) {
                    fill = Math.max(fill, s.fill());
                }
            }
            pacer.observe(fill, System.nanoTime());
        }
        offered.addAndGet(r.subscribers);
        count(DropCause.OLDEST, r.oldest);
        count(DropCause.NEWEST, r.newest);
        count(DropCause.SUPERSEDED, r.superseded);
        count(DropCause.TIMEOUT, r.timedOut);
        count(DropCause.DISCONNECTED, r.disconnected);
        count(DropCause.CLOSED, r.closed);
        if (r.disconnected > 0) {
            disconnects.addAndGet(r.disconnected);
        }
        return r;
    }

    /**
     * The ring engine's publish: claim a slot (waiting for lossless subscribers if the ring is
     * full), write the delivery, publish the cursor, wake the subscribers that enlisted. The
     * cost does not depend on the number of subscribers, but for the rare sweep that closes
     * stalled {@code disconnect} subscribers once per lap.
     */
    private PublishResult ringFanOut(Delivery<T> d, PublishResult r, BufferedSubscription<T>[] subs) {
        // no pass over the subscribers on this path: a closed subscription is detached as it
        // closes, so the attached ones are the open ones (but for one closing at this instant)
        int open = subs.length;
        r.subscribers = open;
        boolean waited = false;
        long slot;
        while (true) {
            try {
                // not next(): under -ea the single-producer sequencer asserts that one thread
                // claims every slot, and publishers on several threads (serialised by the publish
                // lock) are allowed; tryNext() has no such check, and never waits
                slot = ring.tryNext();
                break;
            } catch (InsufficientCapacityException full) {
                waited = true; // full, or a demoted subscriber gated again: wait like for any other
            }
            if (!awaitRing(r)) {
                // the hub closed: the message never got a slot, so no cursor will count it; each
                // subscriber counts it as offered and dropped CLOSED, as on the queue engine (once
                // per hub, on the close, so the loop costs nothing per publish)
                int lost = 0;
                for (BufferedSubscription<T> s : subs) {
                    if (s.state() != BufferedSubscription.CLOSED) {
                        s.closedBeforeSlot();
                        lost++;
                    }
                }
                offered.addAndGet(lost);
                r.timedOut = 0;
                r.closed = open; // none got it; one that closed meanwhile does not count it (its cursor stopped)
                return r;
            }
        }
        ring.get(slot).delivery = d;
        ring.publish(slot);
        r.accepted = Math.max(0, open - r.timedOut);
        if (waited) {
            // a subscription closed while the publisher waited (the usual way out for a lossless
            // one) does not get the message: its cursor stopped at the close
            int still = 0;
            for (BufferedSubscription<T> s : subs) {
                if (s.state() == BufferedSubscription.OPEN) {
                    still++;
                }
            }
            int gone = Math.max(0, Math.min(open - still, r.accepted));
            r.closed = gone;
            r.accepted -= gone;
        }
        VarHandle.fullFence(); // the cursor is visible before any enlisted flag is read
        int waiting = enlistedCount.get();
        if (waiting > 0) {
            // only those enlisted now: a woken subscriber may enlist again right away
            BufferedSubscription<T> s;
            for (int k = waiting; k > 0 && (s = enlisted.poll()) != null; k--) {
                enlistedCount.decrementAndGet();
                s.wakeFromRing();
            }
        }
        if ((slot & (ring.getBufferSize() - 1)) == 0) {
            sweepStalled(slot);
        }
        // drops on the ring are counted by the subscribers when they read (skips, demotions), and
        // what was offered to each by its cursor: see stats() and retire()
        return r;
    }

    /**
     * The ring is full: park on the slowest lossless subscriber until it makes room, demoting
     * (no longer waiting for) each one that stays full past its own limit.
     *
     * @return false when the hub closed meanwhile
     */
    private boolean awaitRing(PublishResult r) {
        long start = System.nanoTime();
        long step = BufferedSubscription.PRODUCER_FIRST_PARK_NANOS;
        while (!ring.hasAvailableCapacity(1)) {
            if (closed) {
                return false;
            }
            BufferedSubscription<T> slowest = null;
            long worst = -1;
            long cursor = ring.getCursor();
            for (BufferedSubscription<T> s : subscribers) {
                RingView<T> v = s.ring;
                if (v != null && v.isLossless() && !v.isDemoted() && s.state() != BufferedSubscription.CLOSED) {
                    long backlog = v.backlog(cursor);
                    if (backlog > worst) {
                        worst = backlog;
                        slowest = s;
                    }
                }
            }
            if (slowest == null) {
                Thread.onSpinWait(); // a gate is being added or removed right now
                continue;
            }
            long deadline = slowest.deadline(start);
            long remaining = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
            if (remaining <= 0 || Thread.currentThread().isInterrupted()) {
                slowest.ring.demote(); // stop waiting for it; it counts its loss when it reads
                r.timedOut++;
                continue;
            }
            ringProducer = Thread.currentThread();
            VarHandle.fullFence();
            if (!closed && !ring.hasAvailableCapacity(1)) {
                // bounded: consumers unpark it without a fence of their own (BufferedSubscription)
                LockSupport.parkNanos(this, Math.min(remaining, step));
                step = Math.min(step << 1, BufferedSubscription.PRODUCER_PARK_STEP_NANOS);
            }
            ringProducer = null;
        }
        return !closed;
    }

    Thread ringProducer() {
        return ringProducer;
    }

    /** Once per lap: close {@code disconnect} subscribers that fell further behind than their capacity. */
    private void sweepStalled(long cursor) {
        for (BufferedSubscription<T> s : subscribers) {
            RingView<T> v = s.ring;
            if (v != null && v.mode() == RingView.DISCONNECT && v.backlog(cursor) > v.capacity()) {
                s.close(CloseReason.SLOW);
            }
        }
    }

    /** Ring engine: a subscription was closed for being too slow ({@code disconnect}). */
    void ringDisconnected() {
        disconnects.incrementAndGet();
    }

    void enlist(BufferedSubscription<T> s) {
        enlisted.add(s);
        enlistedCount.incrementAndGet();
    }

    /** A closed subscription leaves the wake list, so the hub keeps no reference to it. */
    void delist(BufferedSubscription<T> s) {
        if (enlisted.remove(s)) {
            enlistedCount.decrementAndGet();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> BufferedSubscription<T>[] newArray(int n) {
        return (BufferedSubscription<T>[]) new BufferedSubscription<?>[n];
    }

    private void count(DropCause cause, int n) {
        if (n > 0) {
            drops.addAndGet(cause.ordinal(), n);
        }
    }

    // ------------------------------------------------------------------ subscribe

    /**
     * Attaches a pull subscription with the hub's default strategy and capacity.
     *
     * @return the subscription
     * @throws IllegalStateException when the hub is closed
     */
    public Subscription<T> subscribe() {
        return subscriber().subscribe();
    }

    /**
     * Attaches a pull subscription: its consumer calls {@code poll}, {@code drain} or {@code await}.
     *
     * @param overflow what to do when it falls behind
     * @return the subscription
     * @throws IllegalStateException    when the hub is closed
     * @throws IllegalArgumentException for {@code elasticWorkers}, which needs a handler
     */
    public Subscription<T> subscribe(Overflow overflow) {
        return subscriber().overflow(overflow).subscribe();
    }

    /**
     * Attaches a push subscription: {@code handler} runs on the hub's executor.
     *
     * @param overflow what to do when it falls behind
     * @param handler  receives the messages
     * @return the subscription, for its counters and to close it
     * @throws IllegalStateException when the hub is closed
     */
    public Subscription<T> subscribe(Overflow overflow, DeliveryHandler<? super T> handler) {
        return subscriber().overflow(overflow).handler(handler).subscribe();
    }

    /** @return a builder for a subscription with its own strategy, capacity, handler or executor */
    public SubscriptionBuilder subscriber() {
        return new SubscriptionBuilder();
    }

    private Subscription<T> attach(SubscriptionBuilder b) {
        Overflow overflow = b.overflow != null ? b.overflow : defaultOverflow;
        if (overflow instanceof Overflow.ElasticWorkers && b.handler == null) {
            throw new IllegalArgumentException("overflow: elastic-workers (expected: a handler; workers run it,"
                    + " so use subscribe(overflow, handler))");
        }
        if (engine instanceof Engine.Ring r && !r.supports(overflow)) {
            throw r.refusal(overflow);
        }
        boolean replay = b.resumeAfter >= 0 || b.startWithLatest;
        if (replay && seam == null) {
            throw new IllegalStateException("history: none (expected: Hub.builder().history(History.last(n))"
                    + " to resume or to start with the latest message)");
        }
        BufferedSubscription<T> s;
        if (!replay) {
            s = newSubscription(b, overflow, BufferedSubscription.Start.live(ringView(b, overflow, -1)));
            add(s);
        } else {
            seam.lock();
            try {
                s = newSubscription(b, overflow, start(b, overflow));
                add(s);
            } finally {
                seam.unlock();
            }
        }
        subscribed.incrementAndGet();
        if (listening) {
            try {
                listener.onSubscribe(s);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "listener failed", e);
            }
        }
        s.start();
        return s;
    }

    private BufferedSubscription<T> newSubscription(SubscriptionBuilder b, Overflow overflow,
                                                    BufferedSubscription.Start<T> start) {
        int cap = ceilPowerOfTwo(b.capacity > 0 ? b.capacity : capacity); // the rule, applied once
        Executor exec = b.executor != null ? b.executor : executor;
        if (overflow instanceof Overflow.ElasticWorkers elastic) {
            return new ElasticSubscription<>(this, elastic, cap, b.handler, exec, start);
        } else if (b.handler != null) {
            return new PushSubscription<>(this, overflow, cap, b.handler, exec, batchSize, start);
        }
        return new PullSubscription<>(this, overflow, cap, start);
    }

    /** Under the seam lock: what a replaying subscription delivers before live messages. */
    private BufferedSubscription.Start<T> start(SubscriptionBuilder b, Overflow overflow) {
        List<Delivery<T>> replay;
        boolean gap = false;
        if (b.resumeAfter >= 0) {
            // the last message under the seam, not the sequence field: a publish sets that first
            // and appends to the history after, so a resume from it would replay nothing and then
            // receive that very message live, a duplicate; this way it is "not published yet": a gap
            replay = history.after(b.resumeAfter, latest == null ? 0 : latest.sequence());
            if (replay == null) {
                gap = true;
                replay = latest == null ? List.of() : List.of(latest);
            }
        } else {
            replay = latest == null ? List.of() : List.of(latest);
        }
        replay = conflate(replay, overflow);
        @SuppressWarnings("unchecked")
        Delivery<T>[] preface = replay.toArray((Delivery<T>[]) new Delivery<?>[0]);
        // on the ring, live reading starts right after the last message in the history
        return new BufferedSubscription.Start<>(preface, gap, ringView(b, overflow, latest == null ? 0 : latest.sequence()));
    }

    /**
     * Ring engine: a new subscriber's cursor. A lossless one's gate is added to the ring first
     * (which sets it to the ring's cursor), so the producer cannot lap the slots it starts from.
     *
     * @param from the first ring sequence to read, or -1 for "after the current cursor"
     */
    private RingView<T> ringView(SubscriptionBuilder b, Overflow overflow, long from) {
        if (ring == null) {
            return null;
        }
        int mode = switch (overflow) {
            case Overflow.DropOldest o -> RingView.DROP_OLDEST;
            case Overflow.LatestOnly o -> RingView.LATEST_ONLY;
            case Overflow.Disconnect o -> RingView.DISCONNECT;
            default -> RingView.LOSSLESS;
        };
        int cap = ceilPowerOfTwo(b.capacity > 0 ? b.capacity : capacity);
        Sequence gate = null;
        if (mode == RingView.LOSSLESS) {
            gate = new Sequence();
            ring.addGatingSequences(gate);
        }
        long next = from >= 0 ? from : (gate != null ? gate.get() : ring.getCursor()) + 1;
        return new RingView<>(ring, mode, cap, next, gate);
    }

    /** Replays under a conflating strategy keep what that strategy would keep. */
    private static <T> List<Delivery<T>> conflate(List<Delivery<T>> replay, Overflow overflow) {
        if (replay.size() <= 1) {
            return replay;
        }
        return switch (overflow) {
            case Overflow.LatestOnly o -> List.of(replay.get(replay.size() - 1));
            case Overflow.LatestPerKey o -> {
                LinkedHashMap<Object, Delivery<T>> byKey = new LinkedHashMap<>();
                for (Delivery<T> d : replay) {
                    Object key;
                    try {
                        key = o.keyFunction().apply(d.message());
                    } catch (RuntimeException e) {
                        key = null;
                    }
                    key = key == null ? d : key;
                    byKey.remove(key);
                    byKey.put(key, d);
                }
                yield List.copyOf(byKey.values());
            }
            default -> replay;
        };
    }

    private void add(BufferedSubscription<T> s) {
        subscribersLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("hub " + name + " is closed");
            }
            BufferedSubscription<T>[] current = subscribers;
            BufferedSubscription<T>[] next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = s;
            subscribers = next;
            if (s.isPush()) {
                pushLive++;
            }
        } finally {
            subscribersLock.unlock();
        }
    }

    /** Removes an ended subscription; the hub keeps no reference to it. */
    void detach(BufferedSubscription<T> s) {
        subscribersLock.lock();
        try {
            BufferedSubscription<T>[] current = subscribers;
            int i = indexOf(current, s);
            if (i < 0) {
                return;
            }
            if (current.length == 1) {
                subscribers = none();
            } else {
                BufferedSubscription<T>[] next = newArray(current.length - 1);
                System.arraycopy(current, 0, next, 0, i);
                System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                subscribers = next;
            }
            retire(s);
        } finally {
            subscribersLock.unlock();
        }
    }

    /**
     * Ring engine: a subscription leaves the list; what its cursor was offered (frozen by its
     * close, or final after the hub's) moves into the hub's counter, which {@link #stats()} adds
     * to the live cursors'.
     */
    private void retire(BufferedSubscription<T> s) {
        if (s.ring != null) {
            offered.addAndGet(s.ring.offered());
        }
    }

    private static int indexOf(Object[] a, Object o) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == o) {
                return i;
            }
        }
        return -1;
    }

    void pushTerminated(BufferedSubscription<T> s) {
        subscribersLock.lock();
        try {
            pushLive--;
            terminated.signalAll();
        } finally {
            subscribersLock.unlock();
        }
    }

    // ------------------------------------------------------------------ close

    /**
     * Closes the hub: no more publishes, parked publishers released, every subscription ends
     * after delivering what it holds. Idempotent; safe from any thread. Returns without waiting
     * for push handlers: see {@link #awaitTermination(Duration)}.
     */
    @Override
    public void close() {
        subscribersLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true; // from here on subscribe fails and publish returns HUB_CLOSED
        } finally {
            subscribersLock.unlock();
        }
        finishClose();
    }

    private void finishClose() {
        if (enlisted != null) { // the ring's wake list: the subscriptions are woken below
            enlisted.clear();
            enlistedCount.set(0);
        }
        for (BufferedSubscription<T> s : subscribers) {
            s.wakeProducer();
        }
        Thread parked = ringProducer;
        if (parked != null) {
            LockSupport.unpark(parked);
        }
        // wait for the publish in flight, if any, so no offer lands after the subscriptions end
        if (singlePublisher) {
            while ((boolean) PUBLISHING.getVolatile(this)) {
                LockSupport.parkNanos(10_000);
            }
        } else {
            publishLock.lock();
            publishLock.unlock();
        }
        BufferedSubscription<T>[] all;
        subscribersLock.lock();
        try {
            all = subscribers;
            subscribers = none();
            for (BufferedSubscription<T> s : all) {
                retire(s); // no publish is in flight any more: its cursor is final
            }
        } finally {
            subscribersLock.unlock();
        }
        for (BufferedSubscription<T> s : all) {
            s.hubClosed();
        }
    }

    /**
     * Closes the hub only if no subscription is attached, atomically with respect to
     * {@code subscribe}: a racing subscribe either attaches first (and the hub stays open) or
     * fails with {@link IllegalStateException}. Used by {@link Topics} to reclaim idle hubs.
     *
     * @return true when this call closed the hub
     */
    boolean closeIfUnused() {
        subscribersLock.lock();
        try {
            if (closed || subscribers.length > 0) {
                return false;
            }
            closed = true;
        } finally {
            subscribersLock.unlock();
        }
        finishClose();
        return true;
    }

    /**
     * Waits until the hub is closed and every push subscription has delivered what it held and
     * stopped running its handler.
     *
     * @param timeout how long to wait at most
     * @return true when terminated, false on timeout
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long nanos = Checks.nanos(Checks.nonNegative("timeout", timeout));
        subscribersLock.lock();
        try {
            while (!closed || pushLive > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = terminated.awaitNanos(nanos);
            }
            return true;
        } finally {
            subscribersLock.unlock();
        }
    }

    /** @return true once {@link #close()} was called */
    public boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ accessors

    /** @return the sequence number of the last published message, 0 before the first; any thread */
    public long sequence() {
        return (long) SEQUENCE.getAcquire(this);
    }

    /** @return the number of attached subscriptions; any thread */
    public int subscriberCount() {
        return subscribers.length;
    }

    /**
     * @return the last published message, whatever the history keeps; any thread. Replaces the
     *         need to cache the current state beside the hub.
     */
    public Optional<Delivery<T>> latest() {
        @SuppressWarnings("unchecked")
        Delivery<T> d = (Delivery<T>) LATEST.getAcquire(this);
        return Optional.ofNullable(d);
    }

    /** @return the history this hub keeps */
    public History history() {
        return historySpec;
    }

    /** @return the engine this hub was built with */
    public Engine engine() {
        return engine;
    }

    /** @return the pacer given to the builder, if any */
    public Optional<Pacer> pacer() {
        return Optional.ofNullable(pacer);
    }

    /** @return the hub's name, used in thread names and messages */
    public String name() {
        return name;
    }

    /** @return the real capacity of a subscription that does not choose its own */
    public int capacity() {
        return ceilPowerOfTwo(capacity);
    }

    /** @return the strategy of a subscription that does not choose its own */
    public Overflow defaultOverflow() {
        return defaultOverflow;
    }

    /** @return a snapshot of the hub's counters and the sums over its subscriptions; any thread */
    public HubStats stats() {
        BufferedSubscription<T>[] subs = subscribers;
        long offeredNow = offered.get();
        if (ring != null) {
            for (BufferedSubscription<T> s : subs) {
                offeredNow += s.ring.offered();
            }
        }
        return new HubStats(
                sequence(),
                subs.length,
                subscribed.get(),
                disconnects.get(),
                offeredNow,
                delivered.sum(),
                drops.get(DropCause.OLDEST.ordinal()),
                drops.get(DropCause.NEWEST.ordinal()),
                drops.get(DropCause.SUPERSEDED.ordinal()),
                drops.get(DropCause.TIMEOUT.ordinal()),
                drops.get(DropCause.DISCONNECTED.ordinal()),
                drops.get(DropCause.CLOSED.ordinal()));
    }

    @Override
    public String toString() {
        return "Hub[" + name + ", seq=" + sequence() + ", subscribers=" + subscribers.length
                + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ called by subscriptions

    void delivered(int n) {
        delivered.add(n);
    }

    /** Consumer-side drops (discards after a close); producer-side ones are summed per publish. */
    void dropped(DropCause cause, long n) {
        drops.addAndGet(cause.ordinal(), n);
    }

    void listenerOnDrop(Subscription<?> s, DropCause cause, long n) {
        if (listening) {
            try {
                listener.onDrop(s, cause, n);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "listener failed", e);
            }
        }
    }

    void listenerOnClose(Subscription<?> s, CloseReason reason) {
        if (listening) {
            try {
                listener.onClose(s, reason);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "listener failed", e);
            }
        }
    }

    void handlerError(Subscription<?> s, long seq, Throwable error) {
        if (listening) {
            try {
                listener.onHandlerError(s, seq, error);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "listener failed", e);
            }
        } else if (handlerErrorsLogged.getAndIncrement() == 0) {
            LOG.log(Level.WARNING, "hub " + name + ": a handler failed on message " + seq
                    + "; further handler failures are logged at DEBUG (give the hub a HubListener to handle them)", error);
        } else {
            LOG.log(Level.DEBUG, "hub " + name + ": a handler failed on message " + seq, error);
        }
    }

    static int ceilPowerOfTwo(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    // ------------------------------------------------------------------ builders

    /** Starts a virtual thread per task; holds no threads of its own, so it needs no shutdown. */
    private static final class VirtualThreads implements Executor {
        private final ThreadFactory factory;

        VirtualThreads(String name) {
            this.factory = Thread.ofVirtual().name("fanout-" + name + "-", 0).factory();
        }

        @Override
        public void execute(Runnable task) {
            factory.newThread(task).start();
        }
    }

    /**
     * Configures one subscription. Not thread-safe; use it on one thread and then discard it.
     */
    public final class SubscriptionBuilder {
        private Overflow overflow;
        private int capacity;
        private DeliveryHandler<? super T> handler;
        private Executor executor;
        private long resumeAfter = -1;
        private boolean startWithLatest;

        private SubscriptionBuilder() {
        }

        /**
         * Starts with the hub's latest message, if there is one, then live messages, with no
         * gap and no duplicate between them. Needs a hub with a {@link History}.
         *
         * @return this
         */
        public SubscriptionBuilder startWithLatest() {
            this.startWithLatest = true;
            return this;
        }

        /**
         * Replays the kept messages with a sequence above {@code sequence}, then live messages,
         * with no gap and no duplicate at the seam. When the history no longer reaches back to
         * {@code sequence + 1}, or the hub never published {@code sequence}, the subscription
         * starts with the latest message and {@link Subscription#startGap()} says so. Under
         * {@code latestOnly} only the newest replayed message is kept, under {@code latestPerKey}
         * the newest per key. Needs a hub with a {@link History}; wins over
         * {@link #startWithLatest()}.
         *
         * @param sequence the last sequence the subscriber has seen, 0 for none
         * @return this
         */
        public SubscriptionBuilder resumeAfter(long sequence) {
            if (sequence < 0) {
                throw new IllegalArgumentException("sequence: " + sequence + " (expected: >= 0)");
            }
            this.resumeAfter = sequence;
            return this;
        }

        /**
         * @param overflow the strategy (default: the hub's)
         * @return this
         */
        public SubscriptionBuilder overflow(Overflow overflow) {
            this.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /**
         * @param capacity the buffer size, rounded up to a power of two (default: the hub's)
         * @return this
         */
        public SubscriptionBuilder capacity(int capacity) {
            this.capacity = Builder.checkCapacity(capacity);
            return this;
        }

        /**
         * Makes this a push subscription.
         *
         * @param handler receives the messages on the executor
         * @return this
         */
        public SubscriptionBuilder handler(DeliveryHandler<? super T> handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * @param executor runs this push subscription's handler (default: the hub's)
         * @return this
         */
        public SubscriptionBuilder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * @return the attached subscription
         * @throws IllegalStateException when the hub is closed
         */
        public Subscription<T> subscribe() {
            return attach(this);
        }
    }

    /**
     * Builds a {@link Hub}. Not thread-safe; each option may be set once.
     *
     * @param <T> the message type
     */
    public static final class Builder<T> {
        /** Capacities above this are refused: 2^30, the largest power of two an array can hold. */
        public static final int MAX_CAPACITY = 1 << 30;

        private static final AtomicInteger NAMES = new AtomicInteger();

        private String name;
        private Engine engine;
        private int capacity;
        private Overflow overflow;
        private boolean singlePublisher;
        private Executor executor;
        private HubListener listener;
        private int batchSize;
        private Pacer pacer;
        private History history;
        private InstantSource clock;
        private Function<? super T, ?> dedupKey;

        private Builder() {
        }

        private static void once(Object current, String option) {
            once(current != null, option);
        }

        private static void once(boolean set, String option) {
            if (set) {
                throw new IllegalStateException(option + " was already set");
            }
        }

        static int checkCapacity(int capacity) {
            Checks.positive("capacity", capacity);
            if (capacity > MAX_CAPACITY) {
                throw new IllegalArgumentException("capacity: " + capacity + " (expected: <= " + MAX_CAPACITY + ")");
            }
            return capacity;
        }

        /**
         * @param name names the hub in thread names and messages (default {@code hub-N})
         * @return this
         */
        public Builder<T> name(String name) {
            once(this.name, "name");
            if (Objects.requireNonNull(name, "name").isBlank()) {
                throw new IllegalArgumentException("name: \"" + name + "\" (expected: not blank)");
            }
            this.name = name;
            return this;
        }

        /**
         * @param engine how messages move (default {@link Engine#queues()})
         * @return this
         */
        public Builder<T> engine(Engine engine) {
            once(this.engine, "engine");
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /**
         * @param capacity the buffer size of each subscription that does not choose its own,
         *                 rounded up to a power of two, at most {@link #MAX_CAPACITY} (default 1024)
         * @return this
         */
        public Builder<T> capacity(int capacity) {
            once(this.capacity != 0, "capacity");
            this.capacity = checkCapacity(capacity);
            return this;
        }

        /**
         * @param overflow the strategy of subscriptions that do not choose their own
         *                 (default {@code slowProducer(Overflow.DEFAULT_MAX_WAIT)}: lossless)
         * @return this
         */
        public Builder<T> overflow(Overflow overflow) {
            once(this.overflow, "overflow");
            this.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /**
         * Declares that publishes never overlap (one publishing thread), so the publish lock is
         * skipped.
         *
         * @return this
         */
        public Builder<T> singlePublisher() {
            once(singlePublisher, "singlePublisher");
            this.singlePublisher = true;
            return this;
        }

        /**
         * @param executor runs push handlers (default: a new virtual thread per drain task, so
         *                 nothing to shut down)
         * @return this
         */
        public Builder<T> executor(Executor executor) {
            once(this.executor, "executor");
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * @param listener observes subscriptions, drops and handler errors (default
         *                 {@link HubListener#NOOP}; without one, the first handler error is
         *                 logged as a warning and the others at debug level)
         * @return this
         */
        public Builder<T> listener(HubListener listener) {
            once(this.listener, "listener");
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param batchSize the most messages a push drain task hands to its handler per batch (default 256)
         * @return this
         */
        public Builder<T> batchSize(int batchSize) {
            once(this.batchSize != 0, "batchSize");
            this.batchSize = Checks.positive("batchSize", batchSize);
            return this;
        }

        /**
         * @param pacer receives the fill of the fullest lossless subscriber after every publish
         * @return this
         */
        public Builder<T> pacer(Pacer pacer) {
            once(this.pacer, "pacer");
            this.pacer = Objects.requireNonNull(pacer, "pacer");
            return this;
        }

        /**
         * @param history what the hub keeps for resuming subscribers (default {@link History#none()})
         * @return this
         */
        public Builder<T> history(History history) {
            once(this.history, "history");
            this.history = Objects.requireNonNull(history, "history");
            return this;
        }

        /**
         * @param clock the time source of a time-bounded history (default the system clock)
         * @return this
         */
        public Builder<T> clock(InstantSource clock) {
            once(this.clock, "clock");
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Makes a publish of a message equal to the previous one a no-op: it gets no sequence
         * number and returns {@link PublishResult.Status#DUPLICATE}.
         *
         * @return this
         */
        public Builder<T> dedup() {
            return dedup(Function.identity());
        }

        /**
         * Like {@link #dedup()}, comparing keys (or hashes) instead of whole messages. The
         * function runs on the publishing thread; what it throws reaches the publisher, and the
         * message is then not published.
         *
         * @param key gives the value to compare with {@code equals}
         * @return this
         */
        public Builder<T> dedup(Function<? super T, ?> key) {
            once(this.dedupKey, "dedup");
            this.dedupKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /** @return the hub */
        public Hub<T> build() {
            if (name == null) {
                name = "hub-" + NAMES.incrementAndGet();
            }
            if (engine == null) {
                engine = Engine.queues();
            }
            if (capacity == 0) {
                capacity = 1024;
            }
            if (overflow == null) {
                overflow = Overflow.slowProducer(Overflow.DEFAULT_MAX_WAIT);
            }
            if (engine instanceof Engine.Ring r && !r.supports(overflow)) {
                throw r.refusal(overflow);
            }
            if (listener == null) {
                listener = HubListener.NOOP;
            }
            if (batchSize == 0) {
                batchSize = 256;
            }
            if (history == null) {
                history = History.none();
            }
            if (clock == null) {
                clock = InstantSource.system();
            }
            return new Hub<>(this);
        }
    }
}
