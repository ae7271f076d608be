package dev.fanout;

import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A subscription its consumer reads: made by {@link Hub#subscribe(Overflow)} or
 * {@link SubscriptionBuilder#subscribe()}.
 *
 * <h2>Threads</h2>
 * {@link #poll()}, {@link #drain(DeliveryHandler, int)}, the {@code await}s, {@link #forEach}
 * and {@link #stream()} belong to the consumer: one thread at a time (handing the subscription
 * to another thread needs a happens-before edge, such as a queue or a lock). The methods of
 * {@link Subscription} are safe from any thread.
 *
 * <h2>Waiting</h2>
 * The {@code await}s and {@code forEach} park the thread (they never spin), so they suit
 * virtual threads; the publish that gives the consumer work unparks it. The first wait of a
 * subscription asks its hub for wake-ups; from then on each publish of the hub pays one fence.
 * A consumer that only {@code poll}s and {@code drain}s never costs the publisher that.
 *
 * {@snippet :
 * Thread.ofVirtual().start(() -> {
 *     try {
 *         subscription.forEach((seq, message) -> render(message));   // returns when it ends
 *     } catch (InterruptedException e) {
 *         Thread.currentThread().interrupt();
 *     }
 * });
 * }
 *
 * @param <T> the message type
 */
public sealed interface PullSubscription<T> extends Subscription<T> permits PollingSubscription {

    /**
     * Takes the next message without waiting.
     *
     * @return the next delivery, or empty when nothing is held
     */
    Optional<Delivery<T>> poll();

    /**
     * Hands up to {@code limit} held messages to {@code handler} on the calling thread, in
     * order, without waiting. Messages published while it runs may be part of the batch (so
     * under {@code latestPerKey} one batch can hold a key's older and newer message). What the
     * handler throws reaches the caller, after the message it threw on counts as delivered.
     *
     * @param handler receives each message
     * @param limit   the most messages to take, more than zero
     * @return how many messages were handed over
     */
    int drain(DeliveryHandler<? super T> handler, int limit);

    /**
     * Takes the next message, parking the calling thread (with no timer) until one arrives, the
     * subscription ends or the thread is interrupted. An empty result means end or interrupt,
     * which {@link #isClosed()} and the thread's interrupt flag tell apart; {@link #forEach}
     * does that for a consumption loop.
     *
     * @return the next delivery, or empty on interrupt or end
     */
    Optional<Delivery<T>> await();

    /**
     * Takes the next message, parking the calling thread until one arrives, the subscription
     * ends, the timeout passes or the thread is interrupted. An interrupt returns early and
     * leaves the interrupt flag set.
     *
     * @param timeout how long to wait at most, at least zero
     * @return the next delivery, or empty on timeout, interrupt or end
     */
    Optional<Delivery<T>> await(Duration timeout);

    /**
     * The consumption loop: hands every message to {@code handler} on the calling thread, in
     * order, waiting (parked, no timer) while there is none, until the subscription ends; then
     * it returns, having handed over everything it held (after a hub close, all that was left).
     * What the handler throws ends the loop and reaches the caller.
     *
     * @param handler receives each message
     * @throws InterruptedException when the thread is interrupted while it waits (the
     *                              subscription stays open)
     */
    void forEach(DeliveryHandler<? super T> handler) throws InterruptedException;

    /**
     * The messages as a sequential, ordered stream that waits for each (parked) and ends when
     * the subscription ends, or when the thread is interrupted while it waits (the interrupt
     * flag is then left set). For the consumer's thread; a closed stream leaves the
     * subscription open.
     *
     * @return the stream
     */
    Stream<Delivery<T>> stream();
}
