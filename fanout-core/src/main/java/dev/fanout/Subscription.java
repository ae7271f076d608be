package dev.fanout;

import java.util.Optional;

/**
 * One subscriber's handle on a {@link Hub}: its buffer (or cursor), its {@link Overflow}
 * strategy and its counters. A subscription is either a {@link PullSubscription}, whose
 * consumer takes messages with {@code poll}, {@code drain}, {@code await} or
 * {@code forEach}, or a {@link PushSubscription}, whose handler runs on an executor.
 *
 * <h2>Threads</h2>
 * {@link #close()}, {@link #isClosed()}, {@link #closeReason()}, {@link #stats()} and the other
 * methods here are safe from any thread, concurrently with publishing and consuming. The
 * consumer side has its own rules: see {@link PullSubscription} and {@link PushSubscription}.
 *
 * <h2>Ordering and visibility</h2>
 * Publishing a message happens-before its delivery to the consumer, so everything the
 * publisher wrote before {@code publish} is visible to the code that receives it. A
 * subscription delivers in increasing sequence order with no duplicates; gaps mean drops,
 * counted by cause in {@link #stats()}. Under {@code elasticWorkers} the handler runs on several
 * threads at once and order is not kept.
 *
 * <h2>End</h2>
 * A subscription ends by {@link #close()} (what it still holds is discarded and counted as
 * {@link DropCause#CLOSED}), by {@link Overflow#disconnect()} ({@link CloseReason#SLOW}: counted
 * {@link DropCause#DISCONNECTED}), or when its hub closes ({@link CloseReason#HUB_CLOSED}: it
 * first delivers what it holds). It ends once, for one reason, whichever of these comes first.
 * An ended subscription is detached from its hub, which keeps no reference to it, and counts
 * what it still holds as dropped at once; its consumer (or, for a pull subscription that is never
 * called again, the garbage collector) releases the messages themselves.
 *
 * @param <T> the message type
 */
public sealed interface Subscription<T> extends AutoCloseable permits PullSubscription, PushSubscription {

    /**
     * Ends this subscription: it is detached from the hub, a consumer parked in
     * {@code await} and a producer parked for its room return, and what it still holds is
     * discarded (a push handler finishes the message it is in and receives nothing more).
     * Idempotent and safe from any thread, concurrently with publish and from callbacks.
     */
    @Override
    void close();

    /** {@return true once the subscription has ended and holds nothing more to deliver} */
    boolean isClosed();

    /**
     * {@return why the subscription ends or ended, set when the end begins (so already while it
     * drains what it holds after a hub close), or empty while it is open}
     */
    Optional<CloseReason> closeReason();

    /**
     * {@return true when this subscription asked to resume after a sequence number the hub's
     * history no longer reaches back to (or one the hub never published): it then starts
     * with the hub's latest message instead, and the consumer should treat that as a
     * fresh snapshot, not a continuation}
     */
    boolean startGap();

    /** {@return this subscription's strategy} */
    Overflow overflow();

    /** {@return the buffer's real capacity, after rounding up to a power of two (1 for latest-only)} */
    int capacity();

    /**
     * {@return the sequence number of the last message the consumer took; before the first, the
     * hub's sequence when the subscription started (so lag counts from there)}
     */
    long lastSequence();

    /** {@return a snapshot of the counters; safe from any thread} */
    SubscriptionStats stats();
}
