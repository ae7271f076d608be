package dev.fanout;

import java.util.Objects;

/**
 * A snapshot of one subscription's counters, taken by {@link Subscription#stats()}.
 *
 * <p>The counters are read one by one from any thread while the hub runs, so a snapshot taken
 * during traffic is approximate; once publishing and consuming have stopped,
 * {@code offered() == delivered() + dropped() + depth()} holds exactly.
 *
 * @param offered        messages handed to this subscription by the hub
 * @param delivered      messages taken by the consumer (poll, drain, await or the push handler)
 * @param oldest         drops for {@link DropCause#OLDEST}
 * @param newest         drops for {@link DropCause#NEWEST}
 * @param superseded     drops for {@link DropCause#SUPERSEDED}
 * @param timedOut       drops for {@link DropCause#TIMEOUT}
 * @param disconnected   drops for {@link DropCause#DISCONNECTED}
 * @param closed         drops for {@link DropCause#CLOSED}
 * @param depth          messages queued now
 * @param highWaterDepth the largest depth seen after an offer; on the ring engine, the largest
 *                       backlog its consumer found when it read, at most its capacity
 * @param capacity       the buffer's capacity (1 for latest-only)
 * @param lag            the hub's last sequence minus the last sequence taken by this consumer
 * @param workers        push workers running now (0 for pull subscriptions)
 * @param peakWorkers    the most push workers that ran at once
 */
public record SubscriptionStats(long offered, long delivered, long oldest, long newest, long superseded,
                                long timedOut, long disconnected, long closed, int depth, int highWaterDepth,
                                int capacity, long lag, int workers, int peakWorkers) {

    /**
     * @param cause a cause
     * @return the drops counted for it
     */
    public long dropped(DropCause cause) {
        return switch (Objects.requireNonNull(cause, "cause")) {
            case OLDEST -> oldest;
            case NEWEST -> newest;
            case SUPERSEDED -> superseded;
            case TIMEOUT -> timedOut;
            case DISCONNECTED -> disconnected;
            case CLOSED -> closed;
        };
    }

    /** @return the drops of all causes together */
    public long dropped() {
        return oldest + newest + superseded + timedOut + disconnected + closed;
    }
}
