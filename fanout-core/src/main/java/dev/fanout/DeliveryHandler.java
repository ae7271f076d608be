package dev.fanout;

/**
 * Receives messages with their sequence numbers: the callback of
 * {@link PullSubscription#drain(DeliveryHandler, int)} and of push subscriptions.
 *
 * <p>A handler given to {@code drain} runs on the thread that calls {@code drain}. A push
 * handler runs on the subscription's executor, one call at a time and in sequence order,
 * except under {@link Overflow#elasticWorkers elasticWorkers}, where up to {@code max}
 * workers call it concurrently and in no particular order. A push handler that throws anything
 * (an exception, checked ones thrown sneakily included, or an {@code Error}) does not stop its
 * subscription or the hub: the message counts as delivered, the error goes to
 * {@link dev.fanout.spi.HubListener#onHandlerError} and delivery goes on with the next message.
 * What a handler given to {@code drain} throws reaches the caller of {@code drain}.
 *
 * @param <T> the message type
 */
@FunctionalInterface
public interface DeliveryHandler<T> {
    /**
     * Handles one message.
     *
     * @param sequence the hub's sequence number of the message
     * @param message  the message, never null
     */
    void onDelivery(long sequence, T message);
}
