package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.Position;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis store's epoch, and the snapshots' stream's: shared by every instance on one Redis,
 * new after a {@code FLUSHDB} (on a redis-server of the test's own, never the shared one).
 */
class RedisEpochTest {
    @TempDir
    Path dir;

    private static void submit(LeaderboardApp app, String body) {
        assertEquals(200, TestApps.post(app, body, "application/json", null).statusCode());
    }

    @Test
    void flushdb_drawsANewEpoch_andAClientOfTheOldOneIsResetToTheNewBoard() throws Exception {
        try (OwnRedis redis = OwnRedis.start(dir);
             LeaderboardApp a = TestApps.redis(redis.uri(), "epoch", Map.of());
             LeaderboardApp b = TestApps.redis(redis.uri(), "epoch", Map.of())) {
            submit(a, ApiContract.game("g1", "amy", "bob", 0));
            submit(a, ApiContract.game("g2", "amy", "cid", 0));
            String old = a.store().epoch();
            assertEquals(old, b.store().epoch(), "one epoch for every instance on one Redis");
            String shown;
            try (SseClient sse = new SseClient(TestApps.uri(b, "/stream-leaderboard"))) {
                SseClient.Event e = sse.await(ev -> ev.data().get("version").asLong() == 2, Duration.ofSeconds(5));
                assertNotNull(e);
                shown = e.id();
            }
            String oldStream = Position.parse(shown).orElseThrow().epoch();
            assertEquals(oldStream, ((ClusterSnapshots) a.snapshots()).epoch().orElseThrow(),
                    "one stream for every instance");

            RedisClient client = RedisClient.create(redis.uri());
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                c.sync().flushdb();
            } finally {
                client.shutdown();
            }
            submit(a, ApiContract.game("h1", "zoe", "yan", 0));
            submit(a, ApiContract.game("h2", "zoe", "xia", 0)); // version 2 again
            String epoch = a.store().epoch();
            assertNotEquals(old, epoch, "the count started over, so the epoch is new");
            assertEquals(epoch, b.store().epoch());

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!b.feed().latest().map(s -> s.epoch().equals(epoch) && s.version() == 2).orElse(false)
                    && System.nanoTime() < deadline) {
                Thread.sleep(10); // b reads the new stream once it sees the old one is gone
            }
            String newStream = ((ClusterSnapshots) b.snapshots()).epoch().orElseThrow();
            assertNotEquals(oldStream, newStream, "the snapshots' stream lost its history: a new epoch");
            try (SseClient sse = new SseClient(TestApps.uri(b, "/stream-leaderboard"), shown)) {
                SseClient.Event reset = sse.await(ev -> true, Duration.ofSeconds(5));
                assertNotNull(reset);
                assertEquals("reset", reset.type(), "not taken for a position of the new stream");
                assertEquals(newStream, reset.data().get("epoch").asText());
                SseClient.Event board = sse.await(ev -> true, Duration.ofSeconds(5));
                assertNotNull(board);
                assertEquals(newStream, Position.parse(board.id()).orElseThrow().epoch());
                assertEquals(2, board.data().get("version").asLong());
                assertEquals("zoe", board.data().get("entries").get(0).get("player").asText(), "the new board");
            }
            String metrics = TestApps.get(b, "/metrics").body();
            assertTrue(counter(metrics, "leaderboard_cluster_epoch_changes_total") >= 1,
                    "the lost history shows on /metrics: " + metrics);
            assertTrue(counter(metrics, "leaderboard_cluster_read_total") >= 3, "what b read of both epochs");
            assertEquals(0, counter(metrics, "leaderboard_cluster_publish_failures_total"));
        }
    }

    /** The value of a counter without labels in Prometheus text, failing when it is absent. */
    static double counter(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(name.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError(name + " is not on /metrics"));
    }
}
