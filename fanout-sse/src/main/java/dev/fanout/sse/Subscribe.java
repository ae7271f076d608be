package dev.fanout.sse;

import dev.fanout.DeliveryHandler;
import dev.fanout.Hub;
import dev.fanout.Overflow;
import dev.fanout.Position;
import dev.fanout.PushSubscription;
import dev.fanout.SubscriptionBuilder;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Where a new stream starts: the seam between the handler and the hub's latest-value cache and
 * history. A {@code Last-Event-ID} of the hub's epoch resumes after that sequence number when
 * the hub's history still holds what came next; any other {@code Last-Event-ID} is a gap: the
 * stream starts with the hub's latest message and the handler sends a reset first. Without a
 * {@code Last-Event-ID} a stream starts with the latest message or live, as configured.
 * Stateless.
 */
final class Subscribe {
    /** Gap reasons, the {@code reason} of a reset event's data. */
    static final String UNREADABLE = "unreadable";
    static final String EPOCH = "epoch";
    static final String AHEAD = "ahead";
    static final String EXPIRED = "expired";

    private Subscribe() {
    }

    /**
     * A subscribed stream.
     *
     * @param subscription the push subscription
     * @param gap          why the stream could not continue from the client's {@code Last-Event-ID}
     *                     ({@link #UNREADABLE}, {@link #EPOCH}, {@link #AHEAD}, {@link #EXPIRED}),
     *                     or null when it continues exactly or the client sent none
     */
    record Started<T>(PushSubscription<T> subscription, String gap) {
    }

    /**
     * @param lastEventId the client's {@code Last-Event-ID}, or null when it sent none or it is
     *                    not to be honoured
     * @param latest      whether a stream with no {@code Last-Event-ID} starts with the hub's
     *                    current message
     * @param handler     receives the messages
     * @param executor    runs the handler (the connection's own thread)
     * @return the push subscription and its gap
     * @throws IllegalStateException when the hub is closed
     */
    static <T> Started<T> open(Hub<T> hub, Overflow overflow, int capacity, String lastEventId,
                               boolean latest, DeliveryHandler<? super T> handler, Executor executor) {
        SubscriptionBuilder<T> b = hub.subscriber().overflow(overflow).executor(executor);
        if (!(overflow instanceof Overflow.LatestOnly)) {
            b.capacity(capacity);
        }
        Optional<Position> from = lastEventId == null ? Optional.empty() : Position.parse(lastEventId.strip());
        boolean history = hub.history().maxCount() > 0; // without a history the hub refuses both
        if (history) {
            if (from.isPresent()) {
                b.resumeAfter(from.get()); // another epoch, too old or ahead: the latest, startGap() says so
            } else if (latest || lastEventId != null) {
                b.startWithLatest(); // an unreadable id is a gap, which starts with the latest
            }
        }
        long before = hub.sequence();
        PushSubscription<T> s = b.subscribe(handler);
        if (lastEventId == null) {
            return new Started<>(s, null);
        }
        if (from.isEmpty()) {
            return new Started<>(s, UNREADABLE);
        }
        Position p = from.get();
        if (!p.epoch().equals(hub.epoch())) {
            return new Started<>(s, EPOCH);
        }
        long after = hub.sequence();
        // with no history the stream starts live: exact only if nothing was published after the
        // client's last message, before or while subscribing
        boolean gap = history ? s.startGap() : !(p.sequence() == before && after == before);
        if (!gap) {
            return new Started<>(s, null);
        }
        return new Started<>(s, p.sequence() > after ? AHEAD : EXPIRED);
    }
}
