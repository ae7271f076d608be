package dev.fanout.leaderboard;

import dev.fanout.Delivery;
import dev.fanout.History;
import dev.fanout.Hub;
import dev.fanout.Overflow;
import dev.fanout.sse.SseHandler;
import java.util.Optional;

/**
 * The snapshots of one process (the embedded store): a hub that the change feed publishes to,
 * whose streams' ids are the snapshots' own {@code epoch-version} ({@link Snapshot#position()}):
 * the journal's epoch, which survives restarts on the same journal, and the store's version.
 *
 * <p>The hub has one publisher (the feed thread), drops a snapshot whose entries and epoch
 * equal the last one's ({@link Hub#DUPLICATE}), and keeps the last one for {@link #latest()}
 * and for new streams.
 *
 * <p>Thread-safe, as its hub.
 */
final class LocalSnapshots implements SnapshotStream {

    private final Hub<Snapshot> hub;

    /** @param overflow the default strategy of stream subscribers */
    LocalSnapshots(Overflow overflow) {
        this.hub = Hub.<Snapshot>builder()
                .name("leaderboard")
                .singlePublisher() // the change feed thread
                .dedup(Snapshot::state)
                .history(History.latest())
                .overflow(overflow)
                .capacity(16)
                .build();
    }

    @Override
    public Sent publish(Snapshot snapshot) {
        long r = hub.publish(snapshot);
        if (r == Hub.DUPLICATE) {
            return Sent.UNCHANGED;
        }
        return r == Hub.CLOSED ? Sent.CLOSED : Sent.PUBLISHED;
    }

    @Override
    public Optional<Snapshot> latest() {
        return hub.latest().map(Delivery::message);
    }

    @Override
    public Hub<Snapshot> hub() {
        return hub;
    }

    @Override
    public SseHandler.Builder<Snapshot> handler() {
        // @start region="stream"
        return SseHandler.builder(hub)
                .events(Snapshot::event)             // made with the snapshot, serialized once
                .eventPositions(Snapshot::position); // id: the store's epoch-version, not the hub's
        // @end
    }

    @Override
    public void close() {
        hub.close();
    }
}
