package dev.fanout.leaderboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.Delivery;
import dev.fanout.History;
import dev.fanout.Hub;
import dev.fanout.Overflow;
import dev.fanout.Position;
import dev.fanout.redis.RedisStreamException;
import dev.fanout.redis.RedisStreamHub;
import dev.fanout.redis.StreamCodec;
import dev.fanout.sse.SseHandler;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.Optional;

/**
 * The snapshots of every instance on one Redis: one sequence for the whole cluster, through a
 * {@link RedisStreamHub} on the stream {@code <prefix>:snapshots}, so that a spectator who
 * reconnects to another instance with its {@code Last-Event-ID} resumes where it was, never
 * going back and never seeing a version twice.
 *
 * <h2>Who publishes</h2>
 * Any instance: the change feed of the instance that applied a game reads the new top K and
 * publishes it; every instance's feed also reads the board every {@code resync} when the
 * store's version moved, which covers an instance that died between its write and its
 * publish. Two instances may race, and the slower one may hold an older board: each publish
 * is {@link RedisStreamHub#publishIfNewer} with the store's version, guarded by the store's
 * epoch key, so one Lua script appends it only when its version is above the last one in the
 * stream and its epoch is still the store's. The stream's versions therefore only go up; a
 * store that starts a new count (a new epoch: {@code FLUSHDB}, a new Redis) starts a new
 * stream epoch with it. An instance also skips a board whose entries equal those of the last
 * snapshot it has read from the stream (a game outside the top K): scores only grow, so no
 * version between the two can have had other entries.
 *
 * <h2>What the streams read</h2>
 * Every instance reads the stream once (one blocking {@code XREAD}) into its local hub, which
 * keeps the last {@value #HISTORY} snapshots; its streams subscribe there. A stream's
 * {@code id:} is the snapshot's position in the stream, {@code epoch-sequence}, the same on
 * every instance with the same bytes as data. A {@code Last-Event-ID} resumes from the local
 * history, else from the stream (at most {@value #MAX_BACKFILL} entries read back), else it is
 * a gap: a reset event, then the current board. An id ahead of this instance (the client came
 * from a faster one) first waits for this instance to read that far ({@link
 * RedisStreamHub#localAfter}); if it cannot within the catch-up wait, the request gets
 * {@code 503} with {@code Retry-After} ({@link NotCaughtUp}). When the stream's epoch changes, the local hub is replaced and its streams end;
 * clients reconnect and are reset.
 *
 * <h2>Redis down at start</h2>
 * The stream is opened at start, or when Redis cannot be reached then, by the first publish that
 * finds Redis; until then, streams without a
 * {@code Last-Event-ID} wait on an empty hub that is closed when the stream opens (they end,
 * and reconnect to it), and those with one get {@code 503}.
 *
 * <p>Thread-safe: {@link #publish} runs on the change feed's thread only; the rest on any.
 */
final class ClusterSnapshots implements SnapshotStream {

    private static final System.Logger LOG = System.getLogger(ClusterSnapshots.class.getName());
    private static final HeaderName LAST_EVENT_ID = HeaderNames.create("Last-Event-ID");
    /** Snapshots each instance keeps for resumes without a round trip. */
    static final int HISTORY = 1024;
    /** The most snapshots a resume reads back from the stream. */
    static final int MAX_BACKFILL = 1024;
    /** About how many snapshots the stream keeps. */
    static final long MAX_LENGTH = 10_000;

    private final RedisStore store;
    private final Overflow overflow;
    private final StreamCodec<Snapshot> codec;
    /** Streams wait here until the stream is open: empty, closed when it opens. */
    private final Hub<Snapshot> waiting;
    private final Object openLock = new Object();
    private volatile RedisStreamHub<Snapshot> cluster; // null until the first publish finds Redis
    private volatile boolean closed;

    /**
     * @param store    the Redis store, whose epoch key guards every publish
     * @param overflow the default strategy of stream subscribers
     * @param json     reads snapshots back from the stream
     */
    ClusterSnapshots(RedisStore store, Overflow overflow, ObjectMapper json) {
        this.store = Objects.requireNonNull(store, "store");
        this.overflow = Objects.requireNonNull(overflow, "overflow");
        this.codec = codec(json);
        this.waiting = Hub.<Snapshot>builder().name("leaderboard").singlePublisher().history(History.latest())
                .overflow(overflow).capacity(16).build();
        try {
            open(); // now, when Redis answers, so that the first streams already read the stream
        } catch (StoreUnavailableException e) {
            LOG.log(Level.DEBUG, "snapshots: the stream cannot be opened yet; the change feed retries", e);
        }
    }

