package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A game sent to a Redis that stops answering may still be applied: the answer says the outcome
 * is unknown (never "nothing was applied"), the metrics count it as unknown, and the retry the
 * answer asks for is counted once.
 */
class RedisOutcomeUnknownTest {

    @TempDir
    Path dir;

    private static JsonNode json(HttpResponse<String> r) {
        return ApiContract.json(r);
    }

    private static double metric(LeaderboardApp app, String series) {
        String body = TestApps.get(app, "/metrics").body();
        return body.lines().filter(l -> l.startsWith(series)).mapToDouble(l -> Double.parseDouble(
                l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElseThrow(() -> new AssertionError(series
                + " in\n" + body));
    }

    @Test
    void pausedRedis_answersOutcomeUnknown_theGameLandsOnResume_andTheRetryIsADuplicate() throws Exception {
        try (OwnRedis redis = OwnRedis.start(dir);
             LeaderboardApp app = TestApps.redis(redis.uri(), "unknown", Map.of("leaderboard.redis-timeout", "PT0.5S"))) {
            // the first script load can outlast the short timeout on a loaded machine: retry with
            // the same game_id (safe, as the answer says) until it is acknowledged
            int status = 0;
            for (int attempt = 0; attempt < 20 && status != 200; attempt++) {
                status = TestApps.post(app, ApiContract.game("g1", "amy", "bob", 0), "application/json", null).statusCode();
            }
            assertEquals(200, status, "g1 acknowledged before Redis is paused");
            double unknownBefore = metric(app, "leaderboard_submissions_total{outcome=\"unknown\"");
            double unavailableBefore = metric(app, "leaderboard_submissions_total{outcome=\"unavailable\"");

            redis.pause();
            HttpResponse<String> r;
            try {
                r = TestApps.post(app, ApiContract.game("g2", "amy", "cid", 0), "application/json", null);
            } finally {
                redis.resume();
            }
            assertEquals(503, r.statusCode(), r.body());
            assertEquals("outcome_unknown", json(r).get("error").asText(), r.body());
            assertTrue(json(r).get("message").asText().contains("retry with the same game_id"), r.body());
            assertTrue(r.headers().firstValue("Retry-After").isPresent());
            assertEquals(unknownBefore + 1, metric(app, "leaderboard_submissions_total{outcome=\"unknown\""));
            assertEquals(unavailableBefore, metric(app, "leaderboard_submissions_total{outcome=\"unavailable\""));

            // the script Redis had not answered runs once it resumes: the game was applied
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (app.store().version() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(2, app.store().version(), "g2 applied after all");
            HttpResponse<String> retry = TestApps.post(app, ApiContract.game("g2", "amy", "cid", 0),
                    "application/json", null);
            assertEquals(200, retry.statusCode(), retry.body());
            assertEquals("duplicate", json(retry).get("outcome").asText());
            assertEquals(2, app.store().version(), "the retry is not counted twice");
            assertEquals(2.0, json(TestApps.get(app, "/player/amy/stats")).get("score").asDouble(), "two wins, once each");
        }
    }

    @Test
    void unreachableRedis_answersNotApplied_notUnknown() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (LeaderboardApp app = TestApps.redis("redis://127.0.0.1:" + closedPort, "down", Map.of())) {
            HttpResponse<String> r = TestApps.post(app, ApiContract.game("g1", "amy", "bob", 0), "application/json", null);
            assertEquals(503, r.statusCode(), r.body());
            assertEquals("store_unavailable", json(r).get("error").asText(), r.body());
            assertTrue(json(r).get("message").asText().contains("nothing was applied"), r.body());
            assertEquals(1.0, metric(app, "leaderboard_submissions_total{outcome=\"unavailable\""));
            assertEquals(0.0, metric(app, "leaderboard_submissions_total{outcome=\"unknown\""));
        }
    }
}
