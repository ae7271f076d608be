package dev.fanout;

/**
 * A snapshot of a hub's counters, taken by {@link Hub#stats()}: its own, the sums over every
 * subscription it has had, the ended ones included, and the depth and lag of the subscriptions
 * attached now. {@link Topics#stats()} gives the same snapshot for all the hubs of a registry.
 *
 * <p>Read from any thread; approximate while traffic flows, exact once it has stopped: then
 * {@code offered() == delivered() + dropped() + depth()}.
 *
 * <p>Immutable. Made only by the library, so counters can be added without breaking callers.
 */
public final class HubStats {
    /** The stats of a hub that never had a message or a subscriber. */
    static final HubStats EMPTY = new HubStats(0, 0, 0, 0, 0, new long[Ledgers.WIDTH], new long[4]);

    private final long published;
    private final int subscribers;
    private final long subscribed;
    private final long disconnects;
    private final long handlerErrors;
    private final long offered;
    private final long delivered;
    private final DropCounts drops;
    private final long depth;
    private final long maxDepth;
    private final long lag;
    private final long maxLag;

    /**
     * @param totals the {@link Ledgers} layout: drops by cause, offered, delivered
     * @param gauges over the attached subscriptions: depth summed, depth max, lag summed, lag max
     */
    HubStats(long published, int subscribers, long subscribed, long disconnects, long handlerErrors, long[] totals,
             long[] gauges) {
        this.published = published;
        this.subscribers = subscribers;
        this.subscribed = subscribed;
        this.disconnects = disconnects;
        this.handlerErrors = handlerErrors;
        this.offered = totals[Ledgers.OFFERED];
        this.delivered = totals[Ledgers.DELIVERED];
        this.drops = DropCounts.of(totals);
        this.depth = gauges[0];
        this.maxDepth = gauges[1];
        this.lag = gauges[2];
        this.maxLag = gauges[3];
    }

    /**
     * The stats of two hubs as one: counters and the depth and lag sums added, the maxima the
     * larger of the two. For {@link Topics#stats()}.
     */
    HubStats plus(HubStats o) {
        long[] totals = new long[Ledgers.WIDTH];
        for (DropCause c : DropCause.values()) {
            totals[c.ordinal()] = dropped(c) + o.dropped(c);
        }
        totals[Ledgers.OFFERED] = offered + o.offered;
        totals[Ledgers.DELIVERED] = delivered + o.delivered;
        return new HubStats(published + o.published, subscribers + o.subscribers, subscribed + o.subscribed,
                disconnects + o.disconnects, handlerErrors + o.handlerErrors, totals,
                new long[] {depth + o.depth, Math.max(maxDepth, o.maxDepth), lag + o.lag, Math.max(maxLag, o.maxLag)});
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

    /**
     * {@return messages the attached subscriptions hold now, summed: what {@code offered()}
     * counts that is neither delivered nor dropped yet}
     */
    public long depth() {
        return depth;
    }

    /** {@return the largest {@link SubscriptionStats#depth()} of the attached subscriptions, 0 with none} */
    public long maxDepth() {
        return maxDepth;
    }

    /**
     * {@return {@link SubscriptionStats#lag()} summed over the attached subscriptions: how far, in
     * sequence numbers, their consumers are behind the last publish}
     */
    public long lag() {
        return lag;
    }

    /** {@return the largest {@link SubscriptionStats#lag()} of the attached subscriptions, 0 with none} */
    public long maxLag() {
        return maxLag;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HubStats s && s.published == published && s.subscribers == subscribers
                && s.subscribed == subscribed && s.disconnects == disconnects && s.handlerErrors == handlerErrors
                && s.offered == offered && s.delivered == delivered && s.drops.equals(drops)
                && s.depth == depth && s.maxDepth == maxDepth && s.lag == lag && s.maxLag == maxLag;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(published, subscribers, subscribed, disconnects, handlerErrors, offered, delivered, drops,
                depth, maxDepth, lag, maxLag);
    }

    @Override
    public String toString() {
        return "HubStats[published=" + published + ", subscribers=" + subscribers + ", subscribed=" + subscribed
                + ", disconnects=" + disconnects + ", handlerErrors=" + handlerErrors + ", offered=" + offered + ", delivered=" + delivered
                + ", dropped=" + dropped() + (dropped() == 0 ? "" : " (" + drops + ")") + ", depth=" + depth
                + ", maxDepth=" + maxDepth + ", lag=" + lag + ", maxLag=" + maxLag + "]";
    }
}
