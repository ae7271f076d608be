package dev.fanout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * One subscription's state and books: its lifecycle state and close reason (one word, changed
 * by one compare-and-set, so the party that ends a subscription is decided once), its replayed
 * preface, its lane and its two counter blocks (the producer's and the consumer's).
 *
 * <p>It holds no reference to the subscription, its hub, handler or executor, so the hub can
 * keep a ledger for its statistics after the subscription itself has become unreachable (see
 * {@link Ledgers}).
 *
 * <p>The books balance at any instant for an ended subscription and at rest for a live one:
 * {@code offered == delivered + dropped + depth}. An ended subscription reports what it still
 * holds as dropped ({@link DropCause#DISCONNECTED} after {@link CloseReason#SLOW}, else
 * {@link DropCause#CLOSED}) and a depth of 0, whether or not its consumer has yet discarded it;
 * a message that a publish in flight leaves in it after the end is accounted the same way.
 */
final class Ledger<T> {
    /** Phases, in the high bits of {@link #state}; the close reason is in the low two. */
    private static final int OPEN = 0;
    private static final int DRAINING = 1 << 2;
    private static final int CLOSED = 2 << 2;
    /** Closed because a drain after a hub close ended: what a consumer took before is still delivered. */
    private static final int DRAINED = 3 << 2;
    private static final int PHASE = 3 << 2;
    private static final int REASON = 3;
    private static final CloseReason[] REASONS = {null, CloseReason.CLOSED, CloseReason.SLOW, CloseReason.HUB_CLOSED};

    /** {@link #close} found the subscription already closed. */
    static final int NOT_CLOSED = 0;
    /** {@link #close} ended an open subscription: the caller reports the end. */
    static final int ENDED = 1;
    /** {@link #close} cut short the drain that followed a hub close (reported then). */
    static final int CUT_SHORT = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Ledger.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state;
    final Strategy strategy;
    final Preface<T> preface;
    final Lane<T> lane;
    final Counts producer;
    final Counts consumer;
    /** The hub's sequence when the subscription started: lag counts from it until the first take. */
    private final long startSequence;
    private final boolean startGap;

    Ledger(Strategy strategy, Preface<T> preface, Lane<T> lane, Counts producer, boolean sharedConsumer,
           long startSequence, boolean startGap) {
        this.strategy = strategy;
        this.preface = preface;
        this.lane = lane;
        this.producer = producer;
        this.consumer = new Counts(sharedConsumer);
        this.startSequence = startSequence;
        this.startGap = startGap;
    }

    // ------------------------------------------------------------------ state

    /** @return true while messages are offered to it */
    boolean isOpen() {
        return state == OPEN;
    }

    /** @return true once it has ended for good: closed, disconnected, or drained after a hub close */
    boolean isClosed() {
        return (state & PHASE) >= CLOSED;
    }

    /**
     * @return true when it ended because its drain after a hub close ran out: a message a
     *         consumer took before the end is delivered, not discarded (elastic workers take and
     *         deliver in two steps, and another worker may end the drain in between)
     */
    boolean isDrained() {
        return (state & PHASE) == DRAINED;
    }

    /** @return true while it delivers what it holds after a hub close */
    boolean isDraining() {
        return (state & PHASE) == DRAINING;
    }

    /**
     * Ends the subscription for {@code why}, unless it has ended already.
     *
     * @return {@link #ENDED} when this call ended an open subscription (its reason is {@code why}),
     *         {@link #CUT_SHORT} when it ended one that was draining after a hub close (its reason
     *         stays {@link CloseReason#HUB_CLOSED}), {@link #NOT_CLOSED} when it had ended
     */
    int close(CloseReason why) {
        while (true) {
            int s = state;
            int phase = s & PHASE;
            if (phase >= CLOSED) {
                return NOT_CLOSED;
            }
            int next = phase == OPEN ? CLOSED | (why.ordinal() + 1) : CLOSED | (s & REASON);
            if (STATE.compareAndSet(this, s, next)) {
                return phase == OPEN ? ENDED : CUT_SHORT;
            }
        }
    }

    /** The hub closed. @return true when this call moved an open subscription to draining */
    boolean drain() {
        return STATE.compareAndSet(this, OPEN, DRAINING | (CloseReason.HUB_CLOSED.ordinal() + 1));
    }

    /**
     * A draining subscription that holds nothing more ends. Any thread may call it; a message
     * that a publish racing the hub's close leaves afterwards counts as dropped.
     *
     * @return true when this call ended it
     */
    boolean finishDrain() {
        int s = state;
        return (s & PHASE) == DRAINING && isEmpty() && STATE.compareAndSet(this, s, DRAINED | (s & REASON));
    }

    Optional<CloseReason> reason() {
        return Optional.ofNullable(REASONS[state & REASON]);
    }

    boolean endedSlow() {
        return (state & REASON) == CloseReason.SLOW.ordinal() + 1;
    }

    boolean startGap() {
        return startGap;
    }

    // ------------------------------------------------------------------ consumer side

    /** Consumer: counts a batch, {@code n} messages the last of which had sequence {@code last}. */
    void delivered(int n, long last) {
        if (n > 0) {
            consumer.addFlow(n);
            consumer.raiseLastSequence(last);
        }
    }


    /** @return the cause under which an ended subscription's remaining messages count */
    DropCause endCause() {
        return endedSlow() ? DropCause.DISCONNECTED : DropCause.CLOSED;
    }

    boolean isEmpty() {
        return preface.remaining() == 0 && lane.isEmpty();
    }

    long lastSequence() {
        long last = consumer.lastSequence();
        return last == 0 ? startSequence : last;
    }

    // ------------------------------------------------------------------ statistics

    /**
     * Any thread: fills {@code t} (the {@link Ledgers} layout: drops by cause, offered,
     * delivered), with what an ended subscription holds counted as dropped.
     *
     * @return what it holds now (0 once ended)
     */
    private long account(long[] t) {
        producer.addDropsTo(t);
        consumer.addDropsTo(t);
        lane.addPendingDrops(t);
        long held = preface.remaining() + lane.held();
        if (isClosed()) {
            t[endCause().ordinal()] += held;
            held = 0;
        }
        t[Ledgers.OFFERED] += preface.length() + lane.offered(producer);
        t[Ledgers.DELIVERED] += consumer.flow();
        return held;
    }

    /** Any thread: adds this subscription's totals to a hub's. */
    void addTotals(long[] t) {
        account(t);
    }

    /** Any thread. @return what it holds now, as {@link SubscriptionStats#depth()} counts it (0 once ended) */
    long depth() {
        return isClosed() ? 0 : preface.remaining() + lane.held();
    }

    /** Any thread: the depth it holds now is a high water seen, unless it has ended. */
    void observeDepth() {
        if (!isClosed()) {
            consumer.raiseHighWater(Math.min(preface.remaining() + lane.held(), lane.capacity()));
        }
    }

    /** Any thread: the counters, with what an ended subscription holds counted as dropped. */
    SubscriptionStats stats(long hubSequence, int workers, int peakWorkers) {
        observeDepth();
        long[] t = new long[Ledgers.WIDTH];
        int depth = (int) Math.min(Integer.MAX_VALUE, account(t));
        return new SubscriptionStats(t[Ledgers.OFFERED], t[Ledgers.DELIVERED], t, depth,
                lane.highWater(consumer), lane.capacity(),
                Math.max(0, hubSequence - lastSequence()), workers, peakWorkers);
    }

    @Override
    public String toString() {
        return strategy.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ", " + describe();
    }

    /** {@return the capacity and the phase (with the close reason), for a subscription's toString} */
    String describe() {
        String phase = switch (state & PHASE) {
            case OPEN -> "open";
            case DRAINING -> "draining";
            default -> "closed";
        };
        return "capacity=" + lane.capacity() + ", " + phase + reason().map(r -> " (" + r + ")").orElse("");
    }
}
