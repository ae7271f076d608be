package dev.fanout;

/**
 * A snapshot of one subscription's counters, taken by {@link Subscription#stats()}.
 *
 * <p>The counters are read one by one from any thread while the hub runs, so a snapshot taken
 * during traffic is approximate; once publishing and consuming have stopped,
 * {@code offered() == delivered() + dropped() + depth()} holds exactly. An ended subscription
 * counts what it still holds as dropped ({@link DropCause#DISCONNECTED} after
 * {@link CloseReason#SLOW}, else {@link DropCause#CLOSED}) and has depth 0, whether or not its
 * consumer has made the call that discards it.
 *
 * <p>Immutable. Made only by the library, so counters can be added without breaking callers.
 */
public final class SubscriptionStats {
    private final long offered;
    private final long delivered;
    private final DropCounts drops;
    private final int depth;
    private final int highWaterDepth;
    private final int capacity;
    private final long lag;
    private final int workers;
    private final int peakWorkers;

    SubscriptionStats(long offered, long delivered, long[] drops, int depth, int highWaterDepth, int capacity,
                      long lag, int workers, int peakWorkers) {
        this.offered = offered;
        this.delivered = delivered;
        this.drops = DropCounts.of(drops);
        this.depth = depth;
        this.highWaterDepth = highWaterDepth;
        this.capacity = capacity;
        this.lag = lag;
        this.workers = workers;
        this.peakWorkers = peakWorkers;
    }

    /** {@return messages handed to this subscription by the hub, replayed ones included} */
    public long offered() {
        return offered;
    }

    /** {@return messages its consumer took (poll, drain, await or the push handler)} */
    public long delivered() {
        return delivered;
    }

    /**
     * Drops for one cause.
     *
     * @param cause a cause
     * @return the drops counted for it
     */
    public long dropped(DropCause cause) {
        return drops.get(cause);
    }

    /** {@return the drops of all causes together} */
    public long dropped() {
        return drops.total();
    }

    /** {@return drops for {@link DropCause#OLDEST}} */
    public long oldest() {
        return drops.get(DropCause.OLDEST);
    }

    /** {@return drops for {@link DropCause#NEWEST}} */
    public long newest() {
        return drops.get(DropCause.NEWEST);
    }

    /** {@return drops for {@link DropCause#SUPERSEDED}} */
    public long superseded() {
        return drops.get(DropCause.SUPERSEDED);
    }

    /** {@return drops for {@link DropCause#TIMEOUT}} */
    public long timedOut() {
        return drops.get(DropCause.TIMEOUT);
    }

    /** {@return drops for {@link DropCause#DISCONNECTED}} */
    public long disconnected() {
        return drops.get(DropCause.DISCONNECTED);
    }

    /** {@return drops for {@link DropCause#CLOSED}} */
    public long closed() {
        return drops.get(DropCause.CLOSED);
    }

    /** {@return messages it holds now, to be delivered; 0 once it has ended} */
    public int depth() {
        return depth;
    }

    /**
     * {@return the largest depth seen, at most the capacity: the publisher found it full, or its
     * consumer found this many waiting when it read}
     */
    public int highWaterDepth() {
        return highWaterDepth;
    }

    /** {@return its real capacity (1 for latest-only)} */
    public int capacity() {
        return capacity;
    }

    /** {@return the hub's last sequence minus the last sequence its consumer took} */
    public long lag() {
        return lag;
    }

    /** {@return push workers running now (0 but for {@code elasticWorkers})} */
    public int workers() {
        return workers;
    }

    /** {@return the most push workers that ran at once} */
    public int peakWorkers() {
        return peakWorkers;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SubscriptionStats s && s.offered == offered && s.delivered == delivered
                && s.drops.equals(drops) && s.depth == depth && s.highWaterDepth == highWaterDepth
                && s.capacity == capacity && s.lag == lag && s.workers == workers && s.peakWorkers == peakWorkers;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(offered, delivered, drops, depth, highWaterDepth, capacity, lag, workers, peakWorkers);
    }

    @Override
    public String toString() {
        return "SubscriptionStats[offered=" + offered + ", delivered=" + delivered + ", dropped=" + dropped()
                + (dropped() == 0 ? "" : " (" + drops + ")") + ", depth=" + depth + ", highWater=" + highWaterDepth
                + ", capacity=" + capacity + ", lag=" + lag + (peakWorkers == 0 ? "" : ", workers=" + workers
                + ", peakWorkers=" + peakWorkers) + "]";
    }
}
