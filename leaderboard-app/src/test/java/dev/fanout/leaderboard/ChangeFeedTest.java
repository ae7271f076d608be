package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.Delivery;
import dev.fanout.Hub;
import dev.fanout.Overflow;
import dev.fanout.PullSubscription;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The change feed on the hub's dedup and latest message: no copy of the state beside the hub. */
class ChangeFeedTest {

    @TempDir
    Path dir;

    @Test
    void unchangedTopK_isNotPublished_andLatestIsTheHubs() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(dir.resolve("journal"));
             LocalSnapshots snapshots = new LocalSnapshots(Overflow.latestOnly());
             ChangeFeed feed = new ChangeFeed(store, snapshots, 1, 100, Duration.ZERO, Json.mapper())) {
            Hub<Snapshot> hub = snapshots.hub();
            feed.start();
            await(feed::published, 1); // the empty board
            assertEquals(List.of(), feed.latest().orElseThrow().entries());

            store.apply(new Game("g1", "s", "zed", "bob", Game.Result.of(0)));
            await(feed::published, 2);
            assertEquals("zed", feed.latest().orElseThrow().entries().get(0).player());

            // amy 1 ties zed 1, and ties go to the larger id: the top 1 is still zed
            store.apply(new Game("g2", "s", "amy", "bob", Game.Result.of(0)));
            await(feed::unchanged, 1);
            assertEquals(2, feed.published());
            assertEquals(2, hub.sequence(), "the duplicate got no sequence number");
            Snapshot latest = feed.latest().orElseThrow();
            assertEquals(1, latest.version(), "the latest is the last published, not the last read");
            assertEquals(latest, hub.latest().map(Delivery::message).orElseThrow());

            // a new subscriber starts with the latest snapshot, then live ones
            try (PullSubscription<Snapshot> sub = hub.subscriber().startWithLatest().subscribe()) {
                Optional<Delivery<Snapshot>> first = sub.await(Duration.ofSeconds(5));
                assertTrue(first.isPresent());
                assertEquals(1, first.get().message().version());
                store.apply(new Game("g3", "s", "amy", "zed", Game.Result.of(0)));
                Optional<Delivery<Snapshot>> next = sub.await(Duration.ofSeconds(5));
                assertTrue(next.isPresent());
                assertEquals("amy", next.get().message().entries().get(0).player());
                assertEquals(3, next.get().message().version());
            }
        }
    }

    private static void await(LongSupplier counter, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (counter.getAsLong() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(atLeast, counter.getAsLong());
    }
}
