package dev.fanout;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * The kept past of a hub: a ring of deliveries with their publish times, appended by the
 * (serialised) publisher and read by subscribers; the hub guards it with its seam lock, so
 * nothing here is thread-safe on its own.
 */
final class HistoryLog<T> {
    private final int maxCount;
    private final long maxAgeMillis;
    private final InstantSource clock;

    private Delivery<T>[] ring;
    private long[] stamps;
    private int head;
    private int size;
    /** The last message appended, whether or not the history still keeps it. */
    private Delivery<T> last;

    HistoryLog(History history, InstantSource clock) {
        this.maxCount = history.maxCount();
        this.maxAgeMillis = history.maxAge().isZero() ? Long.MAX_VALUE : history.maxAge().toMillis();
        this.clock = clock;
        int initial = Math.min(maxCount, 64);
        this.ring = newRing(initial);
        this.stamps = new long[initial];
    }

    void append(Delivery<T> d) {
        last = d;
        long now = maxAgeMillis == Long.MAX_VALUE ? 0 : clock.millis();
        if (size == maxCount) {
            removeOldest();
        } else if (size == ring.length) {
            grow();
        }
        int i = (head + size) % ring.length;
        ring[i] = d;
        stamps[i] = now;
        size++;
        expire(now);
    }

    private void removeOldest() {
        ring[head] = null;
        head = (head + 1) % ring.length;
        size--;
    }

    private void expire(long now) {
        if (maxAgeMillis == Long.MAX_VALUE) {
            return;
        }
        while (size > 0 && now - stamps[head] > maxAgeMillis) {
            removeOldest();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> Delivery<T>[] newRing(int n) {
        return (Delivery<T>[]) new Delivery<?>[n];
    }

    private void grow() {
        int n = (int) Math.min((long) ring.length * 2, maxCount);
        Delivery<T>[] r = newRing(n);
        long[] s = new long[n];
        for (int k = 0; k < size; k++) {
            int i = (head + k) % ring.length;
            r[k] = ring[i];
            s[k] = stamps[i];
        }
        ring = r;
        stamps = s;
        head = 0;
    }

    /** @return the last message appended, or null before the first */
    Delivery<T> last() {
        return last;
    }

    /**
     * What a backfill must supply for a resume after {@code after}: nothing when the history
     * holds the message right after it (or {@code after} is not behind the last message), else
     * the messages up to the one before the oldest kept, or up to half a full history before the
     * last one if that is later: so that the history still joins the backfill after as many
     * publishes as half its size while the backfill runs (up to the last one when none is kept).
     *
     * @return the last sequence the backfill should give, or 0 when it has nothing to give
     */
    long missingUpTo(long after) {
        long current = last == null ? 0 : last.sequence();
        if (maxAgeMillis != Long.MAX_VALUE) {
            expire(clock.millis());
        }
        if (after >= current) {
            return 0;
        }
        if (size == 0) {
            return current;
        }
        long oldest = ring[head].sequence();
        return oldest > after + 1 ? Math.max(oldest - 1, current - maxCount / 2) : 0;
    }

    /**
     * The kept messages with a sequence above {@code after}.
     *
     * @return the messages in order, or null when the history no longer reaches back to
     *         {@code after + 1} (or {@code after} is ahead of the last message appended)
     */
    List<Delivery<T>> after(long after) {
        long current = last == null ? 0 : last.sequence();
        if (maxAgeMillis != Long.MAX_VALUE) {
            expire(clock.millis());
        }
        if (after > current) {
            return null;
        }
        if (after == current) {
            return List.of();
        }
        int first = 0;
        while (first < size && ring[(head + first) % ring.length].sequence() <= after) {
            first++;
        }
        // the message right after `after` must be kept: else it has expired, or (with sequences
        // from outside) the stream itself skipped it; either way a replay would leave a gap
        if (first == size || ring[(head + first) % ring.length].sequence() != after + 1) {
            return null;
        }
        List<Delivery<T>> out = new ArrayList<>(size - first);
        for (int k = first; k < size; k++) {
            out.add(ring[(head + k) % ring.length]);
        }
        return out;
    }
}
