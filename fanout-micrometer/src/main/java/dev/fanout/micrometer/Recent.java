package dev.fanout.micrometer;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A value taken from its source at most once per window and shared in between, so the meters of
 * one scrape read one stats snapshot instead of each walking every subscription or connection.
 * Thread-safe: {@link #get()} is synchronized, and a value taken by one thread is seen by the
 * next caller (the monitor's release and acquire).
 *
 * @param <T> the value
 */
final class Recent<T> implements Supplier<T> {
    /**
     * The least window: longer than a scrape takes to read its meters, far shorter than any scrape
     * interval. With 19,000 streams, one stats walk per meter (~45 per scrape) was a third of
     * the leaderboard server's Java CPU samples at one snapshot a second (docs/load.md).
     */
    static final long WINDOW_NANOS = 100_000_000L;

    /**
     * The window is at least this many times the last walk: however long a walk takes (100,000
     * streams over six servers on two cores took seconds), walking takes at most about a tenth
     * of the time of the threads that read the meters.
     */
    static final int WALK_SHARE = 10;

    private final Supplier<? extends T> source;
    private final long minWindowNanos;
    private final LongSupplier nanoClock;
    private T value;
    private long takenAt;
    private long windowNanos;

    Recent(Supplier<? extends T> source, long windowNanos, LongSupplier nanoClock) {
        this.source = source;
        this.minWindowNanos = windowNanos;
        this.windowNanos = windowNanos;
        this.nanoClock = nanoClock;
    }

    /**
     * The window counts from when the value was ready, not from when its walk began, and grows
     * with the walk: a walk that takes longer than the least window (tens of thousands of
     * streams on a loaded machine) would otherwise be repeated by every meter of the same
     * scrape, and a scrape slowed by the walks would walk all the more.
     */
    @Override
    public synchronized T get() {
        long now = nanoClock.getAsLong();
        if (value == null || now - takenAt >= windowNanos) {
            value = source.get();
            takenAt = nanoClock.getAsLong();
            long walk = takenAt - now;
            windowNanos = Math.max(minWindowNanos, walk * WALK_SHARE);
        }
        return value;
    }
}
