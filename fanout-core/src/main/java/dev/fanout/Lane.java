package dev.fanout;

/**
 * The engine's side of one subscription: where its messages wait for the consumer (a queue
 * engine buffer, or a cursor on the hub's ring), and the hooks by which the subscription and
 * the engine wake each other. The subscription's consumer mode (pull, push, elastic) is
 * independent of it.
 *
 * <p>Consumer-side methods are called by the subscription's consumer, one at a time (several
 * elastic workers at once on a {@link QueueLane}); the others from any thread.
 *
 * <p>Accounting: at rest, {@code offered == delivered + counted drops + pendingDrops + held}.
 * What a lane holds when its subscription ends is dropped by the {@link Ledger}, not here.
 */
sealed interface Lane<T> permits QueueLane, RingCursor {

    // ------------------------------------------------------------------ consumer side

    /**
     * @param s the subscription whose consumer reads: drops the lane finds while reading (ring
     *          skips) are counted through it ({@link AbstractSubscription#skipped})
     * @return the next delivery, or null when there is none
     */
    Delivery<T> poll(AbstractSubscription<T> s);

    /**
     * Hands up to {@code limit} deliveries to {@code sink}, in order.
     *
     * @return how many were handed over
     */
    int drain(Sink<T> sink, int limit, AbstractSubscription<T> s);

    /** Takes and forgets everything held. @return how many deliveries that was */
    int discard(AbstractSubscription<T> s);

    /**
     * Called by a consumer that is about to park, after it announced itself and before its
     * fence and last look: on the ring, puts the subscription on the hub's wake list.
     */
    void beforePark(AbstractSubscription<T> s);

    /** A lossless consumer took messages: releases a publisher parked for room. */
    void tookLossless();

    // ------------------------------------------------------------------ any thread

    /** @return messages offered to this lane, including those its consumer has taken */
    long offered(Counts producer);

    /** @return what the consumer would still receive now; approximate under concurrency */
    long held();

    /** Adds drops that have happened but are counted only when the consumer next reads (ring skips). */
    void addPendingDrops(long[] drops);

    /** @return true when {@link #held()} is zero */
    boolean isEmpty();

    /** @return the real capacity */
    int capacity();

    /** @return the largest depth seen, at most the capacity */
    int highWater(Counts consumer);

    /** The hub is adding the subscription to its list, under its subscriber lock. */
    void attached();

    /**
     * The subscription ended (any thread, once, after its state changed): nothing more is
     * offered to it and a publisher waiting for its room is released.
     *
     * @param slow true when it ends for being too slow ({@link CloseReason#SLOW})
     */
    void ended(AbstractSubscription<T> s, boolean slow);
}
