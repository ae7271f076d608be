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
     * The window: longer than a scrape takes to read its meters, far shorter than any scrape
     * interval. With 19,000 streams, one stats walk per meter (~45 per scrape) was a third of
     * the leaderboard server's Java CPU samples at one snapshot a second (docs/load.md).
     */
    static final long WINDOW_NANOS = 100_000_000L;

    private final Supplier<? extends T> source;
    private final long windowNanos;
    private final LongSupplier nanoClock;
    private T value;
    private long takenAt;

    Recent(Supplier<? extends T> source, long windowNanos, LongSupplier nanoClock) {
        this.source = source;
        this.windowNanos = windowNanos;
        this.nanoClock = nanoClock;
    }

    /**
     * The window counts from when the value was ready, not from when its walk began: a walk that
     * takes longer than the window (tens of thousands of streams on a loaded machine) would
     * otherwise be repeated by every meter of the same scrape.
     */
    @Override
    public synchronized T get() {
        if (value == null || nanoClock.getAsLong() - takenAt >= windowNanos) {
            value = source.get();
            takenAt = nanoClock.getAsLong();
        }
        return value;
    }
}
