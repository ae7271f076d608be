package dev.fanout;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Flow.Subscriber} that publishes every item it receives into a {@link Hub}, with the
 * upstream's demand tied to the hub's room: it requests {@linkplain Builder#batchSize batch}
 * items at first, and half a batch more each time half a batch of {@link Hub#publish} calls have
 * returned. So the upstream is never more than a batch ahead of the hub; and as {@code publish}
 * parks while a {@link Overflow#slowProducer slowProducer} subscriber is full, the slowest
 * lossless subscriber of the hub backpressures the upstream (a {@code SubmissionPublisher}'s
 * {@code submit} blocks, a Reactor {@code Flux} stops being requested from).
 *
 * {@snippet file="dev/fanout/FlowReadmeExample.java" region="subscriber"}
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@code onNext} calls {@link Hub#publish(Object)} on the upstream's thread and returns
 *       when it does: it may park there, at most the longest wait of the hub's lossless
 *       subscribers per item (after which, as for any publish, that subscriber loses the item,
 *       counted {@link DropCause#TIMEOUT}).</li>
 *   <li>A second {@code onSubscribe} is refused by cancelling the subscription it brings
 *       (rule 2.5); null arguments throw {@code NullPointerException} (rule 2.13).</li>
 *   <li>{@code onComplete} and {@code onError} leave the hub open (it may have other publishers),
 *       unless the builder said {@link Builder#closeHubOnComplete()} or
 *       {@link Builder#closeHubOnError()}; then the hub closes, and its subscribers receive what
 *       they hold and end ({@link FlowPublisher}'s subscribers with {@code onComplete}).</li>
 *   <li>When the hub is closed under it, or {@code publish} throws (a dedup key function that
 *       fails), it cancels the upstream and ends; {@link #completion()} says why.</li>
 *   <li>{@link #completion()} completes normally at {@code onComplete}, exceptionally with the
 *       upstream's error at {@code onError}, with {@link IllegalStateException} when the hub was
 *       closed under it, and with {@link java.util.concurrent.CancellationException} after
 *       {@link #cancel()}.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * The {@code Flow.Subscriber} methods follow rule 1.3: the upstream calls them one at a time,
 * each happening-before the next. {@link #cancel()}, {@link #completion()} and the accessors are
 * safe from any thread. An item's {@code onNext} happens-before its delivery to every hub
 * subscriber, as its {@code publish} does. Subscribe an instance to one upstream only.
 *
 * @param <T> the item type
 */
public final class HubSubscriber<T> implements Flow.Subscriber<T> {

    /** Marks an upstream slot that a cancel reached first: a later subscription is cancelled at once. */
    private static final Flow.Subscription CANCELLED = new Flow.Subscription() {
        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
    };

    private final Hub<T> hub;
    private final int batchSize;
    private final int refill;
    private final boolean closeHubOnComplete;
    private final boolean closeHubOnError;
    private final AtomicReference<Flow.Subscription> upstream = new AtomicReference<>();
    private final CompletableFuture<Void> completion = new CompletableFuture<>();
    /** Publishes since the last request; upstream's thread only (rule 1.3 orders its calls). */
    private int sinceRequest;
    /** Items published (the last {@code publish} returned a sequence or DUPLICATE); written by upstream's thread. */
    private volatile long published;

    private HubSubscriber(Builder<T> b) {
        this.hub = b.hub;
        this.batchSize = b.batchSize;
        this.refill = Math.max(1, b.batchSize / 2);
        this.closeHubOnComplete = b.closeHubOnComplete;
        this.closeHubOnError = b.closeHubOnError;
    }

    /**
     * A subscriber with the defaults: batches of 64, the hub left open at the end.
     *
     * @param hub the hub to publish into, one that numbers its own messages
     * @param <T> the item type
     * @return the subscriber
     */
    public static <T> HubSubscriber<T> of(Hub<T> hub) {
        return builder(hub).build();
    }

    /**
     * A builder for a subscriber that publishes into {@code hub}.
     *
     * @param hub the hub to publish into, one that numbers its own messages
     * @param <T> the item type
     * @return a builder
     */
    public static <T> Builder<T> builder(Hub<T> hub) {
        return new Builder<>(hub);
    }

    // ------------------------------------------------------------------ Flow.Subscriber: the upstream's thread

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        if (!upstream.compareAndSet(null, subscription)) {
            subscription.cancel(); // rule 2.5: one upstream at a time; or this one was cancelled before
            return;
        }
        if (hub.isClosed()) {
            hubClosed(subscription);
            return;
        }
        subscription.request(batchSize);
    }

    @Override
    public void onNext(T item) {
        Objects.requireNonNull(item, "item");
        Flow.Subscription s = upstream.get();
        if (s == null || s == CANCELLED || completion.isDone()) {
            return; // an item in flight after a cancel (rule 2.8)
        }
        long seq;
        try {
            seq = hub.publish(item);
        } catch (RuntimeException e) {
            s.cancel();
            completion.completeExceptionally(e);
            return;
        }
        if (seq == Hub.CLOSED) {
            hubClosed(s);
            return;
        }
        published++; // upstream's thread is the only writer
        if (++sinceRequest == refill) {
            sinceRequest = 0;
            s.request(refill);
        }
    }

    @Override
    public void onError(Throwable error) {
        Objects.requireNonNull(error, "error");
        if (closeHubOnError) {
            hub.close();
        }
        completion.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        if (closeHubOnComplete) {
            hub.close();
        }
        completion.complete(null);
    }

    private void hubClosed(Flow.Subscription s) {
        s.cancel();
        completion.completeExceptionally(new IllegalStateException("hub " + hub.name()
                + " was closed: upstream cancelled after " + published + " items"));
    }

    // ------------------------------------------------------------------ any thread

    /**
     * Stops publishing: cancels the upstream (or, before {@code onSubscribe}, the subscription it
     * will bring) and completes {@link #completion()} with a
     * {@link java.util.concurrent.CancellationException}. Leaves the hub open. Idempotent.
     */
    public void cancel() {
        Flow.Subscription s = upstream.getAndSet(CANCELLED);
        if (s != null && s != CANCELLED) {
            s.cancel();
        }
        completion.cancel(false);
    }

    /**
     * {@return a stage that completes when this subscriber ends, as the class description says; a
     * copy, so completing it does not change this subscriber}
     */
    public CompletableFuture<Void> completion() {
        return completion.copy();
    }

    /** {@return how many items were handed to {@link Hub#publish} and taken (published or deduplicated)} */
    public long published() {
        return published;
    }

    /** {@return the hub} */
    public Hub<T> hub() {
        return hub;
    }

    @Override
    public String toString() {
        return "HubSubscriber[" + hub.name() + ", batch=" + batchSize + ", published=" + published + "]";
    }

    /**
     * Configures a {@link HubSubscriber}. Each option may be set once. Not thread-safe.
     *
     * @param <T> the item type
     */
    public static final class Builder<T> {
        private final Hub<T> hub;
        private int batchSize;
        private boolean closeHubOnComplete;
        private boolean closeHubOnError;

        private Builder(Hub<T> hub) {
            this.hub = Objects.requireNonNull(hub, "hub");
            if (hub.followsExternalSequence()) {
                throw new IllegalArgumentException("hub: " + hub.name() + " follows another's sequence numbers"
                        + " (expected: a hub that numbers its own messages; a Flow item carries no sequence)");
            }
        }

        /**
         * Sets how much the subscriber requests from its upstream.
         *
         * @param batchSize the upstream's outstanding demand at most: requested at first, then
         *                  refilled by half of it as publishes return (default 64)
         * @return this
         */
        public Builder<T> batchSize(int batchSize) {
            if (this.batchSize != 0) {
                throw new IllegalStateException("batchSize was already set");
            }
            this.batchSize = Checks.positive("batchSize", batchSize);
            return this;
        }

        /**
         * Closes the hub when the upstream completes, so the hub's subscribers receive what they
         * hold and end.
         *
         * @return this
         */
        public Builder<T> closeHubOnComplete() {
            if (closeHubOnComplete) {
                throw new IllegalStateException("closeHubOnComplete was already set");
            }
            this.closeHubOnComplete = true;
            return this;
        }

        /**
         * Closes the hub when the upstream fails, as {@link #closeHubOnComplete()} does on
         * completion; the error itself is in {@link HubSubscriber#completion()}, not passed to
         * the hub's subscribers.
         *
         * @return this
         */
        public Builder<T> closeHubOnError() {
            if (closeHubOnError) {
                throw new IllegalStateException("closeHubOnError was already set");
            }
            this.closeHubOnError = true;
            return this;
        }

        /** {@return the subscriber} */
        public HubSubscriber<T> build() {
            if (batchSize == 0) {
                batchSize = 64;
            }
            return new HubSubscriber<>(this);
        }
    }
}
