package dev.fanout.leaderboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one place that turns store changes into published {@link Snapshot}s.
 *
 * <p>A change only marks the feed dirty: a game this instance applied ({@link
 * LeaderboardStore#onChange}), or a reconnect to Redis. One thread ({@code leaderboard-feed})
 * then reads the top K from the store, at most {@code rate} times a second (changes in between
 * coalesce into one read), serializes it to JSON once and hands it to the {@link SnapshotStream},
 * which publishes it unless it already has those entries or a newer state, and keeps the last
 * one, so the feed caches nothing itself. Nothing reads the store per connection.
 *
 * <p>For a shared store the feed also checks the store's version and epoch every {@code resync}
 * period, and reads the board when they moved since its last read and the stream does not have
 * that version yet: so games applied by another instance that did not publish (it died, or
 * Redis failed it) still reach the streams. A failed read or publish keeps the feed dirty and
 * is retried after a short pause; meanwhile {@link #latest()} keeps the last state. A shared
 * store with no epoch yet (no game since its data was created or lost) gets one drawn here
 * ({@link LeaderboardStore#startEpoch()}), so that its empty board can be published; reads
 * never write.
 *
 * <h2>Threads</h2>
 * {@link #markDirty()}, {@link #latest()}, the counters and {@link #close()} are safe from any
 * thread. The snapshot stream sees a single publisher: the feed thread.
 */
final class ChangeFeed implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ChangeFeed.class.getName());
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final LeaderboardStore store;
    private final SnapshotStream snapshots;
    private final int topK;
    private final long minIntervalNanos;
    private final long resyncNanos;
    private final ObjectMapper json;
    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean dirty = true; // guarded by lock; the first snapshot is computed at once
    private volatile boolean closed;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong unchanged = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    /**
     * @param store     read for snapshots
     * @param snapshots receives them; the feed is its only publisher
     * @param topK   entries per snapshot
     * @param rate   snapshots per second at most, more than zero
     * @param resync how often to compare the store's version, or zero for never (embedded store)
     * @param json   serializes snapshots
     */
    ChangeFeed(LeaderboardStore store, SnapshotStream snapshots, int topK, double rate, Duration resync,
               ObjectMapper json) {
        this.store = Objects.requireNonNull(store, "store");
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        if (topK < 1) {
            throw new IllegalArgumentException("topK: " + topK + " (expected: >= 1)");
        }
        if (!(rate > 0)) {
            throw new IllegalArgumentException("rate: " + rate + " (expected: > 0)");
        }
        this.topK = topK;
        this.minIntervalNanos = (long) (1e9 / rate);
        this.resyncNanos = resync.toNanos();
        this.json = json;
        this.thread = Thread.ofPlatform().daemon().name("leaderboard-feed").unstarted(this::run);
        store.onChange(this::markDirty);
    }

    /** Starts the feed thread, which publishes the first snapshot at once. */
    void start() {
        thread.start();
    }

    /** Notes that the store changed; cheap, never blocks for long, any thread. */
    void markDirty() {
        lock.lock();
        try {
            dirty = true;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** @return the last published snapshot (the stream's latest), empty before the first; any thread */
    Optional<Snapshot> latest() {
        return snapshots.latest();
    }

    /** @return snapshots published */
    long published() {
        return published.get();
    }

    /** @return reads whose entries equalled the last published ones, so nothing was published */
    long unchanged() {
        return unchanged.get();
    }

    /** @return reads that failed because the store was unavailable */
    long failures() {
        return failures.get();
    }

    /** @return the configured number of entries per snapshot */
    int topK() {
        return topK;
    }

    private void run() {
        long lastRead = System.nanoTime() - minIntervalNanos;
        long lastVersion = -1;
        String lastEpoch = null;
        long lastResync = System.nanoTime();
        while (!closed) {
            try {
                if (!awaitDirty(lastResync)) {
                    // woke for a resync check
                    lastResync = System.nanoTime();
                    long v = store.version();
                    String e = store.epoch();
                    if (snapshots.latest().isPresent() && (v == lastVersion && e.equals(lastEpoch) || has(e, v))) {
                        continue; // a flushed store may reach the same count again: the epoch tells
                    }
                    // moved, or the stream has nothing (with Redis: its history was lost): read and publish
                }
                long wait = lastRead + minIntervalNanos - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // changes meanwhile coalesce into this read
                }
                clearDirty();
                lastRead = System.nanoTime();
                Board board = store.top(topK);
                if (board.epoch().equals(Epochs.NONE)) {
                    store.startEpoch(); // a shared store with no game yet: its empty board needs an epoch
                    board = store.top(topK);
                }
                lastVersion = board.version();
                lastEpoch = board.epoch();
                switch (snapshots.publish(snapshot(board))) {
                    case UNCHANGED -> unchanged.incrementAndGet(); // the stream has these entries, or newer
                    case PUBLISHED -> published.incrementAndGet();
                    case CLOSED -> {
                        return;
                    }
                }
            } catch (StoreUnavailableException e) {
                failures.incrementAndGet();
                markDirty();
                LOG.log(Level.DEBUG, "feed: store unavailable; retrying", e);
                try {
                    TimeUnit.NANOSECONDS.sleep(RETRY_NANOS);
                } catch (InterruptedException ie) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "feed: unexpected failure; continuing", e);
                markDirty();
            }
        }
    }

    /** @return true when the stream's last snapshot is of {@code epoch}, at {@code version} or later */
    private boolean has(String epoch, long version) {
        return snapshots.latest().filter(s -> s.epoch().equals(epoch) && s.version() >= version).isPresent();
    }

    /** @return true when dirty, false when it is time for a resync check */
    private boolean awaitDirty(long lastResync) throws InterruptedException {
        lock.lock();
        try {
            while (!dirty) {
                if (resyncNanos <= 0) {
                    changed.await();
                } else {
                    long left = lastResync + resyncNanos - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    changed.awaitNanos(left);
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void clearDirty() {
        lock.lock();
        try {
            dirty = false;
        } finally {
            lock.unlock();
        }
    }

    private Snapshot snapshot(Board board) {
        long now = System.currentTimeMillis();
        List<Standing> entries = board.standings();
        try {
            String text = json.writeValueAsString(new Json.SnapshotBody(board.version(), now, entries));
            return new Snapshot(board.epoch(), board.version(), now, entries, text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a snapshot", e);
        }
    }

    /** Stops the feed thread and waits for it; the snapshot stream is left to its owner. Idempotent. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
