package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Several instances on one Redis, and a Redis outage. */
class RedisScaleOutTest {

    private final String prefix = TestRedis.uniquePrefix();

    @AfterEach
    void cleanUp() {
        TestRedis.deleteAll(prefix);
    }

    private static String game(String id, String p1, String p2, int result) {
        return ApiContract.game(id, p1, p2, result);
    }

    @Test
    void gamePostedToOneInstance_reachesStreamClientsOfAnother() throws Exception {
        // resync far away: only the snapshots' stream, which a publishes to and b reads, can carry the change in time
        Map<String, String> slowResync = Map.of("leaderboard.resync", "PT60S");
        try (LeaderboardApp a = TestApps.redis(prefix, slowResync);
             LeaderboardApp b = TestApps.redis(prefix, slowResync);
             SseClient onB = new SseClient(TestApps.uri(b, "/stream-leaderboard"))) {
            assertNotNull(onB.awaitEvent(e -> true, Duration.ofSeconds(5)), "initial state on b");
            HttpResponse<String> r = TestApps.post(a, game("x1", "from-a", "other", 0), "application/json", null);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode seen = onB.awaitEvent(e -> e.get("entries").size() > 0
                    && e.get("entries").get(0).get("player").asText().equals("from-a"), Duration.ofSeconds(5));
            assertNotNull(seen, "b's stream saw a's game");
            assertEquals(1, seen.get("version").asLong());
            // and the other way round, through b's change feed
            TestApps.post(b, game("x2", "from-b", "other", 0), "application/json", null);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (a.feed().latest().map(s -> s.version()).orElse(0L) < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(2, a.feed().latest().orElseThrow().version());
            // a duplicate across instances is still a duplicate
            HttpResponse<String> dup = TestApps.post(b, game("x1", "from-a", "other", 0), "application/json", null);
            assertEquals("duplicate", ApiContract.json(dup).get("outcome").asText());
        }
    }

    @Test
    void redisDown_postsGet503_readsServeLastState_andItRecoversByItself() throws Exception {
        try (TcpProxy proxy = new TcpProxy(TestRedis.PORT);
             LeaderboardApp app = TestApps.redis("redis://127.0.0.1:" + proxy.port(), prefix,
                     Map.of("leaderboard.redis-timeout", "PT1S"))) {
            assertEquals(200, TestApps.post(app, game("g1", "amy", "bob", 0), "application/json", null).statusCode());
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (app.feed().latest().map(Snapshot::version).orElse(0L) < 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }

            proxy.cut();
            HttpResponse<String> down = TestApps.post(app, game("g2", "amy", "bob", 0), "application/json", null);
            assertEquals(503, down.statusCode(), down.body());
            // not sent (Lettuce already saw the disconnect), or sent on a connection that was
            // just cut: then the app cannot know, and says so
            assertTrue(java.util.Set.of("store_unavailable", "outcome_unknown")
                    .contains(ApiContract.json(down).get("error").asText()), down.body());
            assertTrue(down.headers().firstValue("Retry-After").isPresent());

            HttpResponse<String> stale = TestApps.get(app, "/leaderboard");
            assertEquals(200, stale.statusCode(), stale.body());
            JsonNode sb = ApiContract.json(stale);
            assertTrue(sb.get("stale").asBoolean());
            assertEquals("amy", sb.get("entries").get(0).get("player").asText());
            assertEquals(1.0, sb.get("entries").get(0).get("score").asDouble());
            assertEquals(200, TestApps.get(app, "/player/amy/stats").statusCode());

            proxy.restore();
            HttpResponse<String> back = null;
            deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                back = TestApps.post(app, game("g3", "amy", "bob", 1), "application/json", null);
                if (back.statusCode() == 200) {
                    break;
                }
                Thread.sleep(100);
            }
            assertNotNull(back);
            assertEquals(200, back.statusCode(), back.body());
            // the retry of g2 the answer asked for: applied now, or a duplicate if it got through
            HttpResponse<String> retry = TestApps.post(app, game("g2", "amy", "bob", 0), "application/json", null);
            assertEquals(200, retry.statusCode(), retry.body());
            // each game once: amy 2 (g1, g2), bob 1 (g3); version 3
            JsonNode b = ApiContract.json(TestApps.get(app, "/leaderboard"));
            assertTrue(b.get("stale") == null, b.toString());
            assertEquals(3, b.get("version").asLong());
            assertEquals(2.0, b.get("entries").get(0).get("score").asDouble());
            assertEquals(1.0, b.get("entries").get(1).get("score").asDouble());
        }
    }

    @Test
    void redisDownAtStart_appStartsAnyway_writesGet503_andItConnectsWhenRedisComes() throws Exception {
        try (TcpProxy proxy = new TcpProxy(TestRedis.PORT)) {
            proxy.cut(); // nothing listens on the proxy's port: connections are refused
            try (LeaderboardApp app = TestApps.redis("redis://127.0.0.1:" + proxy.port(), prefix,
                    Map.of("leaderboard.redis-timeout", "PT1S"))) {
                assertTrue(app.describe().contains("not reachable yet"), app.describe());
                HttpResponse<String> down = TestApps.post(app, game("g1", "amy", "bob", 0), "application/json", null);
                assertEquals(503, down.statusCode(), down.body());
                assertEquals("store_unavailable", ApiContract.json(down).get("error").asText());
                assertEquals(503, TestApps.get(app, "/leaderboard").statusCode(), "no state to serve yet");

                try (SseClient stream = new SseClient(TestApps.uri(app, "/stream-leaderboard"))) {
                    assertEquals(200, stream.response().statusCode(), "a stream waits for the snapshots");
                    proxy.restore();
                    HttpResponse<String> up = null;
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (System.nanoTime() < deadline) {
                        up = TestApps.post(app, game("g1", "amy", "bob", 0), "application/json", null);
                        if (up.statusCode() != 503) {
                            break;
                        }
                        Thread.sleep(100);
                    }
                    assertNotNull(up);
                    assertEquals(200, up.statusCode(), up.body());
                    assertEquals("applied", ApiContract.json(up).get("outcome").asText(), "the 503 applied nothing");
                    // the stream opened while Redis was down ends once the snapshots' stream opens;
                    // its client reconnects (an EventSource does so by itself) and sees the game
                    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    while (!stream.ended() && System.nanoTime() < until) {
                        Thread.sleep(20);
                    }
                    assertTrue(stream.ended(), "the waiting stream ended");
                    assertTrue(!app.describe().contains("not reachable yet"), app.describe());
                }
                try (SseClient again = new SseClient(TestApps.uri(app, "/stream-leaderboard"))) {
                    JsonNode seen = again.awaitEvent(e -> e.get("version").asLong() == 1, Duration.ofSeconds(5));
                    assertNotNull(seen, "the reconnected stream shows the game");
                    assertEquals("amy", seen.get("entries").get(0).get("player").asText());
                }
            }
        }
    }
}
