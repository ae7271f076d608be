package dev.fanout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The queue engine's subscription: a {@link Buffer}, its strategy, its state and its
 * counters. The producer side ({@link #offer}, {@link #awaitRoom}, {@link #signal}) is called by
 * the hub with publishing serialised; the consumer side is in the subclasses.
 *
 * <p>Wake-ups of a consumer follow one pattern: it announces itself in a volatile field, then
 * issues a full fence and checks again; the publisher makes its change, issues a full fence
 * (once per publish) and unparks only an announced consumer. A publisher waiting for room is
 * woken the other way round, without a fence on the consumer's side, which would cost every
 * take: a consumer unparks a publisher it sees announced, and the publisher parks in bounded
 * steps ({@link #PRODUCER_PARK_STEP_NANOS}) and looks again, so a wake-up lost to the race
 * (the consumer read the announcement before its own take was visible) costs one step, never
 * the publisher's whole wait.
 */
abstract sealed class BufferedSubscription<T> implements Subscription<T>
        permits PullSubscription, PushSubscription, ElasticSubscription {

    static final int OPEN = 0;
    static final int DRAINING = 1;
    static final int CLOSED = 2;

    private static final VarHandle STATE;
    private static final VarHandle REASON;
    private static final VarHandle OFFERED;
    private static final VarHandle HIGH_WATER;
    private static final VarHandle LAST_SEQUENCE;
    private static final VarHandle DELIVERED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(BufferedSubscription.class, "state", int.class);
            REASON = l.findVarHandle(BufferedSubscription.class, "reason", CloseReason.class);
            OFFERED = l.findVarHandle(BufferedSubscription.class, "offered", long.class);
            HIGH_WATER = l.findVarHandle(BufferedSubscription.class, "highWater", int.class);
            LAST_SEQUENCE = l.findVarHandle(BufferedSubscription.class, "lastSequence", long.class);
            DELIVERED = l.findVarHandle(BufferedSubscription.class, "delivered", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The longest a publisher waiting for room parks before it looks again; 1 ms. */
    static final long PRODUCER_PARK_STEP_NANOS = 1_000_000;
    /** The first park of a publisher waiting for room: 50 us, doubled per step up to the longest. */
    static final long PRODUCER_FIRST_PARK_NANOS = 50_000;

    private static final int ON_FULL_WAIT = 0;
    private static final int ON_FULL_DROP = 1;
    private static final int ON_FULL_DISCONNECT = 2;

    final Hub<T> hub;
    final Buffer<T> buffer;
    private final Overflow overflow;
    private final int onFull;
    private final long maxWaitNanos;
    private final boolean lossless;
    private final boolean startGap;
    /** The cursor on the hub's ring, or null on the queue engine. */
    final RingView<T> ring;
    private final AtomicBoolean enlisted = new AtomicBoolean();

    private volatile int state;
    private volatile CloseReason reason;
    /** A publisher parked in {@link #awaitRoom}, announced before it parks. */
    private volatile Thread producerWaiter;

    // written by the (serialised) producer only; read anywhere
    private long offered;
    private int highWater;
    // written by the consumer (several workers for elastic); read anywhere
    private long lastSequence;
    private long delivered;
    /** False for elastic workers, which take from one buffer concurrently. */
    private final boolean singleConsumer;
    private final AtomicLongArray drops = new AtomicLongArray(DropCause.values().length);

    BufferedSubscription(Hub<T> hub, Overflow overflow, int capacity, boolean manyConsumers, Start<T> start) {
        this.hub = hub;
        this.overflow = overflow;
        this.lossless = overflow.lossless();
        this.startGap = start.gap();
        this.singleConsumer = !manyConsumers;
        this.ring = start.ring();
        Buffer<T> live = ring != null ? ring : switch (overflow) {
            case Overflow.DropOldest o -> new DropOldestBuffer<>(capacity);
            case Overflow.LatestOnly o -> new LatestBuffer<>();
            case Overflow.LatestPerKey o -> new LatestPerKeyBuffer<>(o.keyFunction(), capacity,
                    (d, e) -> hub.handlerError(this, d.sequence(), e));
            case Overflow.SlowProducer o -> new QueueBuffer<>(capacity, manyConsumers);
            case Overflow.DropNewest o -> new QueueBuffer<>(capacity, manyConsumers);
            case Overflow.Disconnect o -> new QueueBuffer<>(capacity, manyConsumers);
            case Overflow.ElasticWorkers o -> new QueueBuffer<>(capacity, manyConsumers);
        };
        this.buffer = start.preface().length == 0 ? live : new PrefacedBuffer<>(live, start.preface());
        this.offered = start.preface().length;
        this.onFull = switch (overflow) {
            case Overflow.DropNewest o -> ON_FULL_DROP;
            case Overflow.Disconnect o -> ON_FULL_DISCONNECT;
            default -> ON_FULL_WAIT;
        };
        this.maxWaitNanos = switch (overflow) {
            case Overflow.SlowProducer o -> Checks.nanos(o.maxWait());
            case Overflow.ElasticWorkers o -> Checks.nanos(o.maxWait());
            default -> 0;
        };
        this.lastSequence = hub.sequence();
        if (ring != null) {
            ring.bind(new RingView.Skips() {
                @Override
                public void skipped(DropCause cause, long n) {
                    dropped(cause, n);
                    hub.dropped(cause, n);
                }

                @Override
                public void tooSlow(long backlog) {
                    boolean first = state != CLOSED;
                    close(CloseReason.SLOW);
                    if (first) {
                        discardRemaining(); // the consumer's own read found it lapped: count what it held now
                    }
                }

                @Override
                public void regated() {
                    if (state == CLOSED) {
                        ring.ungate();
                    }
                }
            });
        }
    }

    /**
     * Ring engine: before the consumer parks (or a push subscription goes idle) it enlists with
     * the hub, which wakes enlisted subscribers after its next publish instead of looking at
     * every subscriber on every publish. The caller issues a full fence and checks again after
     * this. Does nothing on the queue engine, where the hub signals each subscriber it offers to.
     */
    final void beforePark() {
        if (ring != null && enlisted.compareAndSet(false, true)) {
            hub.enlist(this);
        }
    }

    /** Ring engine: the hub took this subscription off its wake list after a publish. */
    void wakeFromRing() {
        enlisted.set(false);
        signal(); // a parked consumer wakes, and enlists again if it parks again
    }

    /** Ring engine: clears the enlisted flag; for subclasses that decide themselves what to do next. */
    final void delisted() {
        enlisted.set(false);
    }

    /**
     * How a subscription starts: the replayed messages it delivers before live ones, and whether
     * a resume found a gap.
     */
    record Start<T>(Delivery<T>[] preface, boolean gap, RingView<T> ring) {
        @SuppressWarnings("unchecked")
        static <T> Start<T> live(RingView<T> ring) {
            return new Start<>((Delivery<T>[]) new Delivery<?>[0], false, ring);
        }
    }

    // ------------------------------------------------------------------ producer side

    /**
     * Offers one delivery and records the outcome in {@code r}.
     *
     * @return true when the buffer is full and this lossless subscriber must be waited for
     */
    final boolean offer(Delivery<T> d, PublishResult r) {
        OFFERED.setRelease(this, offered + 1);
        switch (buffer.offer(d)) {
            case Buffer.ACCEPTED -> r.accepted++;
            case Buffer.ACCEPTED_EVICTED -> {
                r.accepted++;
                r.oldest++;
                dropped(DropCause.OLDEST, 1);
            }
            case Buffer.ACCEPTED_SUPERSEDED -> {
                r.accepted++;
                r.superseded++;
                dropped(DropCause.SUPERSEDED, 1);
            }
            default -> {
                switch (onFull) {
                    case ON_FULL_DROP -> {
                        r.newest++;
                        dropped(DropCause.NEWEST, 1);
                    }
                    case ON_FULL_DISCONNECT -> {
                        r.disconnected++;
                        dropped(DropCause.DISCONNECTED, 1);
                        close(CloseReason.SLOW);
                    }
                    default -> {
                        return true;
                    }
                }
                return false;
            }
        }
        noteDepth();
        return false;
    }

    /**
     * Ring engine, producer side: the hub closed while the publisher waited for room, so the
     * message never reached the ring; it counts as offered to this subscription and dropped
     * {@link DropCause#CLOSED}.
     */
    final void closedBeforeSlot() {
        OFFERED.setRelease(this, offered + 1);
        dropped(DropCause.CLOSED, 1);
        hub.dropped(DropCause.CLOSED, 1);
    }

    private void noteDepth() {
        int depth = buffer.size();
        if (depth > highWater) {
            HIGH_WATER.setRelease(this, depth);
        }
    }

    /** The deadline for a publish that found this lossless subscriber full at {@code now}. */
    final long deadline(long now) {
        long deadline = now + maxWaitNanos;
        return deadline - now < 0 ? Long.MAX_VALUE : deadline; // saturate
    }

    /**
     * Parks the publishing thread until {@code d} fits, the deadline passes, the subscription or
     * hub closes, or the thread is interrupted; records the outcome in {@code r}.
     */
    final void awaitRoom(Delivery<T> d, long deadline, PublishResult r) {
        Thread me = Thread.currentThread();
        long step = PRODUCER_FIRST_PARK_NANOS;
        while (true) {
            if (state != OPEN || hub.isClosed()) {
                r.closed++;
                dropped(DropCause.CLOSED, 1);
                return;
            }
            if (buffer.offer(d) == Buffer.ACCEPTED) {
                break;
            }
            long remaining = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
            if (remaining <= 0 || me.isInterrupted()) {
                r.timedOut++;
                dropped(DropCause.TIMEOUT, 1);
                return;
            }
            producerWaiter = me;
            VarHandle.fullFence();
            if (state != OPEN || hub.isClosed()) {
                producerWaiter = null; // a close came after the check above: do not park through it
                continue;
            }
            if (buffer.offer(d) == Buffer.ACCEPTED) {
                producerWaiter = null;
                break;
            }
            LockSupport.parkNanos(this, Math.min(remaining, step));
            step = Math.min(step << 1, PRODUCER_PARK_STEP_NANOS);
            producerWaiter = null;
        }
        r.accepted++;
        noteDepth();
        VarHandle.fullFence();
        signal();
    }

    /** Wakes the consumer if it announced that it waits. Called after a full fence. */
    abstract void signal();

    /** Starts push workers; called once after the subscription is attached. */
    void start() {
    }

    /** @return how full the buffer is, 0 to 1: the pacing signal */
    final double fill() {
        return (double) buffer.size() / buffer.capacity();
    }

    final boolean isLossless() {
        return lossless;
    }

    // ------------------------------------------------------------------ consumer side helpers

    /** Counts {@code n} deliveries taken by the consumer, the last with sequence {@code last}. */
    final void took(int n, long last) {
        if (n <= 0) {
            return;
        }
        hub.delivered(n);
        if (singleConsumer) {
            // one consumer at a time (with happens-before between them): plain stores that
            // readers on other threads see in order, no atomic instruction on the hot path
            DELIVERED.setRelease(this, delivered + n);
            LAST_SEQUENCE.setRelease(this, last);
        } else {
            DELIVERED.getAndAdd(this, (long) n);
            long seen;
            while (last > (seen = (long) LAST_SEQUENCE.getAcquire(this))
                    && !LAST_SEQUENCE.weakCompareAndSetRelease(this, seen, last)) {
                Thread.onSpinWait(); // elastic workers finish out of order: keep the largest
            }
        }
        if (lossless) {
            // no fence: a publisher that announced itself after this read still finds the room
            // at its next step (see the class comment). On the ring any lossless consumer may
            // be the one that makes room: the publisher waits on the hub, not on one subscriber.
            Thread p = ring != null ? hub.ringProducer() : producerWaiter;
            if (p != null) {
                LockSupport.unpark(p);
            }
        }
    }

    /** Consumer side: discards what an ended subscription still holds, counting it. */
    final void discardRemaining() {
        int n = buffer.discard();
        if (n > 0) {
            DropCause cause = reason == CloseReason.SLOW ? DropCause.DISCONNECTED : DropCause.CLOSED;
            dropped(cause, n);
            hub.dropped(cause, n);
        }
    }

    final void dropped(DropCause cause, long n) {
        drops.addAndGet(cause.ordinal(), n);
        hub.listenerOnDrop(this, cause, n);
    }

    final int state() {
        return state;
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public final void close() {
        close(CloseReason.CLOSED);
    }

    final void close(CloseReason why) {
        boolean first = REASON.compareAndSet(this, null, why);
        int s;
        do {
            s = state;
            if (s == CLOSED) {
                return;
            }
        } while (!STATE.compareAndSet(this, s, CLOSED));
        if (ring != null) {
            ring.freeze(); // later messages are not offered to it
            ring.ungate(); // a closed lossless subscriber must never hold the producer
            if (enlisted.get()) {
                hub.delist(this);
            }
            if (why == CloseReason.SLOW) {
                hub.ringDisconnected(); // the queue engine counts it in the publish that found it full
            }
        }
        hub.detach(this);
        wakeAll();
        if (first) {
            hub.listenerOnClose(this, why);
        }
    }

    /** The hub closed: deliver what is held, then end. */
    final void hubClosed() {
        boolean first = REASON.compareAndSet(this, null, CloseReason.HUB_CLOSED);
        if (STATE.compareAndSet(this, OPEN, DRAINING) || first) {
            wakeAll();
            if (first) {
                hub.listenerOnClose(this, CloseReason.HUB_CLOSED);
            }
        }
    }

    /**
     * Releases a producer parked in {@link #awaitRoom}, or on the ring the publisher parked until
     * a lossless subscriber makes room: a closing one removed its gate, so it may not wait for it.
     */
    final void wakeProducer() {
        Thread p = ring != null ? hub.ringProducer() : producerWaiter;
        if (p != null) {
            LockSupport.unpark(p);
        }
    }

    /** The state changed: wake whoever waits so they see it. */
    void wakeAll() {
        wakeProducer();
        signal();
    }

    // ------------------------------------------------------------------ accessors

    @Override
    public Optional<Delivery<T>> poll() {
        throw pushOnly();
    }

    @Override
    public int drain(DeliveryHandler<? super T> handler, int limit) {
        throw pushOnly();
    }

    @Override
    public Optional<Delivery<T>> await(Duration timeout) {
        throw pushOnly();
    }

    @Override
    public Optional<Delivery<T>> await() {
        throw pushOnly();
    }

    private IllegalStateException pushOnly() {
        return new IllegalStateException("a push subscription delivers to its handler; poll, drain and await are for pull subscriptions");
    }

    @Override
    public boolean isClosed() {
        int s = state;
        return s == CLOSED || (s == DRAINING && buffer.isEmpty());
    }

    @Override
    public Optional<CloseReason> closeReason() {
        return Optional.ofNullable(reason);
    }

    @Override
    public boolean startGap() {
        return startGap;
    }

    @Override
    public Overflow overflow() {
        return overflow;
    }

    @Override
    public int capacity() {
        return buffer.capacity();
    }

    @Override
    public long lastSequence() {
        return (long) LAST_SEQUENCE.getAcquire(this);
    }

    int workers() {
        return 0;
    }

    int peakWorkers() {
        return 0;
    }

    @Override
    public SubscriptionStats stats() {
        long last = lastSequence();
        return new SubscriptionStats(
                (long) OFFERED.getAcquire(this) + (ring == null ? 0 : ring.offered()),
                (long) DELIVERED.getAcquire(this),
                drops.get(DropCause.OLDEST.ordinal()),
                drops.get(DropCause.NEWEST.ordinal()),
                drops.get(DropCause.SUPERSEDED.ordinal()),
                drops.get(DropCause.TIMEOUT.ordinal()),
                drops.get(DropCause.DISCONNECTED.ordinal()),
                drops.get(DropCause.CLOSED.ordinal()),
                buffer.size(),
                ring != null ? ring.highWater() : (int) HIGH_WATER.getAcquire(this),
                buffer.capacity(),
                Math.max(0, hub.sequence() - last),
                workers(),
                peakWorkers());
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + overflow.alias() + ", capacity=" + buffer.capacity()
                + ", depth=" + buffer.size() + ", state=" + switch (state) {
                    case OPEN -> "open";
                    case DRAINING -> "draining";
                    default -> "closed";
                } + "]";
    }
}
