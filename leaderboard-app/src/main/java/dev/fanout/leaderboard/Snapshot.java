package dev.fanout.leaderboard;

import dev.fanout.Position;
import dev.fanout.sse.SseEvent;
import java.util.List;
import java.util.Objects;

/**
 * One published state of the top K: what every stream client receives.
 *
 * <p>The change feed serializes it to JSON once, when it is made, as the data of an
 * {@code event: leaderboard} Server-Sent Event; fanout-sse encodes that event once and every
 * connection writes the same bytes. JSON shape:
 * {@code {"version":42,"published_at":1718000000123,"entries":[{"rank":1,"player":"p7","score":3.5}, ...]}}.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class Snapshot {
    private final Position position;
    private final long version;
    private final long publishedAtMillis;
    private final List<Standing> entries;
    private final SseEvent event;

    /** Made right before it is published: the event's creation starts the publish-to-flush latency. */
    Snapshot(String epoch, long version, long publishedAtMillis, List<Standing> entries, String json) {
        this.position = Position.of(epoch, version);
        this.version = version;
        this.publishedAtMillis = publishedAtMillis;
        this.entries = List.copyOf(entries);
        this.event = SseEvent.of("leaderboard", Objects.requireNonNull(json, "json"));
    }

    /** @return the store version the entries were read at, a number of {@link #epoch()} */
    public long version() {
        return version;
    }

    /** @return the store's epoch when the entries were read ({@link LeaderboardStore#epoch()}) */
    public String epoch() {
        return position.epoch();
    }

    /** @return when the server published it, in epoch milliseconds, so clients can measure latency */
    public long publishedAtMillis() {
        return publishedAtMillis;
    }

    /** @return the top K, best first */
    public List<Standing> entries() {
        return entries;
    }

    /** @return the JSON text, as sent to clients (one line) */
    public String json() {
        return event.data();
    }

    /** @return the stream event: {@code event: leaderboard}, the JSON as data */
    SseEvent event() {
        return event;
    }

    /**
     * @return the SSE {@code id:}, {@code epoch-version}: what every instance on one store
     *         agrees on, and never the same for two numberings of the store's games
     */
    Position position() {
        return position;
    }

    /**
     * @return what the hub compares to drop a snapshot equal to the last one: the entries, and
     *         the epoch, so that the first snapshot of a new epoch goes out (with its new id)
     *         even when its entries equal the last ones
     */
    Object state() {
        return new State(position.epoch(), entries);
    }

    private record State(String epoch, List<Standing> entries) {
    }

    @Override
    public String toString() {
        return "Snapshot[" + position + ", entries=" + entries.size() + "]";
    }
}
