package dev.fanout;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Configures one subscription of a hub: its strategy, capacity, where it starts, and, for a
 * push subscription, its executor; then {@link #subscribe()} attaches a pull subscription and
 * {@link #subscribe(DeliveryHandler)} a push one. Made by {@link Hub#subscriber()}.
 *
 * <p>Not thread-safe: use it on one thread, then discard it.
 *
 * @param <T> the message type
 */
public final class SubscriptionBuilder<T> {
    private final Hub<T> hub;
    Overflow overflow;
    int capacity;
    Executor executor;
    long resumeAfter = -1;
    /** The epoch {@link #resumeAfter} belongs to, or null for the hub's own. */
    String resumeEpoch;
    boolean startWithLatest;

    SubscriptionBuilder(Hub<T> hub) {
        this.hub = hub;
    }

    /**
     * Starts with the hub's latest message, if there is one, then live messages, with no gap and
     * no duplicate between them. Needs a hub with a {@link History}.
     *
     * @return this
     */
    public SubscriptionBuilder<T> startWithLatest() {
        this.startWithLatest = true;
        return this;
    }

    /**
     * Replays the kept messages with a sequence above {@code sequence}, then live messages, with
     * no gap and no duplicate at the seam. When the history no longer reaches back to
     * {@code sequence + 1}, or the hub never published {@code sequence}, the subscription starts
     * with the latest message and {@link Subscription#startGap()} says so. Under
     * {@code latestOnly} only the newest replayed message is kept, under {@code latestPerKey} the
     * newest per key. Needs a hub with a {@link History}; wins over {@link #startWithLatest()}.
     * A hub with a {@link Backfill} fetches what its history no longer holds from it before
     * calling that a gap.
     *
     * @param sequence the last sequence the subscriber has seen, 0 for none
     * @return this
     */
    public SubscriptionBuilder<T> resumeAfter(long sequence) {
        this.resumeAfter = Checks.nonNegative("sequence", sequence);
        this.resumeEpoch = null;
        return this;
    }

    /**
     * Like {@link #resumeAfter(long)}, for a position that names its epoch: a position from
     * another epoch than the hub's (a restarted process, a reclaimed topic) is a gap, never a
     * replay: the subscription starts with the latest message and {@link Subscription#startGap()}
     * says so.
     *
     * @param position where the subscriber stands, for instance read from a {@code Last-Event-ID}
     * @return this
     */
    public SubscriptionBuilder<T> resumeAfter(Position position) {
        Objects.requireNonNull(position, "position");
        this.resumeAfter = position.sequence();
        this.resumeEpoch = position.epoch();
        return this;
    }

    /**
     * Sets the strategy of this subscription.
     *
     * @param overflow the strategy (default: the hub's)
     * @return this
     */
    public SubscriptionBuilder<T> overflow(Overflow overflow) {
        this.overflow = Objects.requireNonNull(overflow, "overflow");
        return this;
    }

    /**
     * Sets the buffer size of this subscription.
     *
     * @param capacity the buffer size, rounded up to a power of two, at most
     *                 {@link Hub.Builder#MAX_CAPACITY} and on the ring engine at most the ring's
     *                 size (default: the hub's)
     * @return this
     */
    public SubscriptionBuilder<T> capacity(int capacity) {
        this.capacity = Hub.Builder.checkCapacity(capacity);
        return this;
    }

    /**
     * Sets the executor of this push subscription's handler.
     *
     * @param executor runs this push subscription's handler (default: the hub's)
     * @return this
     */
    public SubscriptionBuilder<T> executor(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
        return this;
    }

    /**
     * Attaches a pull subscription.
     *
     * @return the attached subscription
     * @throws IllegalStateException    when the hub is closed, when resuming without a history,
     *                                  or when an executor was set (a pull subscription runs no
     *                                  handler)
     * @throws IllegalArgumentException for a strategy the engine refuses, or {@code elasticWorkers},
     *                                  which needs a handler
     */
    public PullSubscription<T> subscribe() {
        return (PullSubscription<T>) hub.attach(this, null).view();
    }

    /**
     * Attaches a push subscription whose handler runs on the executor.
     *
     * @param handler receives the messages
     * @return the attached subscription
     * @throws IllegalStateException    when the hub is closed, or when resuming without a history
     * @throws IllegalArgumentException for a strategy the engine refuses
     */
    public PushSubscription<T> subscribe(DeliveryHandler<? super T> handler) {
        return (PushSubscription<T>) hub.attach(this, Objects.requireNonNull(handler, "handler")).view();
    }
}
