package dev.fanout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * What every subscription shares: its {@link Ledger} (state and books), the hub, and the end of
 * its life. The consumer side is in the subclasses: {@link PollingSubscription} (pull),
 * {@link HandlerSubscription} (push) and {@link ElasticSubscription} (push on a pool of
 * workers). The engine's side is the ledger's {@link Lane}.
 *
 * <p>Wake-ups of a consumer follow one pattern: it announces itself (a volatile field, and on
 * the ring the hub's wake list), issues a full fence and looks again before it parks; the
 * publisher makes its change, issues a full fence (once per publish, and only while some
 * subscription of the hub may park: see {@link Hub}) and wakes the consumers that announced
 * themselves.
 */
abstract sealed class AbstractSubscription<T> permits PollingSubscription, HandlerSubscription, ElasticSubscription {

    private static final AbstractSubscription<?>[] NONE = new AbstractSubscription<?>[0];
    private static final VarHandle ENLISTED;

    static {
        try {
            ENLISTED = MethodHandles.lookup().findVarHandle(AbstractSubscription.class, "enlisted", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Hub<T> hub;
    final Ledger<T> ledger;
    final Lane<T> lane;
    private final Overflow overflow;
    private final long maxWaitNanos;
    /** On the ring's wake list. */
    private volatile boolean enlisted;
    /** Counted in the hub's subscriptions that may park; guarded by the hub's subscriber lock. */
    boolean wakeable;
    /**
     * A thread parked until this subscription begins to end, not for messages: the
     * {@link FlowPublisher}'s, while its subscriber's demand is zero. Unparked by every end (close,
     * the start of a drain after a hub close, the end of that drain), never by a publish. It
     * announces itself here and then reads the ledger's state; an end changes that state and then
     * reads this field: both volatile, so one of the two sees the other.
     */
    volatile Thread endWaiter;

    AbstractSubscription(Hub<T> hub, Overflow overflow, Ledger<T> ledger) {
        this.hub = hub;
        this.overflow = overflow;
        this.ledger = ledger;
        this.lane = ledger.lane;
        this.maxWaitNanos = Strategy.maxWaitNanos(overflow);
    }

    /**
     * A new array of {@code length}, allocated directly: {@code Arrays.copyOf} of a typed array
     * goes through {@code Array.newInstance}, the largest frame under an attach or detach in the
     * scale-out profile (docs/load.md); at 16,700 subscribers an attach costs 2.5 µs instead of
     * 2.9, a detach and attach 8.4 µs instead of 11.0 (medians of 15 rounds, one thread).
     */
    @SuppressWarnings("unchecked")
    static <T> AbstractSubscription<T>[] array(int length) {
        return (AbstractSubscription<T>[]) new AbstractSubscription<?>[length];
    }

    @SuppressWarnings("unchecked")
    static <T> AbstractSubscription<T>[] none() {
        return (AbstractSubscription<T>[]) NONE;
    }

    /** @return how long a publish may wait for this subscriber's room, in nanoseconds */
    final long maxWaitNanos() {
        return maxWaitNanos;
    }

    /** @return true for the subscriptions that may park and need the publisher's signal from the start */
    abstract boolean parksFromStart();

    /** Starts push workers; called once after the subscription is attached. */
    void start() {
    }

    /** Wakes the consumer if it announced that it waits. Called after a full fence. */
    abstract void signal();

    /** The subscription begins or finishes its end: wakes the consumer and an {@link #endWaiter}. */
    private void signalEnd() {
        signal();
        Thread w = endWaiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    // ------------------------------------------------------------------ the ring's wake list

    /** @return true when this call put the subscription on the wake list (it was not on it) */
    final boolean enlist() {
        return ENLISTED.compareAndSet(this, false, true);
    }

    /** The publisher took this subscription off its wake list. */
    void wakeFromList() {
        enlisted = false;
        signal(); // a parked consumer wakes, and enlists again if it parks again
    }

    final void delisted() {
        enlisted = false;
    }

    // ------------------------------------------------------------------ consumer helpers

    /** Consumer: counts a batch the sink took, and releases a publisher waiting for room. */
    final void counted(Sink<T> sink) {
        ledger.delivered(sink.delivered, sink.last);
        discarded(sink.discarded);
        if (sink.delivered > 0 && ledger.strategy.lossless()) {
            lane.tookLossless();
        }
    }

    /** Consumer: counts drops the lane found while reading (ring skips), and tells the listener. */
    final void skipped(DropCause cause, long n) {
        ledger.consumer.drop(cause, n);
        hub.listenerOnDrop(this, cause, n);
    }

    /** Consumer: counts messages taken from an ended subscription and discarded. */
    final void discarded(long n) {
        if (n > 0) {
            skipped(ledger.endCause(), n);
        }
    }

    /** Consumer: discards what the ended subscription still holds, counting it. */
    final void discardRemaining() {
        discarded(ledger.preface.discard() + lane.discard(this));
    }

    /**
     * Consumer: the lane gave nothing. A ring subscriber that found itself too slow ends now; a
     * draining one that holds nothing ends; an ended one discards what it holds.
     *
     * @return true when the subscription has ended
     */
    final boolean nothingTaken() {
        if (lane instanceof RingCursor<T> c && c.overflowed() && !ledger.isClosed()) {
            // open: it ends SLOW; draining (a single publisher's publish that raced the hub's close
            // took it past its capacity): the drain is cut short, what it holds counts CLOSED
            close(CloseReason.SLOW);
        } else if (ledger.isDraining()) {
            finishDrain();
        }
        if (ledger.isClosed()) {
            discardRemaining();
            return true;
        }
        return false;
    }

    // ------------------------------------------------------------------ lifecycle

    /** @return this subscription as the public type it is (every subclass implements one) */
    @SuppressWarnings("unchecked")
    final Subscription<T> view() {
        return (Subscription<T>) (Object) this;
    }

    /** See {@link Subscription#close()}. */
    public final void close() {
        close(CloseReason.CLOSED);
    }

    /** Ends the subscription for {@code why}, once; any thread, also from inside a publish. */
    final void close(CloseReason why) {
        ledger.observeDepth(); // what it held at its end is a high water seen
        int outcome = ledger.close(why);
        if (outcome == Ledger.NOT_CLOSED) {
            return;
        }
        lane.ended(this, outcome == Ledger.ENDED && why == CloseReason.SLOW);
        hub.ended(this, outcome == Ledger.ENDED ? why : null);
        signalEnd(); // the consumer sees the end
    }

    /** The hub closed: deliver what is held, then end. */
    final void hubClosed() {
        if (ledger.drain()) {
            hub.listenerOnClose(this, CloseReason.HUB_CLOSED);
            signalEnd();
        }
    }

    /** A draining subscription that holds nothing more ends (any thread). */
    final void finishDrain() {
        if (ledger.finishDrain()) {
            lane.ended(this, false);
            signalEnd();
        }
    }

    // ------------------------------------------------------------------ accessors

    /** See {@link Subscription#isClosed()}. */
    public boolean isClosed() {
        if (ledger.isClosed()) {
            return true;
        }
        if (ledger.isDraining() && ledger.isEmpty()) {
            finishDrain();
            return ledger.isClosed();
        }
        return false;
    }

    /** See {@link Subscription#closeReason()}. */
    public Optional<CloseReason> closeReason() {
        return ledger.reason();
    }

    /** See {@link Subscription#startGap()}. */
    public boolean startGap() {
        return ledger.startGap();
    }

    /** See {@link Subscription#overflow()}. */
    public Overflow overflow() {
        return overflow;
    }

    /** See {@link Subscription#capacity()}. */
    public int capacity() {
        return lane.capacity();
    }

    /** See {@link Subscription#lastSequence()}. */
    public long lastSequence() {
        return ledger.lastSequence();
    }

    int workers() {
        return 0;
    }

    int peakWorkers() {
        return 0;
    }

    /** See {@link Subscription#stats()}. */
    public SubscriptionStats stats() {
        return ledger.stats(hub.sequence(), workers(), peakWorkers());
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + overflow.alias() + ", " + ledger.describe() + "]";
    }
}
