package dev.fanout;

/**
 * A subscription whose handler runs on an executor: made by
 * {@link Hub#subscribe(Overflow, DeliveryHandler)} or {@link SubscriptionBuilder#subscribe(DeliveryHandler)}.
 *
 * <p>The handler runs one call at a time and in sequence order (under
 * {@link Overflow#elasticWorkers elasticWorkers}, on up to {@code max} workers at once and in no
 * particular order). No thread is held while the subscription holds nothing: a drain task is
 * started when a message arrives. Whatever the handler throws goes to
 * {@link dev.fanout.spi.HubListener#onHandlerError} and delivery goes on; the message counts as
 * delivered. {@link Hub#awaitTermination} waits for the handlers of a closed hub to finish.
 *
 * <p>All methods are safe from any thread.
 *
 * @param <T> the message type
 */
public sealed interface PushSubscription<T> extends Subscription<T> permits HandlerSubscription, ElasticSubscription {
}
