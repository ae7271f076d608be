package dev.fanout;

import java.time.Duration;
import java.util.Optional;

/**
 * One subscriber's handle on a {@link Hub}: its buffer, its {@link Overflow} strategy and its
 * counters.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>{@link #poll()}, {@link #drain(DeliveryHandler, int)} and {@link #await(Duration)} belong
 *       to the consumer: one thread at a time (handing the subscription to another thread needs a
 *       happens-before edge, such as a queue or a lock), and only on pull subscriptions; a push
 *       subscription rejects them with {@link IllegalStateException}.</li>
 *   <li>{@link #close()}, {@link #isClosed()}, {@link #closeReason()}, {@link #stats()} and the
 *       other accessors are safe from any thread, concurrently with publishing and consuming.</li>
 * </ul>
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
public interface Subscription<T> extends AutoCloseable {

    /**
     * Takes the next message without waiting.
     *
     * @return the next delivery, or empty when nothing is queued
     * @throws IllegalStateException on a push subscription
     */
    Optional<Delivery<T>> poll();

    /**
     * Hands up to {@code limit} queued messages to {@code handler} on the calling thread, in
     * order, without waiting. Messages published while it runs may be part of the batch (so
     * under {@code latestPerKey} one batch can hold a key's older and newer message). The handler's exceptions propagate to the caller after the
     * message that threw counts as delivered.
     *
     * @param handler receives each message
     * @param limit   the most messages to take, more than zero
     * @return how many messages were handed over
     * @throws IllegalStateException on a push subscription
     */
    int drain(DeliveryHandler<? super T> handler, int limit);

    /**
     * Takes the next message, parking the calling thread (with no timer) until one arrives, the
     * subscription ends or the thread is interrupted. Suits a consumer that has nothing else to
     * do; an empty result means end or interrupt, which {@link #isClosed()} tells apart.
     *
     * @return the next delivery, or empty on interrupt or end
     * @throws IllegalStateException on a push subscription
     */
    Optional<Delivery<T>> await();

    /**
     * Takes the next message, parking the calling thread until one arrives, the subscription
     * ends, the timeout passes or the thread is interrupted. It parks (never spins), so it
     * suits virtual threads. An interrupt returns early and leaves the interrupt flag set.
     *
     * @param timeout how long to wait at most, at least zero
     * @return the next delivery, or empty on timeout, interrupt or end
     * @throws IllegalStateException on a push subscription
     */
    Optional<Delivery<T>> await(Duration timeout);

    /**
     * Ends this subscription: it is detached from the hub, a consumer parked in
     * {@link #await(Duration)} and a producer parked for its room return, and what it still
     * holds is discarded (a push handler finishes the message it is in and receives nothing
     * more). Idempotent and safe from any thread, concurrently with publish and from callbacks.
     */
    @Override
    void close();

    /** @return true once the subscription has ended and holds nothing more to deliver */
    boolean isClosed();

    /**
     * @return why the subscription ends or ended, set when the end begins (so already while it
     *         drains what it holds after a hub close), or empty while it is open
     */
    Optional<CloseReason> closeReason();

    /**
     * @return true when this subscription asked to resume after a sequence number the hub's
     *         history no longer reaches back to (or one the hub never published): it then starts
     *         with the hub's latest message instead, and the consumer should treat that as a
     *         fresh snapshot, not a continuation
     */
    boolean startGap();

    /** @return this subscription's strategy */
    Overflow overflow();

    /** @return the buffer's real capacity, after rounding up to a power of two (1 for latest-only) */
    int capacity();

    /** @return true when a handler receives messages (push), false for poll/drain/await (pull) */
    boolean isPush();

    /**
     * @return the sequence number of the last message the consumer took; before the first, the
     *         hub's sequence when the subscription started (so lag counts from there)
     */
    long lastSequence();

    /** @return a snapshot of the counters; safe from any thread */
    SubscriptionStats stats();
}
