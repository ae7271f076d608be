package dev.fanout;

import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link Hub} seen as a {@link Flow.Publisher}: each {@link Flow.Subscriber} that subscribes
 * becomes a subscription of the hub with the strategy and capacity given here, and receives the
 * messages published after it subscribed, as far as it requests them.
 *
 * {@snippet file="dev/fanout/FlowReadmeExample.java" region="publisher"}
 *
 * <h2>Contract</h2>
 * It follows the Reactive Streams rules for {@code java.util.concurrent.Flow} (checked by the
 * Reactive Streams TCK):
 * <ul>
 *   <li>{@code request(n)} adds {@code n} to the subscriber's demand; a sum that passes
 *       {@link Long#MAX_VALUE}, or {@code Long.MAX_VALUE} itself, is unbounded. It never delivers
 *       more {@code onNext} than requested. {@code n <= 0} ends the subscription with
 *       {@code onError(IllegalArgumentException)} (rule 3.9).</li>
 *   <li>While demand is zero, messages accumulate in the subscription's buffer and its
 *       {@link Overflow} decides what happens when it is full, as for any slow subscriber: under
 *       {@code slowProducer} the publisher waits (up to its limit), under {@code dropOldest},
 *       {@code latestOnly} or {@code latestPerKey} older messages go, under {@code disconnect}
 *       the subscription ends.</li>
 *   <li>{@code cancel()} closes the hub subscription (what it holds is dropped, counted
 *       {@link DropCause#CLOSED}); no signal follows, bar an {@code onNext} already under way.</li>
 *   <li>When the hub closes, the subscriber receives what its subscription holds, as it requests
 *       it, and then {@code onComplete} (without a request). A subscriber that subscribes to a
 *       closed hub receives {@code onSubscribe} and {@code onComplete} at once.</li>
 *   <li>When {@link Overflow#disconnect()} ends the subscription for being slow, the subscriber
 *       receives {@code onError(}{@link SubscriberTooSlowException}{@code )}, at once, whatever
 *       its demand.</li>
 *   <li>Losses under the lossy strategies are silent to the subscriber ({@code Flow} has no
 *       sequence numbers) and counted in the hub's statistics, by cause.</li>
 *   <li>What a subscriber's method throws (which rule 2.13 forbids) ends its subscription
 *       without a further signal and goes to the hub's
 *       {@link dev.fanout.spi.HubListener#onHandlerError handler-error listener}.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Each subscriber gets a virtual thread that runs every one of its signals, {@code onSubscribe}
 * first, so they never overlap (rule 1.3) and the subscriber's code never runs on the thread that
 * calls {@code subscribe}, {@code publish} or {@code request}. The thread drains its
 * subscription in batches while there is demand and parks (no spinning) while there is no
 * message or no demand; a {@code request} after zero demand, a {@code cancel} and the end of the
 * subscription unpark it. It ends after the last signal, or at {@code cancel}. A subscriber
 * that stops requesting while its subscription still holds messages keeps its (parked) thread
 * until it requests or cancels, even after the hub has closed. {@code request} and
 * {@code cancel} are safe from any thread, the subscriber's own signals included. A publish
 * happens-before the {@code onNext} of its message.
 *
 * <p>Instances are immutable and safe to share; {@link #subscribe} may be called from any
 * thread, any number of times.
 *
 * @param <T> the message type
 */
public final class FlowPublisher<T> implements Flow.Publisher<T> {

    /** The most messages one drain hands to {@code onNext} before demand is looked at again. */
    private static final int BATCH = 256;

    private final Hub<T> hub;
    private final Overflow overflow;
    private final int capacity;

    private FlowPublisher(Hub<T> hub, Overflow overflow, int capacity) {
        this.hub = hub;
        this.overflow = overflow;
        this.capacity = capacity;
    }

    /**
     * A publisher whose subscribers get {@code overflow} and the hub's capacity.
     *
     * @param hub      the hub
     * @param overflow each subscriber's strategy
     * @param <T>      the message type
     * @return the publisher
     * @throws IllegalArgumentException for {@code elasticWorkers} (it runs a handler on many
     *                                  threads, which {@code Flow}'s serial signals forbid) or a
     *                                  strategy the hub's engine refuses
     */
    public static <T> FlowPublisher<T> of(Hub<T> hub, Overflow overflow) {
        return of(hub, overflow, 0);
    }

    /**
     * A publisher whose subscribers get {@code overflow} and a buffer of {@code capacity}.
     *
     * @param hub      the hub
     * @param overflow each subscriber's strategy
     * @param capacity each subscriber's buffer, as {@link SubscriptionBuilder#capacity(int)}
     * @param <T>      the message type
     * @return the publisher
     * @throws IllegalArgumentException for {@code elasticWorkers}, a strategy the hub's engine
     *                                  refuses, or a capacity out of range
     */
    public static <T> FlowPublisher<T> of(Hub<T> hub, Overflow overflow, int capacity) {
        Objects.requireNonNull(hub, "hub");
        Objects.requireNonNull(overflow, "overflow");
        if (capacity != 0) {
            Hub.Builder.checkCapacity(capacity);
        }
        if (Strategy.of(overflow).pushOnly()) {
            throw new IllegalArgumentException("overflow: " + overflow.name() + " (expected: a strategy with one consumer;"
                    + " a Flow subscriber receives its signals one at a time)");
        }
        if (hub.engine() instanceof Engine.Ring r && !r.supports(overflow)) {
            throw r.refusal(overflow);
        }
        return new FlowPublisher<>(hub, overflow, capacity);
    }

    /** {@return the hub} */
    public Hub<T> hub() {
        return hub;
    }

    /** {@return the strategy each subscriber gets} */
    public Overflow overflow() {
        return overflow;
    }

    /**
     * Attaches a subscription to the hub at once (so it receives every message published after
     * this call returns) and starts the subscriber's thread, which calls {@code onSubscribe}.
     *
     * @param subscriber the subscriber
     * @throws NullPointerException when {@code subscriber} is null (rule 1.9)
     */
    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        SubscriptionBuilder<T> b = hub.subscriber().overflow(overflow);
        if (capacity != 0) {
            b.capacity(capacity);
        }
        AbstractSubscription<T> s;
        try {
            s = hub.attach(b, null);
        } catch (IllegalStateException closed) { // the hub has closed: its stream is complete
            subscriber.onSubscribe(Ended.INSTANCE);
            subscriber.onComplete();
            return;
        }
        new Relay<>(subscriber, (PollingSubscription<T>) s).thread.start();
    }

    @Override
    public String toString() {
        return "FlowPublisher[" + hub.name() + ", " + overflow.alias() + "]";
    }

    /** The subscription handed to a subscriber of a closed hub: it has already ended. */
    private enum Ended implements Flow.Subscription {
        INSTANCE;

        @Override
        public void request(long n) {
            // rule 3.6: after the end, a no-op
        }

        @Override
        public void cancel() {
            // rule 3.7: after the end, a no-op
        }
    }

    /**
     * One subscriber: its demand, its hub subscription and the thread that signals it. The
     * thread is the only consumer of the subscription and the only caller of the subscriber.
     */
    private static final class Relay<T> implements Flow.Subscription, Runnable, DeliveryHandler<T> {
        /** {@link #invalidRequest} before any: a value no invalid request has. */
        private static final long VALID = 1;
        private final Flow.Subscriber<? super T> subscriber;
        private final PollingSubscription<T> subscription;
        /** Runs every signal; started by {@link #subscribe}, which happens-before {@code onSubscribe}. */
        final Thread thread;
        /** Requested and not yet delivered; {@link Long#MAX_VALUE} means unbounded and stays so. */
        private final AtomicLong demand = new AtomicLong();
        private volatile boolean cancelled;
        /** The first {@code n <= 0} given to {@link #request}, or {@link #VALID} while there is none. */
        private volatile long invalidRequest = VALID;

        Relay(Flow.Subscriber<? super T> subscriber, PollingSubscription<T> subscription) {
            this.subscriber = subscriber;
            this.subscription = subscription;
            this.thread = Thread.ofVirtual().name("fanout-" + subscription.hub.name() + "-flow").unstarted(this);
        }

        // ------------------------------------------------------------------ Flow.Subscription: any thread

        @Override
        public void request(long n) {
            if (n <= 0) {
                if (invalidRequest == VALID) {
                    invalidRequest = n;
                }
                subscription.close(); // wakes the thread, which signals onError
                return;
            }
            long r;
            long next;
            do {
                r = demand.get();
                if (r == Long.MAX_VALUE) {
                    return;
                }
                next = r + n;
                if (next < 0) {
                    next = Long.MAX_VALUE;
                }
            } while (!demand.compareAndSet(r, next));
            if (r == 0) { // only a thread that saw no demand waits for it
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
            subscription.close(); // wakes the thread, wherever it waits
        }

        // ------------------------------------------------------------------ the subscriber's thread

        @Override
        public void run() {
            try {
                subscriber.onSubscribe(this);
            } catch (Throwable e) {
                failed(0, e);
                return;
            }
            try {
                relay();
            } finally {
                subscription.endWaiter = null;
            }
        }

        private void relay() {
            PollingSubscription<T> s = subscription;
            while (true) {
                if (cancelled) {
                    return;
                }
                if (invalidRequest != VALID) {
                    terminate(new IllegalArgumentException("request: " + invalidRequest
                            + " (expected: > 0, Reactive Streams rule 3.9)"));
                    return;
                }
                long r = demand.get();
                if (r == 0) {
                    if (ended()) {
                        return;
                    }
                    waitForDemand();
                    continue;
                }
                int n;
                try {
                    n = s.drain(this, (int) Math.min(r, BATCH));
                } catch (Throwable e) {
                    failed(s.lastSequence(), e);
                    return;
                }
                if (n > 0) {
                    consumed(n);
                    continue;
                }
                Delivery<T> d = s.await().orElse(null); // parks until a message, the end or a cancel
                if (d != null) {
                    try {
                        subscriber.onNext(d.message());
                    } catch (Throwable e) {
                        failed(d.sequence(), e);
                        return;
                    }
                    consumed(1);
                } else if (!s.isClosed()) {
                    Thread.interrupted(); // nobody else holds this thread: an interrupt means nothing
                } else if (ended()) {
                    return;
                }
            }
        }

        @Override
        public void onDelivery(long sequence, T message) {
            subscriber.onNext(message);
        }

        /**
         * Parks until demand, a cancel, an invalid request, or an end the subscriber must hear of
         * without demand (a disconnect, or a hub close once nothing is held).
         */
        private void waitForDemand() {
            PollingSubscription<T> s = subscription;
            s.endWaiter = thread; // volatile: announced before the state is read below
            if (demand.get() == 0 && !cancelled && invalidRequest == VALID && !s.isClosed()) {
                LockSupport.park(this);
            }
            s.endWaiter = null;
        }

        /**
         * Signals the end if the subscription has ended for a reason the subscriber must hear of:
         * {@code onComplete} once a hub close has delivered all it held, {@code onError} at once
         * when it was too slow. Called while there is no demand or nothing left.
         *
         * @return true when the subscriber has heard its last signal (or cancelled)
         */
        private boolean ended() {
            PollingSubscription<T> s = subscription;
            CloseReason why = s.closeReason().orElse(null);
            if (why == null) {
                return false;
            }
            if (cancelled) {
                return true;
            }
            if (invalidRequest != VALID) {
                return false; // the loop signals it
            }
            switch (why) {
                case HUB_CLOSED -> {
                    if (!s.isClosed()) {
                        return false; // it still holds messages: they wait for demand
                    }
                    try {
                        subscriber.onComplete();
                    } catch (Throwable e) {
                        failed(s.lastSequence(), e);
                    }
                }
                case SLOW -> terminate(new SubscriberTooSlowException(s.hub.name(), s.overflow(), s.stats()));
                case CLOSED -> {
                    // only this relay closes the subscription: a cancel or an invalid request, both seen above
                }
            }
            return true;
        }

        private void consumed(int n) {
            long r;
            do {
                r = demand.get();
                if (r == Long.MAX_VALUE) {
                    return;
                }
            } while (!demand.compareAndSet(r, r - n));
        }

        private void terminate(Throwable error) {
            subscription.close();
            try {
                subscriber.onError(error);
            } catch (Throwable e) {
                subscription.hub.handlerError(subscription, subscription.lastSequence(), e);
            }
        }

        /** The subscriber broke rule 2.13: its subscription ends, and the hub's listener hears of it. */
        private void failed(long sequence, Throwable error) {
            subscription.close();
            subscription.hub.handlerError(subscription, sequence, error);
        }
    }
}
