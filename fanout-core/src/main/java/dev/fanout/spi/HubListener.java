package dev.fanout.spi;

import dev.fanout.CloseReason;
import dev.fanout.DropCause;
import dev.fanout.Subscription;

/**
 * Observes a hub's subscriptions: the hook for metrics and logging adapters.
 *
 * <p>Every method has a no-op default; {@link #NOOP} does nothing. Methods are called on the
 * thread where the event happens ({@code onDrop} and {@code onClose} often on a publishing
 * thread, {@code onHandlerError} on a push worker), possibly concurrently, so implementations
 * must be thread-safe and quick. Whatever a listener throws (any {@code Throwable}) is caught
 * and logged at DEBUG: it never reaches the publisher, a consumer or other subscribers, and it
 * changes no count.
 */
public interface HubListener {

    /** A listener that does nothing. */
    HubListener NOOP = new HubListener() {
    };

    /**
     * A subscription was attached.
     *
     * @param subscription the new subscription
     */
    default void onSubscribe(Subscription<?> subscription) {
    }

    /**
     * A subscription ended, once, for the first reason that applied.
     *
     * @param subscription the subscription
     * @param reason       why
     */
    default void onClose(Subscription<?> subscription, CloseReason reason) {
    }

    /**
     * Messages were dropped for a subscription.
     *
     * @param subscription the subscription
     * @param cause        why
     * @param count        how many, at least 1
     */
    default void onDrop(Subscription<?> subscription, DropCause cause, long count) {
    }

    /**
     * A push handler, or a {@code latestPerKey} key function, threw. Delivery goes on.
     *
     * @param subscription the subscription
     * @param sequence     the sequence number of the message being handled
     * @param error        what was thrown
     */
    default void onHandlerError(Subscription<?> subscription, long sequence, Throwable error) {
    }
}
