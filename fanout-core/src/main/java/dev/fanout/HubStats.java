package dev.fanout;

import java.util.Objects;

/**
 * A snapshot of a hub's counters, taken by {@link Hub#stats()}: its own, plus the sums over
 * its subscriptions, the closed ones included.
 *
 * <p>Read from any thread; approximate while traffic flows, exact once it has stopped.
 *
 * @param published     messages that got a sequence number (the last sequence number)
 * @param subscribers   subscriptions attached now
 * @param subscribed    subscriptions ever attached
 * @param disconnects   subscriptions closed with {@link CloseReason#SLOW}
 * @param offered       offers to subscriptions, summed
 * @param delivered     messages taken by consumers, summed
 * @param oldest        drops for {@link DropCause#OLDEST}, summed
 * @param newest        drops for {@link DropCause#NEWEST}, summed
 * @param superseded    drops for {@link DropCause#SUPERSEDED}, summed
 * @param timedOut      drops for {@link DropCause#TIMEOUT}, summed
 * @param disconnected  drops for {@link DropCause#DISCONNECTED}, summed
 * @param closed        drops for {@link DropCause#CLOSED}, summed
 */
public record HubStats(long published, int subscribers, long subscribed, long disconnects, long offered,
                       long delivered, long oldest, long newest, long superseded, long timedOut,
                       long disconnected, long closed) {

    /**
     * @param cause a cause
     * @return the drops counted for it over all subscriptions
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

    /** @return all drops together */
    public long dropped() {
        return oldest + newest + superseded + timedOut + disconnected + closed;
    }
}
