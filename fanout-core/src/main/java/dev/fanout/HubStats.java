package dev.fanout;

/**
 * A snapshot of a hub's counters, taken by {@link Hub#stats()}: its own, plus the sums over
 * every subscription it has had, the ended ones included.
 *
 * <p>Read from any thread; approximate while traffic flows, exact once it has stopped: then
 * {@code offered() == delivered() + dropped() + } the depths of the open subscriptions.
 *
 * <p>Immutable. Made only by the library, so counters can be added without breaking callers.
 */
public final class HubStats {
    private final long published;
    private final int subscribers;
    private final long subscribed;
    private final long disconnects;
    private final long handlerErrors;
    private final long offered;
    private final long delivered;
    private final DropCounts drops;

    HubStats(long published, int subscribers, long subscribed, long disconnects, long handlerErrors, long[] totals) {
        this.published = published;
        this.subscribers = subscribers;
        this.subscribed = subscribed;
        this.disconnects = disconnects;
        this.handlerErrors = handlerErrors;
        this.offered = totals[Ledgers.OFFERED];
        this.delivered = totals[Ledgers.DELIVERED];
        this.drops = DropCounts.of(totals);
    }

    /** {@return messages that got a sequence number (the last sequence number)} */
    public long published() {
        return published;
    }

    /** {@return subscriptions attached now} */
    public int subscribers() {
        return subscribers;
    }

    /** {@return subscriptions ever attached} */
    public long subscribed() {
        return subscribed;
    }

    /** {@return subscriptions ended with {@link CloseReason#SLOW}} */
    public long disconnects() {
        return disconnects;
    }

    /**
     * {@return errors thrown by push handlers and {@code latestPerKey} key functions, each of
     * which also went to {@link dev.fanout.spi.HubListener#onHandlerError}}
     */
    public long handlerErrors() {
        return handlerErrors;
    }

    /** {@return offers to subscriptions, replays included, summed} */
    public long offered() {
        return offered;
    }

    /** {@return messages taken by consumers, summed} */
    public long delivered() {
        return delivered;
    }

    /**
     * Drops for one cause, summed over all subscriptions.
     *
     * @param cause a cause
     * @return the drops counted for it over all subscriptions
     */
    public long dropped(DropCause cause) {
        return drops.get(cause);
    }

    /** {@return all drops together} */
    public long dropped() {
        return drops.total();
    }

    /** {@return drops for {@link DropCause#OLDEST}, summed} */
    public long oldest() {
        return drops.get(DropCause.OLDEST);
    }

    /** {@return drops for {@link DropCause#NEWEST}, summed} */
    public long newest() {
        return drops.get(DropCause.NEWEST);
    }

    /** {@return drops for {@link DropCause#SUPERSEDED}, summed} */
    public long superseded() {
        return drops.get(DropCause.SUPERSEDED);
    }

    /** {@return drops for {@link DropCause#TIMEOUT}, summed} */
    public long timedOut() {
        return drops.get(DropCause.TIMEOUT);
    }

    /** {@return drops for {@link DropCause#DISCONNECTED}, summed} */
    public long disconnected() {
        return drops.get(DropCause.DISCONNECTED);
    }

    /** {@return drops for {@link DropCause#CLOSED}, summed} */
    public long closed() {
        return drops.get(DropCause.CLOSED);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HubStats s && s.published == published && s.subscribers == subscribers
                && s.subscribed == subscribed && s.disconnects == disconnects && s.handlerErrors == handlerErrors
                && s.offered == offered
                && s.delivered == delivered && s.drops.equals(drops);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(published, subscribers, subscribed, disconnects, handlerErrors, offered, delivered, drops);
    }

    @Override
    public String toString() {
        return "HubStats[published=" + published + ", subscribers=" + subscribers + ", subscribed=" + subscribed
                + ", disconnects=" + disconnects + ", handlerErrors=" + handlerErrors + ", offered=" + offered + ", delivered=" + delivered
                + ", dropped=" + dropped() + (dropped() == 0 ? "" : " (" + drops + ")") + "]";
    }
}
