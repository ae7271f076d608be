package dev.fanout;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.YieldingWaitStrategy;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The ring engine: one LMAX Disruptor ring per hub and a {@link RingCursor} per subscriber. A
 * publish claims one slot, writes the message into it and publishes the ring's cursor, whatever
 * the number of subscribers; it looks at subscribers only to wait for a full lossless one, to
 * wake the ones on its wake list, and once per lap to close {@code disconnect} subscribers that
 * fell too far behind. Nothing is allocated on this path.
 *
 * <p>The ring is the Disruptor's single-producer {@link RingBuffer} (publishers are serialised
 * by the hub): its preallocated slots, claim and cursor. Lossless subscribers are not Disruptor
 * gating sequences, which can only hold a subscriber to the ring's whole size: each has its own
 * capacity and may be forced past a timeout, so the claim checks their allowances itself (see
 * {@link #claim}). The ring's wait strategy is never waited on: consumers park on their own and
 * are woken from the wake list, so a publish takes no lock.
 */
final class RingDispatcher<T> implements Dispatcher<T> {
    private final Hub<T> hub;
    final RingBuffer<Slot<T>> ring;
    private final int size;
    /** Subscribers that parked (or went idle) since the last publish and must be woken by the next. */
    private final ConcurrentLinkedQueue<AbstractSubscription<T>> wakeList = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wakeCount = new AtomicInteger();
    /** A publisher parked until a lossless consumer makes room, announced before it parks. */
    private volatile Thread parkedPublisher;
    /** Publisher-owned: the smallest allowance of the lossless subscribers of list version {@link #limitVersion}. */
    private long limit = Long.MIN_VALUE;
    private int limitVersion = -1;
    /**
     * Publisher-owned: the publish under way waited for room. Written only when it did, and
     * cleared by the publish that read it: consumers read {@link #parkedPublisher} after each
     * lossless take, and a write per publish next to it would cost them a cache miss each.
     */
    private boolean waited;

    RingDispatcher(Hub<T> hub, int size) {
        this.hub = hub;
        // the wait strategy is never waited on (no barrier or processor is made); the yielding one
        // signals nothing on publish
        this.ring = RingBuffer.createSingleProducer(Slot::new, size, new YieldingWaitStrategy());
        this.size = ring.getBufferSize();
    }

    /**
     * A ring slot: the message of the lap that wrote it last, its hub sequence number, and its
     * position in the ring (the ring sequence plus one) as the stamp of a sequence lock, so that
     * a reader that races with a later lap's write detects it: the stamp is cleared, then the
     * message and sequence written, then the stamp set (release); a reader reads the stamp
     * (acquire), the fields, and the stamp again after a load fence. The stamp is the ring's
     * own count, so it works for a hub that follows sequence numbers assigned elsewhere.
     */
    static final class Slot<T> {
        private static final VarHandle STAMP;

        static {
            try {
                STAMP = MethodHandles.lookup().findVarHandle(Slot.class, "stamp", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private long stamp;
        long sequence;
        T message;

        /** Producer: writes ring position {@code position}'s message. */
        void write(long position, long seq, T m) {
            STAMP.setRelease(this, 0L);
            VarHandle.storeStoreFence();
            message = m;
            sequence = seq;
            STAMP.setRelease(this, position + 1);
        }

        long stampAcquire() {
            return (long) STAMP.getAcquire(this);
        }

        long stampOpaque() {
            return (long) STAMP.getOpaque(this);
        }
    }

    @Override
    public Lane<T> newLane(Strategy strategy, Overflow overflow, int capacity, boolean manyConsumers, long from) {
        return new RingCursor<>(this, strategy.ringMode, capacity, from);
    }

    @Override
    public int capacity(int asked) {
        return Math.min(asked, size);
    }

    // ------------------------------------------------------------------ publish

    @Override
    public void fanOut(long sequence, T message, Delivery<T> d, AbstractSubscription<T>[] subs, int version,
                       Tally tally) {
        tally.subscribers = subs.length;
        long slot = claim(subs, version, tally);
        boolean waitedForRoom = waited;
        if (waitedForRoom) {
            waited = false; // written only when set, see the field
        }
        if (slot < 0) {
            // the hub closed while the publisher waited: the message got no slot, so no cursor
            // counts it; every subscriber counts it offered and dropped CLOSED, as on the queue engine
            for (AbstractSubscription<T> s : subs) {
                s.ledger.producer.addFlow(1);
                s.ledger.producer.drop(DropCause.CLOSED, 1);
                tally.drop(DropCause.CLOSED);
                hub.listenerOnDrop(s, DropCause.CLOSED, 1);
            }
            return;
        }
        if (waitedForRoom) {
            // a subscriber that ended while the publisher waited is not offered the message: its
            // cursor stopped at its end. A lossless one (the usual way out for a full one) counts
            // it offered and dropped CLOSED, as the queue engine's wait for it does; a lossy one
            // was never offered it
            for (AbstractSubscription<T> s : subs) {
                if (!s.ledger.isOpen()) {
                    if (((RingCursor<T>) s.ledger.lane).isGated()) {
                        s.ledger.producer.addFlow(1);
                        s.ledger.producer.drop(DropCause.CLOSED, 1);
                        tally.drop(DropCause.CLOSED);
                        hub.listenerOnDrop(s, DropCause.CLOSED, 1);
                    } else {
                        tally.subscribers--;
                    }
                }
            }
        }
        ring.get(slot).write(slot, sequence, message);
        ring.publish(slot);
        tally.accepted = tally.subscribers - tally.drops[DropCause.TIMEOUT.ordinal()]
                - tally.drops[DropCause.CLOSED.ordinal()];
        if ((slot & (size - 1)) == 0) {
            sweep(subs, slot);
        }
    }

    /**
     * Claims the next slot. It may be claimed only within every open lossless subscriber's
     * {@link RingCursor#allowance() allowance}; the smallest allowance is cached and computed
     * again only when the next slot passes it or the hub's subscriber list has a new version (a
     * new subscriber brings one). The cache keeps the version, not the list, so it holds no
     * ended subscription. While the slot is not allowed, the publisher waits; each lossless
     * subscriber still full once its own wait limit (counted from the first look) has passed is
     * forced to give up its oldest message, counted as this publish's {@link DropCause#TIMEOUT}.
     *
     * @return the slot, or -1 when the hub closed first
     */
    private long claim(AbstractSubscription<T>[] subs, int version, Tally tally) {
        long next = ring.getCursor() + 1; // publishes are serialised and publish what they claim
        if (version != limitVersion || next > limit) {
            limitVersion = version;
            limit = allowance(subs, next, Long.MIN_VALUE, tally);
            if (next > limit) {
                waited = true;
                limit = await(subs, next, tally);
                if (limit < 0 && hub.isClosed()) {
                    return -1;
                }
            }
        }
        try {
            return ring.tryNext(); // never waits: the ring has no gating sequences, the allowance is the gate
        } catch (InsufficientCapacityException e) {
            throw new IllegalStateException("the ring refused a slot it has no gate for", e);
        }
    }

    /**
     * The smallest allowance of the open lossless subscribers in {@code subs}. With a
     * {@code start} (not {@code Long.MIN_VALUE}), subscribers whose wait limit counted from it
     * has passed are forced first.
     */
    private long allowance(AbstractSubscription<T>[] subs, long next, long start, Tally tally) {
        long min = Long.MAX_VALUE;
        for (AbstractSubscription<T> s : subs) {
            if (s.ledger.lane instanceof RingCursor<T> c && c.gates()) {
                long a = c.allowance();
                if (a < next && start != Long.MIN_VALUE && s.ledger.isOpen()
                        && ProducerBackoff.expired(ProducerBackoff.deadline(start, s.maxWaitNanos()))) {
                    c.force(); // the subscriber counts the message it loses (TIMEOUT) when it next reads
                    a++;
                    tally.drop(DropCause.TIMEOUT);
                }
                min = Math.min(min, a);
            }
        }
        return min;
    }

    /** Waits until slot {@code next} is allowed. @return the new smallest allowance, or -1 when the hub closed */
    private long await(AbstractSubscription<T>[] subs, long next, Tally tally) {
        long start = System.nanoTime();
        ProducerBackoff backoff = new ProducerBackoff(start, Long.MAX_VALUE);
        Thread me = Thread.currentThread();
        while (true) {
            if (hub.isClosed()) {
                return -1;
            }
            long min = allowance(subs, next, start, tally);
            if (next <= min) {
                return min;
            }
            parkedPublisher = me;
            VarHandle.fullFence(); // the announcement is visible before the last look
            if (!hub.isClosed() && next > allowance(subs, next, Long.MIN_VALUE, tally)) {
                backoff.park(this);
            }
            parkedPublisher = null;
        }
    }

    /** Once per lap: ends {@code disconnect} subscribers that fell further behind than their capacity. */
    private void sweep(AbstractSubscription<T>[] subs, long cursor) {
        for (AbstractSubscription<T> s : subs) {
            if (s.ledger.lane instanceof RingCursor<T> c && c.mode() == Strategy.RingMode.DISCONNECT
                    && s.ledger.isOpen() && c.tryDisconnect(cursor)) {
                s.close(CloseReason.SLOW);
            }
        }
    }

    // ------------------------------------------------------------------ wake-ups

    /** A consumer that is about to park asks to be woken by the next publish. */
    void enlist(AbstractSubscription<T> s) {
        if (s.enlist()) {
            wakeList.add(s);
            wakeCount.incrementAndGet();
            if (s.ledger.isClosed()) {
                // ended meanwhile: its end may have looked at the list before this add (both
                // sides are atomic, so one sees the other), and the hub must not keep it
                delist(s);
            }
        }
    }

    /** An ended subscription leaves the wake list, so the hub keeps no reference to it. */
    void delist(AbstractSubscription<T> s) {
        if (wakeList.remove(s)) {
            wakeCount.decrementAndGet();
        }
    }

    @Override
    public void wake(AbstractSubscription<T>[] subs) {
        int n = wakeCount.get();
        AbstractSubscription<T> s;
        // only those enlisted now: a woken subscriber may enlist again at once
        for (; n > 0 && (s = wakeList.poll()) != null; n--) {
            wakeCount.decrementAndGet();
            s.wakeFromList();
        }
    }

    /** A lossless consumer made room, or a gate was removed: the parked publisher looks again. */
    void wakePublisher() {
        Thread p = parkedPublisher;
        if (p != null) {
            LockSupport.unpark(p);
        }
    }

    @Override
    public double fullestLossless(AbstractSubscription<T>[] subs) {
        double fill = 0;
        for (AbstractSubscription<T> s : subs) {
            if (s.ledger.lane instanceof RingCursor<T> c && c.isGated() && s.ledger.isOpen()) {
                fill = Math.max(fill, (double) c.held() / c.capacity());
            }
        }
        return fill;
    }

    @Override
    public Thread waitingPublisher(AbstractSubscription<T>[] subs) {
        return parkedPublisher;
    }

    @Override
    public void releasePublisher(AbstractSubscription<T>[] subs) {
        wakePublisher();
    }

    @Override
    public void hubClosing(AbstractSubscription<T>[] subs) {
        long cursor = ring.getCursor();
        sweep(subs, cursor); // a disconnect subscriber already too far behind ends SLOW, not HUB_CLOSED
        for (AbstractSubscription<T> s : subs) {
            ((RingCursor<T>) s.ledger.lane).freeze();
        }
    }
}
