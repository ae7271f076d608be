package dev.fanout;

import com.lmax.disruptor.RingBuffer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One subscriber's cursor on the hub's ring: the ring engine's {@link Lane}. The producer never
 * touches it on the way in; the consumer reads the slots after its position, checking each
 * against the sequence it expects, so a slot overwritten by a later lap is never handed out.
 *
 * <p>Ring sequence {@code r} is the hub's {@code r}-th message (from 0); its slot carries the
 * message's hub sequence, which is {@code r + 1} unless the hub follows sequence numbers
 * assigned elsewhere. What a cursor does with a backlog
 * beyond its capacity is its {@link Strategy.RingMode}:
 * <ul>
 *   <li>{@code GATED} (lossless): the producer may not claim past this cursor's
 *       {@link #allowance()}, so the subscriber never holds more than {@code capacity} messages
 *       (see {@link RingDispatcher}). When a publish waits past the subscriber's limit, the
 *       producer <em>forces</em> it: the allowance grows by one, and the subscriber, when it
 *       next reads, skips what it holds beyond its capacity, oldest first, counting
 *       {@link DropCause#TIMEOUT} (statistics show it at once). A consumer that caught up in the
 *       same instant loses nothing: the count is of messages really lost.</li>
 *   <li>{@code OLDEST}, {@code LATEST}: the consumer skips to the newest {@code capacity} (or 1)
 *       messages when it reads, counting what it skipped; statistics show the skip before it
 *       happens.</li>
 *   <li>{@code DISCONNECT}: a consumer that finds itself more than its capacity behind (or the
 *       producer's once-per-lap sweep, or the hub's close) ends the subscription
 *       {@link CloseReason#SLOW}, as of the message that overflowed it: what it held and that
 *       message count {@link DropCause#DISCONNECTED}, later ones were never offered to it.</li>
 * </ul>
 *
 * <p>Fields are written by one party each: {@code next}, {@code applied} and {@code gatePos} by
 * the consumer, {@code forced} by the producer (release stores); {@code end} once, by whoever
 * ends the subscription.
 */
final class RingCursor<T> implements Lane<T> {
    private static final long OPEN = Long.MAX_VALUE;
    /**
     * The end a hub close sets ({@link #freeze()}): the ring's cursor whenever it is read, which
     * stops moving once the publish racing the close (on a single-publisher hub) is done, so that
     * publish is offered to every subscriber the close found, as on the queue engine.
     */
    private static final long FROZEN = Long.MAX_VALUE - 1;
    /**
     * {@code DISCONNECT}: set in {@link #next}'s published value by a producer that found the
     * consumer stalled more than its capacity behind ({@link #tryDisconnect}); positions stay far
     * below it.
     */
    private static final long STALLED = 1L << 62;
    private static final VarHandle NEXT;
    private static final VarHandle APPLIED;
    private static final VarHandle GATE_POS;
    private static final VarHandle FORCED;
    private static final VarHandle END;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            NEXT = l.findVarHandle(RingCursor.class, "next", long.class);
            APPLIED = l.findVarHandle(RingCursor.class, "applied", long.class);
            GATE_POS = l.findVarHandle(RingCursor.class, "gatePos", long.class);
            FORCED = l.findVarHandle(RingCursor.class, "forced", long.class);
            END = l.findVarHandle(RingCursor.class, "end", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final RingDispatcher<T> dispatcher;
    private final RingBuffer<RingDispatcher.Slot<T>> ring;
    private final Strategy.RingMode mode;
    private final int capacity;
    private final int size;
    private final boolean gated;
    /** The first ring sequence offered; set once, before the subscription is attached or while it is. */
    private volatile long start;

    // consumer-written
    /** The next ring sequence the consumer reads: its own copy. */
    private long at;
    /** {@link #at} as published to other threads (with the {@link #STALLED} mark, for {@code DISCONNECT}). */
    private long next;
    private long applied;
    private long gatePos;
    /** The ring's cursor as the consumer last read it: re-read only on catch-up, sparing a cache miss per message. */
    private long cachedCursor = -1;
    /** {@code DISCONNECT}: the consumer found itself more than its capacity behind. */
    private boolean overflowed;

    // producer-written
    private long forced;

    // written once, by whoever ends the subscription
    private volatile long end = OPEN;

    /**
     * @param from the first ring sequence to read, or -1 for "the next one published after the
     *             subscription is attached" (see {@link #attached()})
     */
    RingCursor(RingDispatcher<T> dispatcher, Strategy.RingMode mode, int capacity, long from) {
        this.dispatcher = dispatcher;
        this.ring = dispatcher.ring;
        this.mode = mode;
        this.capacity = capacity;
        this.size = ring.getBufferSize();
        this.gated = mode == Strategy.RingMode.GATED;
        setStart(from >= 0 ? from : Long.MAX_VALUE);
    }

    private void setStart(long first) {
        at = first;
        next = first;
        gatePos = first - 1;
        start = first; // volatile: publishes the two above
    }

    /**
     * Called by the hub under its subscriber lock right after it added the subscription to the
     * array the publishers read: a live cursor starts after what the ring holds now. Until then
     * it does not gate (a single publisher may run on meanwhile; it then starts later); the hub
     * bumps its list version after this call, so every later publish sees it gate.
     */
    @Override
    public void attached() {
        if (start == Long.MAX_VALUE) {
            setStart(ring.getCursor() + 1);
        }
    }

    boolean isGated() {
        return gated;
    }

    /**
     * Producer: this cursor holds the producer to its {@link #allowance()}: it is lossless and
     * its end is not set. A subscription that has just been closed keeps gating until
     * {@link #ended} sets its end, so the end is where the ring stood when it closed: were the
     * producer to run on in between, what it published would fall inside the ended cursor's
     * range and count as lost for being slow rather than for the close. A live cursor not yet
     * started (see {@link #attached()}) does not gate: it starts where the ring stands then.
     */
    boolean gates() {
        return gated && end == OPEN && start != Long.MAX_VALUE;
    }

    Strategy.RingMode mode() {
        return mode;
    }

    // ------------------------------------------------------------------ producer side

    /**
     * Producer: the last ring sequence the producer may claim without this lossless subscriber
     * holding more than its capacity: what it has read, plus what it was forced to skip, plus
     * its capacity. Never more than a ring ahead of what it has read, so no unread slot of it is
     * overwritten, but for the forced ones.
     */
    long allowance() {
        return (long) GATE_POS.getAcquire(this) + forced + capacity;
    }

    /**
     * Producer: a publish stopped waiting for this subscriber; the next slot is allowed, and the
     * subscriber will skip its oldest message when it reads.
     */
    void force() {
        FORCED.setRelease(this, forced + 1);
    }


    // ------------------------------------------------------------------ consumer side

    /**
     * Applies forced skips and the strategy to the backlog.
     *
     * @return the last ring sequence readable now (below {@code next} when nothing is), or
     *         {@code Long.MIN_VALUE} when the subscriber turned out too slow ({@code DISCONNECT})
     */
    private long admit(AbstractSubscription<T> s) {
        long n = at;
        long avail = cachedCursor;
        boolean forced = false;
        if (gated && (long) FORCED.getAcquire(this) != applied) {
            // forced: the cursor first, then the count, so the count covers every forced claim
            // up to that cursor and the allowance below is not raised past what it holds
            avail = cachedCursor = ring.getCursor();
            applied = (long) FORCED.getAcquire(this);
            APPLIED.setRelease(this, applied);
            forced = true;
        } else if (n > avail) {
            avail = cachedCursor = ring.getCursor(); // caught up with the cursor seen last: look again
        }
        long e = end;
        if (e != OPEN) {
            if (((long) NEXT.getVolatile(this) & STALLED) != 0) {
                // the producer ended it at the message that overflowed it (tryDisconnect): that
                // message counts DISCONNECTED and is never delivered, whatever this consumer took
                // of the batch it was reading meanwhile
                e--;
            }
            if (e < avail) {
                avail = e;
            }
        }
        long backlog = avail - n + 1;
        if (backlog > capacity) {
            if (mode == Strategy.RingMode.DISCONNECT) {
                s.ledger.consumer.raiseHighWater(capacity);
                overflowed = true;
                publish(n);
                return Long.MIN_VALUE;
            }
            long skip = backlog - capacity; // keep the newest: a lossless one was forced past its capacity
            s.skipped(mode.skipCause, skip);
            n += skip;
            backlog = capacity;
        }
        if (backlog > 0) {
            s.ledger.consumer.raiseHighWater(backlog);
        }
        if (n != at || forced) {
            publish(n);
        }
        return avail;
    }

    /**
     * Slot {@code n} held a later lap: the producer overtook this reader while it read (a lossy
     * one, or a lossless one the producer forced past a ring's worth). It skips to the newest
     * messages it can hold, counting what it skipped.
     *
     * @return where to read next, or -1 when a {@code DISCONNECT} subscriber is too slow or the
     *         subscription has ended
     */
    private long overtaken(long n, AbstractSubscription<T> s) {
        if (s.ledger.isClosed()) {
            // ended: the producer no longer keeps its slots. What is left counts as dropped for
            // the end, when the subscription discards it
            return -1;
        }
        if (mode == Strategy.RingMode.DISCONNECT) {
            overflowed = true;
            return -1;
        }
        long cursor = cachedCursor = ring.getCursor();
        if (gated) {
            applied = (long) FORCED.getAcquire(this);
            APPLIED.setRelease(this, applied);
        }
        long e = end;
        long last = e != OPEN && e < cursor ? e : cursor; // draining after a hub close: up to where it froze
        long target = Math.max(n + 1, last + 1 - capacity);
        s.skipped(mode.skipCause, target - n);
        return target;
    }

    private void publish(long n) {
        if (mode == Strategy.RingMode.DISCONNECT) {
            // a compare-and-set against the producer's stalled mark: either the producer closes it
            // where it stood, or it sees that the consumer moved
            long seen = (long) NEXT.getVolatile(this);
            if ((seen & STALLED) != 0 || !NEXT.compareAndSet(this, seen, n)) {
                NEXT.setRelease(this, n | STALLED); // marked: it keeps the mark, the position moves on
            }
        } else {
            NEXT.setRelease(this, n);
        }
        at = n;
        if (gated) {
            GATE_POS.setRelease(this, n - 1 - applied);
        }
    }

    /** Any thread: the consumer's published position. */
    private long position() {
        return (long) NEXT.getAcquire(this) & ~STALLED;
    }

    /**
     * Producer, {@code DISCONNECT} only: when the consumer stands more than its capacity behind
     * {@code cursor} and has not moved since it was read, marks it where it stands and ends its
     * cursor at the message that overflowed it; the caller then closes the subscription SLOW.
     * Exact against a consumer that is reading: its next position publish is a compare-and-set
     * that either comes first (and this call sees it moved) or finds the mark.
     *
     * @return true when it is marked and must be closed
     */
    boolean tryDisconnect(long cursor) {
        long n = (long) NEXT.getVolatile(this);
        if ((n & STALLED) != 0 || start == Long.MAX_VALUE || cursor + 1 - n <= capacity
                || !NEXT.compareAndSet(this, n, n | STALLED)) {
            return false;
        }
        END.compareAndSet(this, OPEN, n + capacity);
        return true;
    }

    @Override
    public Delivery<T> poll(AbstractSubscription<T> s) {
        long avail = admit(s);
        long n = at;
        while (n <= avail) {
            RingDispatcher.Slot<T> slot = ring.get(n);
            long stamp = slot.stampAcquire();
            T m = slot.message;
            long seq = slot.sequence;
            VarHandle.loadLoadFence();
            if (stamp != n + 1 || slot.stampOpaque() != stamp) {
                long resume = overtaken(n, s);
                if (resume < 0) {
                    return null; // too slow: the subscription ends where it stands
                }
                n = resume;
                publish(n);
                continue;
            }
            publish(n + 1);
            return new Delivery<>(seq, m);
        }
        return null;
    }

    @Override
    public int drain(Sink<T> sink, int limit, AbstractSubscription<T> s) {
        long avail = admit(s);
        long n = at;
        long upTo = Math.min(avail, n + limit - 1);
        int taken = 0;
        try {
            while (n <= upTo) {
                RingDispatcher.Slot<T> slot = ring.get(n);
                long stamp = slot.stampAcquire();
                T m = slot.message;
                long seq = slot.sequence;
                VarHandle.loadLoadFence();
                if (stamp != n + 1 || slot.stampOpaque() != stamp) {
                    long resume = overtaken(n, s);
                    if (resume < 0) {
                        break; // too slow: the subscription ends where it stands
                    }
                    n = resume;
                    upTo = Math.min(Math.min(avail, cachedCursor), n + (limit - taken) - 1);
                    continue;
                }
                n++;
                taken++;
                sink.accept(seq, m);
            }
        } finally {
            publish(n);
        }
        return taken;
    }

    @Override
    public int discard(AbstractSubscription<T> s) {
        admit(s); // counts the skips a read would count first
        long n = at;
        long last = lastOffered(n);
        long held = Math.max(0, last - n + 1);
        publish(Math.max(n, last + 1));
        return (int) Math.min(Integer.MAX_VALUE, held);
    }

    /** Consumer: the subscriber found itself more than its capacity behind ({@code DISCONNECT}). */
    boolean overflowed() {
        return overflowed;
    }

    @Override
    public void beforePark(AbstractSubscription<T> s) {
        dispatcher.enlist(s);
    }

    @Override
    public void tookLossless() {
        dispatcher.wakePublisher(); // any lossless consumer may be the one that makes room
    }

    // ------------------------------------------------------------------ any thread

    /**
     * The last ring sequence offered to this subscriber: the ring's cursor while it is open;
     * once ended, {@link #end} (or what the consumer took past it while the end was being set).
     */
    private long lastOffered(long n) {
        long last = ring.getCursor();
        long e = end;
        if (e != OPEN) {
            last = Math.min(last, Math.max(e, n - 1));
        }
        return last;
    }

    @Override
    public long offered(Counts producer) {
        long n = position();
        return producer.flow() + Math.max(0, lastOffered(n) - start + 1);
    }

    private long backlog() {
        long n = position();
        return Math.max(0, lastOffered(n) - n + 1);
    }

    @Override
    public long held() {
        long b = backlog();
        return mode == Strategy.RingMode.DISCONNECT ? b : Math.min(b, capacity);
    }

    @Override
    public void addPendingDrops(long[] drops) {
        if (mode.skipCause != null) {
            long b = backlog();
            if (b > capacity) {
                drops[mode.skipCause.ordinal()] += b - capacity;
            }
        }
    }

    @Override
    public boolean isEmpty() {
        return held() == 0;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public int highWater(Counts consumer) {
        return (int) Math.min(capacity, consumer.highWater());
    }

    /**
     * The hub closed: the cursor ends where the ring's cursor stops and no longer holds the
     * producer. A hub with a publish lock has stopped its publishers already; a single-publisher
     * hub's publish in flight may still write one slot, and that slot is offered to this cursor:
     * delivered while it drains, counted dropped {@link DropCause#CLOSED} once it has ended.
     */
    void freeze() {
        END.compareAndSet(this, OPEN, FROZEN);
    }

    /**
     * Ends the cursor where the ring is now; after a {@code SLOW} end, at the message that
     * overflowed it (its capacity past where its consumer stood), so that, as on the queue
     * engine, what it held and that message count {@link DropCause#DISCONNECTED} and later ones
     * were never offered to it. A consumer in the middle of a batch stood no further than its
     * published position, and its batch lies within its capacity of it: within the end.
     */
    @Override
    public void ended(AbstractSubscription<T> s, boolean slow) {
        long cursor = ring.getCursor();
        // a producer that found it stalled has set the end already; one that ends itself for
        // slowness is its own consumer, at its published position
        END.compareAndSet(this, OPEN, slow ? Math.min(cursor, position() + capacity) : cursor);
        dispatcher.delist(s);
        dispatcher.wakePublisher(); // an ended subscriber never holds the producer: it looks again
    }
}
