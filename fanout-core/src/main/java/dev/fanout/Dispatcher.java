package dev.fanout;

/**
 * The seam between the {@link Hub} and an engine: how one message reaches the subscribers, how
 * waiting consumers are woken, and how a publisher waits for room. The hub calls the producer
 * side with publishers serialised (its publish lock, or the single-publisher contract);
 * {@link QueueDispatcher} and {@link RingDispatcher} are the two engines, each in one file.
 */
sealed interface Dispatcher<T> permits QueueDispatcher, RingDispatcher {

    /**
     * A new subscription's lane.
     *
     * @param capacity      the capacity after {@link #capacity(int)} and the strategy's own rule
     * @param manyConsumers true when several workers take from it
     * @param from          the first sequence it reads live, or -1 for "the next one published"
     */
    Lane<T> newLane(Strategy strategy, Overflow overflow, int capacity, boolean manyConsumers, long from);

    /** @return the capacity this engine gives a subscription that asks for {@code asked} */
    int capacity(int asked);

    /**
     * Producer side: hands one message to every open subscriber in {@code subs}, applying each
     * one's strategy, waiting for lossless ones that are full, and counting into {@code tally}.
     *
     * @param d       the message as the history's delivery, when the hub keeps a history, else null
     * @param version the hub's subscriber-list version, read before {@code subs}: a new version
     *                means the list may have changed since the last publish
     */
    void fanOut(long sequence, T message, Delivery<T> d, AbstractSubscription<T>[] subs, int version, Tally tally);

    /** Producer side, after a full fence that follows the fan-out: wakes consumers that wait. */
    void wake(AbstractSubscription<T>[] subs);

    /** Producer side: the fill (0 to 1) of the fullest open lossless subscriber, for a {@link Pacer}. */
    double fullestLossless(AbstractSubscription<T>[] subs);

    /** Any thread, for tests and diagnostics: the publisher parked for room now, or null. */
    Thread waitingPublisher(AbstractSubscription<T>[] subs);

    /** The hub closed (any thread): releases a publisher parked for room. */
    void releasePublisher(AbstractSubscription<T>[] subs);

    /**
     * The hub closed and no publish is in flight any more (or the publisher does not wait for
     * it): the subscriptions are about to drain.
     */
    void hubClosing(AbstractSubscription<T>[] subs);
}