    /**
     * An entry's text: the store's epoch, a space, then the JSON the streams send as data, so
     * that every instance sends the same bytes.
     */
    static StreamCodec<Snapshot> codec(ObjectMapper json) {
        return StreamCodec.of(s -> s.epoch() + " " + s.json(), text -> {
            int space = text.indexOf(' ');
            String body = text.substring(space + 1);
            Json.SnapshotBody b;
            try {
                b = json.readValue(body, Json.SnapshotBody.class);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException("not a snapshot: " + e.getOriginalMessage(), e);
            }
            return new Snapshot(text.substring(0, space), b.version(), b.publishedAt(), b.entries(), body);
        });
    }

    /** @return the stream, opened now if it is not yet; throws while Redis cannot be reached */
    private RedisStreamHub<Snapshot> open() {
        RedisStreamHub<Snapshot> c = cluster;
        if (c != null) {
            return c;
        }
        synchronized (openLock) {
            if (cluster != null) {
                return cluster;
            }
            if (closed) {
                throw new IllegalStateException("closed");
            }
            try {
                c = RedisStreamHub.builder(store.uri(), store.prefix() + ":snapshots", codec)
                        .name("leaderboard")
                        .maxLength(MAX_LENGTH)
                        .history(History.last(HISTORY))
                        .maxBackfill(MAX_BACKFILL)
                        .overflow(overflow)
                        .capacity(16)
                        .timeout(store.timeout())
                        .build();
            } catch (RedisStreamException e) {
                throw new StoreUnavailableException(e.getMessage(), e);
            }
            cluster = c;
            LOG.log(Level.INFO, "snapshots: stream {0} open, epoch {1}", c.key(), c.epoch());
        }
        waiting.close(); // its streams end, and reconnect to the stream's hub
        return c;
    }

    @Override
    public Sent publish(Snapshot snapshot) {
        if (closed) {
            return Sent.CLOSED;
        }
        RedisStreamHub<Snapshot> c = open();
        Optional<Snapshot> last = latest();
        if (last.isPresent() && last.get().epoch().equals(snapshot.epoch())
                && (last.get().version() >= snapshot.version() || last.get().entries().equals(snapshot.entries()))) {
            return Sent.UNCHANGED; // the stream has a newer state, or these entries
        }
        try {
            return c.publishIfNewer(snapshot, snapshot.version(), store.epochKey(), snapshot.epoch()).isPresent()
                    ? Sent.PUBLISHED : Sent.UNCHANGED;
        } catch (IllegalStateException e) {
            return Sent.CLOSED;
        } catch (RedisStreamException e) {
            // appended or not, the feed reads the board again and publishes it if it is still newer
            throw new StoreUnavailableException(e.getMessage(), e);
        }
    }

    @Override
    public Optional<Snapshot> latest() {
        return hub().latest().map(Delivery::message);
    }

    @Override
    public Hub<Snapshot> hub() {
        RedisStreamHub<Snapshot> c = cluster;
        return c == null ? waiting : c.local();
    }

    /** @return the stream's epoch as this instance knows it, or empty before the stream is open */
    Optional<String> epoch() {
        RedisStreamHub<Snapshot> c = cluster;
        return c == null ? Optional.empty() : Optional.of(c.epoch());
    }

    @Override
    public SseHandler.Builder<Snapshot> handler() {
        // ids: the hub's positions (the default), the same on every instance
        return SseHandler.builder(this::hubFor).events(Snapshot::event);
    }

    /**
     * The request's hub: the current local hub, once this instance has read as far as the
     * request's {@code Last-Event-ID} when it is one of this stream.
     */
    private Optional<Hub<Snapshot>> hubFor(ServerRequest req) {
        Optional<Position> after = req.headers().first(LAST_EVENT_ID).flatMap(Position::parse);
        RedisStreamHub<Snapshot> c = cluster;
        if (c == null) {
            if (after.isPresent()) {
                throw new NotCaughtUp("the snapshots' stream is not reachable yet, so " + after.get()
                        + " cannot be resumed here now: retry");
            }
            return Optional.of(waiting);
        }
        if (after.isEmpty()) {
            return Optional.of(c.local());
        }
        try {
            return Optional.of(c.localAfter(after.get()));
        } catch (RedisStreamException e) {
            throw new NotCaughtUp("this instance has not read the snapshots' stream as far as " + after.get()
                    + " (it is at " + c.position() + "), so it cannot resume it without going back: retry");
        }
    }

    /**
     * A stream request whose {@code Last-Event-ID} this instance cannot serve without going back:
     * answered {@code 503} with {@code Retry-After} ({@link LeaderboardService#notCaughtUp}).
     */
    static final class NotCaughtUp extends RuntimeException {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        NotCaughtUp(String message) {
            super(message, null, false, false);
        }
    }

    /** @return the stream's statistics on this instance, or empty before it is open */
    Optional<RedisStreamHub<Snapshot>> stream() {
        return Optional.ofNullable(cluster);
    }

    @Override
    public void close() {
        synchronized (openLock) {
            closed = true;
        }
        waiting.close();
        RedisStreamHub<Snapshot> c = cluster;
        if (c != null) {
            c.close();
        }
    }
}
