package dev.fanout.sse;

import dev.fanout.DeliveryHandler;
import dev.fanout.Hub;
import dev.fanout.Overflow;
import dev.fanout.PushSubscription;
import dev.fanout.SubscriptionBuilder;
import java.util.concurrent.Executor;

/**
 * Where a new stream starts: the seam between the handler and the hub's latest-value cache and
 * history. A {@code Last-Event-ID} resumes after that sequence number when the hub keeps a
 * history; when the history no longer reaches back that far, or there is no such id, the stream
 * starts with the hub's latest message. A hub with no history starts every stream live.
 * Stateless.
 */
final class Subscribe {
    private Subscribe() {
    }

    /**
     * @param lastEventId the sequence number the client saw last, or -1 when it sent none
     * @param resume      whether to honour {@code lastEventId}
     * @param latest      whether a new stream starts with the hub's current message
     * @param handler     receives the messages
     * @param executor    runs the handler (the connection's own thread)
     * @return the push subscription
     * @throws IllegalStateException when the hub is closed
     */
    static <T> PushSubscription<T> open(Hub<T> hub, Overflow overflow, int capacity, long lastEventId,
                                    boolean resume, boolean latest, DeliveryHandler<? super T> handler,
                                    Executor executor) {
        SubscriptionBuilder<T> b = hub.subscriber().overflow(overflow).executor(executor);
        if (!(overflow instanceof Overflow.LatestOnly)) {
            b.capacity(capacity);
        }
        if (hub.history().maxCount() > 0) { // without a history the hub refuses both
            if (resume && lastEventId >= 0) {
                b.resumeAfter(lastEventId); // too old: starts with the latest, startGap() says so
            } else if (latest) {
                b.startWithLatest();
            }
        }
        return b.subscribe(handler);
    }
}
