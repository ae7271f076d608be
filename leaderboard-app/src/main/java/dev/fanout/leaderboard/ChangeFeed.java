package dev.fanout.leaderboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.Delivery;
import dev.fanout.History;
import dev.fanout.Hub;
import dev.fanout.Overflow;
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
 * <p>A change only marks the feed dirty. One thread ({@code leaderboard-feed}) then reads the top
 * K from the store, at most {@code rate} times a second (changes in between coalesce into one
 * read), serializes it to JSON once and publishes it to the hub. The hub (see {@link #newHub})
 * drops a snapshot whose entries and epoch equal the last published ones ({@code dedup}) and keeps the last
 * one ({@link Hub#latest()}, {@code startWithLatest}), so the feed caches nothing itself. Nothing
 * reads the store per connection.
 *
 * <p>For a shared store the feed also checks the store's version and epoch every {@code resync} period, a
 * safety net for a change notification lost in an outage. A failed read keeps the feed dirty
 * and is retried after a short pause; meanwhile {@link #latest()} (the hub's) keeps the last state.
 *
 * <h2>Threads</h2>
 * {@link #markDirty()}, {@link #latest()}, the counters and {@link #close()} are safe from any
 * thread. The hub sees a single publisher: the feed thread. Publishing a snapshot happens-before
 * its delivery and before {@link #latest()} returns it.
 */
final class ChangeFeed implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ChangeFeed.class.getName());
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final LeaderboardStore store;
    private final Hub<Snapshot> hub;
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
     * The hub a feed publishes to: one publisher (the feed thread), a snapshot equal in entries
     * to the last one is a no-op ({@link Hub#DUPLICATE}), and the last snapshot
     * is kept for {@link Hub#latest()} and for subscribers that {@code startWithLatest()}.
     *
     * @param overflow the default strategy of stream subscribers
     * @return the hub
     */
    static Hub<Snapshot> newHub(Overflow overflow) {
        return Hub.<Snapshot>builder()
                .name("leaderboard")
                .singlePublisher() // the change feed thread
                .dedup(Snapshot::state)
                .history(History.latest())
                .overflow(overflow)
                .capacity(16)
                .build();
    }

    /**
     * @param store  read for snapshots
     * @param hub    receives them; the feed is its only publisher; see {@link #newHub}
     * @param topK   entries per snapshot
     * @param rate   snapshots per second at most, more than zero
     * @param resync how often to compare the store's version, or zero for never (embedded store)
     * @param json   serializes snapshots
     */
    ChangeFeed(LeaderboardStore store, Hub<Snapshot> hub, int topK, double rate, Duration resync, ObjectMapper json) {
        this.store = Objects.requireNonNull(store, "store");
        this.hub = Objects.requireNonNull(hub, "hub");
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

    /** @return the last published snapshot (the hub's latest), empty before the first; any thread */
    Optional<Snapshot> latest() {
        return hub.latest().map(Delivery::message);
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
                    if (v == lastVersion && store.epoch().equals(lastEpoch)) {
                        continue; // a flushed store may reach the same count again: the epoch tells
                    }
                }
                long wait = lastRead + minIntervalNanos - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // changes meanwhile coalesce into this read
                }
                clearDirty();
                lastRead = System.nanoTime();
                Board board = store.top(topK);
                lastVersion = board.version();
                lastEpoch = board.epoch();
                long r = hub.publish(snapshot(board));
                if (r == Hub.DUPLICATE) {
                    unchanged.incrementAndGet(); // same entries as the last one
                } else if (r == Hub.CLOSED) {
                    return;
                } else {
                    published.incrementAndGet();
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

    /** Stops the feed thread and waits for it; the hub is left to its owner. Idempotent. */
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
