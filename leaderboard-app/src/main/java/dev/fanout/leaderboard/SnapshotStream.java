package dev.fanout.leaderboard;

import dev.fanout.Hub;
import dev.fanout.sse.SseHandler;
import java.util.Optional;

/**
 * Where the change feed publishes {@link Snapshot}s and where the stream endpoint reads them:
 * one process's hub ({@link LocalSnapshots}, the embedded store), or one sequence for every
 * instance on a Redis ({@link ClusterSnapshots}). The two differ in who numbers the snapshots,
 * and so in what a stream's {@code id:} is and how a {@code Last-Event-ID} resumes.
 *
 * <p>Thread-safe: {@link #publish} is called by the change feed's one thread; the rest from
 * any thread.
 */
sealed interface SnapshotStream extends AutoCloseable permits LocalSnapshots, ClusterSnapshots {

    /** What became of a snapshot handed to {@link #publish}. */
    enum Sent {
        /** It went out: every stream gets it. */
        PUBLISHED,
        /** Nothing went out: the stream already has these entries, or a newer state. */
        UNCHANGED,
        /** The stream is closed. */
        CLOSED
    }

    /**
     * Publishes a snapshot the change feed just read, unless the stream already has its
     * entries or a newer state.
     *
     * @param snapshot read from the store
     * @return what became of it
     * @throws StoreUnavailableException when it could not be published; the feed reads again later
     */
    Sent publish(Snapshot snapshot);

    /** @return the last snapshot this instance's streams have, empty before the first; any thread */
    Optional<Snapshot> latest();

    /** @return the hub the streams read now (for its meters): it may be replaced, see the implementations */
    Hub<Snapshot> hub();

    /**
     * @return a builder of the stream endpoint on these snapshots, with the hub (or the choice of
     *         hub per request), the events and the ids set; the caller sets the rest
     */
    SseHandler.Builder<Snapshot> handler();

    /** Closes the hub (its streams end) and what it holds; idempotent. */
    @Override
    void close();
}
