package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API of DESIGN.md section 4, written once and run on each store. Every test gets a
 * fresh app (empty store) configured with a game-server token.
 */
abstract class ApiContract {

    static final String TOKEN = "s3cret-token";
    static final String AUTH = "Bearer " + TOKEN;
    static final ObjectMapper JSON = new ObjectMapper();

    LeaderboardApp app;

    /** @return a started app with an empty store and these extra settings */
    abstract LeaderboardApp startApp(Map<String, String> extra);

    @BeforeEach
    void start() {
        app = startApp(Map.of("leaderboard.token", TOKEN, "leaderboard.topk", "5"));
    }

    @AfterEach
    void stop() {
        app.close();
    }

    static String game(String id, String p1, String p2, int result) {
        ObjectNode n = JSON.createObjectNode();
        n.put("game_id", id).put("server_id", "srv-1").put("player1_id", p1).put("player2_id", p2).put("result", result);
        return n.toString();
    }

    HttpResponse<String> submit(String body) {
        return TestApps.post(app, body, "application/json", AUTH);
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    JsonNode board(String query) {
        HttpResponse<String> r = TestApps.get(app, "/leaderboard" + query);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return json(r);
    }

    static List<String> players(JsonNode board) {
        List<String> out = new ArrayList<>();
        board.get("entries").forEach(e -> out.add(e.get("player").asText()));
        return out;
    }

    // ------------------------------------------------------------------ submit

    @Test
    void submit_appliesOnce_thenReportsDuplicate() {
        HttpResponse<String> first = submit(game("g1", "alice", "bob", 0));
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("applied", json(first).get("outcome").asText());
        assertFalse(json(first).get("duplicate").asBoolean());

        HttpResponse<String> again = submit(game("g1", "alice", "bob", 1)); // same id, other content
        assertEquals(200, again.statusCode());
        assertEquals("duplicate", json(again).get("outcome").asText());
        assertTrue(json(again).get("duplicate").asBoolean());

        JsonNode b = board("");
        assertEquals(1, b.get("version").asLong());
        assertEquals(1.0, b.get("entries").get(0).get("score").asDouble());
        assertEquals("alice", b.get("entries").get(0).get("player").asText());
    }

    @Test
    void results_scoreWinDrawAndLoss() {
        submit(game("g1", "alice", "bob", 0));   // alice +1
        submit(game("g2", "alice", "bob", 1));   // bob +1
        submit(game("g3", "carol", "alice", 2)); // +0.5 each
        JsonNode b = board("");
        assertEquals(List.of("alice", "bob", "carol"), players(b));
        assertEquals(1.5, b.get("entries").get(0).get("score").asDouble());
        assertEquals(1.0, b.get("entries").get(1).get("score").asDouble());
        assertEquals(0.5, b.get("entries").get(2).get("score").asDouble());
        assertEquals(3, b.get("version").asLong());
    }

    @Test
    void racingRepeats_ofOneGame_countOnce() throws Exception {
        int n = 16;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> results = new ArrayList<>();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                Callable<HttpResponse<String>> c = () -> {
                    go.await();
                    return submit(game("race", "p", "q", 0));
                };
                results.add(ex.submit(c));
            }
            go.countDown();
            int applied = 0;
            for (Future<HttpResponse<String>> f : results) {
                HttpResponse<String> r = f.get();
                assertEquals(200, r.statusCode(), r.body());
                applied += json(r).get("outcome").asText().equals("applied") ? 1 : 0;
            }
            assertEquals(1, applied);
        }
        JsonNode b = board("");
        assertEquals(1, b.get("version").asLong());
        assertEquals(1.0, b.get("entries").get(0).get("score").asDouble());
    }

    // ------------------------------------------------------------------ leaderboard and stats

    @Test
    void leaderboard_ordersByScoreDescending_tiesByPlayerDescending() {
        submit(game("g1", "amy", "zoe", 2));  // amy .5, zoe .5
        submit(game("g2", "bea", "cid", 0));  // bea 1, cid 0
        submit(game("g3", "dan", "eve", 2));  // dan .5, eve .5
        JsonNode b = board("?limit=10");
        assertEquals(List.of("bea", "zoe", "eve", "dan", "amy", "cid"), players(b));
        for (int i = 0; i < 6; i++) {
            assertEquals(i + 1, b.get("entries").get(i).get("rank").asInt());
        }
        assertEquals(List.of("bea", "zoe"), players(board("?limit=2")));
        assertEquals(5, board("").get("entries").size(), "default limit is topk");
    }

    @Test
    void leaderboard_rejectsBadLimits() {
        for (String bad : List.of("0", "-1", "abc", "1.5", "100000", "")) {
            HttpResponse<String> r = TestApps.get(app, "/leaderboard?limit=" + bad);
            assertEquals(400, r.statusCode(), "limit=" + bad);
            assertEquals("limit", json(r).get("field").asText());
        }
    }

    @Test
    void stats_giveRankAndScore_and404ForUnknown() {
        submit(game("g1", "amy", "zoe", 0));
        submit(game("g2", "bob", "zoe", 2));
        HttpResponse<String> r = TestApps.get(app, "/player/zoe/stats");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode s = json(r);
        assertEquals("zoe", s.get("player").asText());
        assertEquals(2, s.get("rank").asInt()); // amy 1, then zoe .5 before bob .5 (ties: id descending)
        assertEquals(3, json(TestApps.get(app, "/player/bob/stats")).get("rank").asInt());
        assertEquals(0.5, s.get("score").asDouble());

        HttpResponse<String> missing = TestApps.get(app, "/player/nobody/stats");
        assertEquals(404, missing.statusCode());
        assertEquals("unknown_player", json(missing).get("error").asText());
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void badBodies_get400NamingTheProblem_andChangeNothing() {
        String longId = "x".repeat(65);
        record Case(String body, String field) {
        }
        List<Case> cases = List.of(
                new Case("{", null),
                new Case("not json", null),
                new Case("[1,2]", null),
                new Case("", null),
                new Case("{\"game_id\":\"g\"} trailing", null),
                new Case("{\"server_id\":\"s\",\"player1_id\":\"a\",\"player2_id\":\"b\",\"result\":0}", "game_id"),
                new Case(game("", "a", "b", 0), "game_id"),
                new Case("{\"game_id\":\"g\",\"player1_id\":\"a\",\"player2_id\":\"b\",\"result\":0}", "server_id"),
                new Case(game("g", "", "b", 0), "player1_id"),
                new Case(game("g", "a", "", 0), "player2_id"),
                new Case(game("g", "a", "a", 0), "player2_id"),
                new Case(game("g", "a", "b", 3), "result"),
                new Case(game("g", "a", "b", -1), "result"),
                new Case("{\"game_id\":\"g\",\"server_id\":\"s\",\"player1_id\":\"a\",\"player2_id\":\"b\"}", "result"),
                new Case("{\"game_id\":\"g\",\"server_id\":\"s\",\"player1_id\":\"a\",\"player2_id\":\"b\",\"result\":\"0\"}", "result"),
                new Case("{\"game_id\":\"g\",\"server_id\":\"s\",\"player1_id\":\"a\",\"player2_id\":\"b\",\"result\":1.5}", "result"),
                new Case("{\"game_id\":\"g\",\"server_id\":\"s\",\"player1_id\":\"a\",\"player2_id\":\"b\",\"result\":99999999999}", "result"),
                new Case("{\"game_id\":7,\"server_id\":\"s\",\"player1_id\":\"a\",\"player2_id\":\"b\",\"result\":0}", "game_id"),
                new Case("{\"game_id\":\"g\",\"server_id\":\"s\",\"player1_id\":[\"a\"],\"player2_id\":\"b\",\"result\":0}", "player1_id"),
                new Case(game(longId, "a", "b", 0), "game_id"),
                new Case(game("g", "a\nb", "b", 0), "player1_id"),
                new Case(game("g", "a", "b\u0000", 0), "player2_id"),
                new Case("{\"game_id\":\"g\\ud800\",\"server_id\":\"s\",\"player1_id\":\"a\",\"player2_id\":\"b\",\"result\":0}", "game_id"));
        for (Case c : cases) {
            HttpResponse<String> r = submit(c.body());
            assertEquals(400, r.statusCode(), () -> c.body() + " -> " + r.body());
            JsonNode e = json(r);
            assertNotNull(e.get("message"), r.body());
            assertEquals(c.field(), e.hasNonNull("field") ? e.get("field").asText() : null, () -> c.body() + " -> " + r.body());
        }
        assertEquals(0, board("").get("version").asLong());
        assertEquals(0, board("").get("entries").size());
    }

    @Test
    void unknownFields_areIgnored() {
        String body = "{\"game_id\":\"g\",\"server_id\":\"s\",\"player1_id\":\"a\",\"player2_id\":\"b\",\"result\":0,"
                + "\"map\":\"dust\",\"extra\":{\"x\":[1]}}";
        assertEquals(200, submit(body).statusCode());
    }

    @Test
    void wrongOrMissingContentType_gets415() {
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", null}) {
            HttpResponse<String> r = TestApps.post(app, game("g", "a", "b", 0), type, AUTH);
            assertEquals(415, r.statusCode(), String.valueOf(type));
            assertEquals("unsupported_media_type", json(r).get("error").asText());
        }
        assertEquals(200, TestApps.post(app, game("g", "a", "b", 0), "application/json; charset=utf-8", AUTH)
                .statusCode());
    }

    @Test
    void bodyOverLimit_gets413() {
        String big = "{\"game_id\":\"g\",\"server_id\":\"s\",\"player1_id\":\"a\",\"player2_id\":\"b\",\"result\":0,"
                + "\"pad\":\"" + "x".repeat(5000) + "\"}";
        HttpResponse<String> r = submit(big);
        assertEquals(413, r.statusCode(), r.body());
        assertEquals("body_too_large", json(r).get("error").asText());
        assertEquals(0, board("").get("version").asLong());
    }

    @Test
    void missingOrWrongToken_gets401() {
        HttpResponse<String> none = TestApps.post(app, game("g", "a", "b", 0), "application/json", null);
        assertEquals(401, none.statusCode());
        assertEquals("unauthorized", json(none).get("error").asText());
        assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""));
        HttpResponse<String> wrong = TestApps.post(app, game("g", "a", "b", 0), "application/json", "Bearer nope");
        assertEquals(401, wrong.statusCode());
        assertEquals(0, board("").get("version").asLong());
    }

    // ------------------------------------------------------------------ metrics, page, stream

    @Test
    void metrics_arePrometheusText() {
        submit(game("g1", "a", "b", 0));
        submit(game("g1", "a", "b", 0));
        HttpResponse<String> r = TestApps.get(app, "/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        String body = r.body();
        assertTrue(body.contains("leaderboard_submissions_total{outcome=\"applied\""), body);
        assertTrue(body.contains("leaderboard_submissions_total{outcome=\"duplicate\""), body);
        assertTrue(body.contains("leaderboard_store_latency_seconds"), body);
        assertTrue(body.contains("leaderboard_streams_open"), body);
        assertTrue(body.contains("fanout_hub_published_total{hub=\"leaderboard\"}"), body);
        assertTrue(body.contains("leaderboard_store_latency_seconds_bucket{op=\"apply\""), "a histogram: " + body);
        assertTrue(body.contains("jvm_memory_used_bytes"), body);
    }

    @Test
    void metrics_exportTheStreamEndpointsCounters() throws Exception {
        submit(game("g1", "a", "b", 0));
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (app.feed().latest().map(Snapshot::version).orElse(0L) < 1 && System.nanoTime() < until) {
            Thread.sleep(10); // so the stream starts with version 1, not 0 then 1 (Redis notifies asynchronously)
        }
        try (SseClient sse = new SseClient(TestApps.uri(app, "/stream-leaderboard"))) {
            assertNotNull(sse.awaitEvent(e -> e.get("version").asLong() >= 1, Duration.ofSeconds(5)));
            submit(game("g2", "a", "c", 0));
            assertNotNull(sse.awaitEvent(e -> e.get("version").asLong() >= 2, Duration.ofSeconds(5)));
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (app.stream().stats().latency().count() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10); // recorded right after the flush the client has read
            }
            String body = TestApps.get(app, "/metrics").body();
            // series (name and first labels) -> value, or null for any: the initial state is not a
            // latency sample, the live version 2 is
            Map<String, String> expected = new java.util.LinkedHashMap<>();
            expected.put("fanout_sse_connections_open{", "1.0");
            expected.put("fanout_sse_accepted_total{", "1.0");
            expected.put("fanout_sse_events_written_total{", "2.0");
            expected.put("fanout_sse_frames_encoded_total{", "2.0");
            expected.put("fanout_sse_rejected_total{", "0.0");
            expected.put("fanout_sse_resumed_total{", "0.0");
            expected.put("fanout_sse_events_failed_total{", "0.0");
            expected.put("fanout_sse_bytes_written_total{", null);
            expected.put("fanout_sse_heartbeats_total{", null);
            expected.put("fanout_sse_resume_gaps_total{", null);
            expected.put("fanout_sse_dropped_total{", null);
            expected.put("fanout_sse_disconnects_total{cause=\"client_gone\"", null);
            expected.put("fanout_sse_disconnects_total{cause=\"stalled\"", null);
            // a Micrometer timer: a percentile histogram plus the app's 100 ms and 1 s objectives
            expected.put("fanout_sse_latency_seconds_bucket{endpoint=\"stream-leaderboard\",le=\"1.0\"", "1");
            expected.put("fanout_sse_latency_seconds_bucket{endpoint=\"stream-leaderboard\",le=\"+Inf\"", "1");
            expected.put("fanout_sse_latency_seconds_count{endpoint=\"stream-leaderboard\"", "1");
            expected.put("fanout_sse_latency_seconds_sum{endpoint=\"stream-leaderboard\"", null);
            expected.put("fanout_sse_latency_seconds_max{endpoint=\"stream-leaderboard\"", null);
            // fanout-micrometer's hub meters: one subscriber, the stream, that took both snapshots
            expected.put("fanout_hub_published_total{hub=\"leaderboard\"", null);
            expected.put("fanout_hub_delivered_total{hub=\"leaderboard\"", "2.0");
            expected.put("fanout_hub_subscribers{hub=\"leaderboard\"", "1.0");
            expected.put("fanout_hub_depth{hub=\"leaderboard\"", "0.0");
            expected.put("fanout_hub_lag_max{hub=\"leaderboard\"", "0.0");
            expected.put("fanout_hub_handler_errors_total{hub=\"leaderboard\"", "0.0");
            expected.put("fanout_hub_dropped_total{cause=\"superseded\",hub=\"leaderboard\"", null);
            expected.forEach((series, value) -> assertTrue(body.lines().anyMatch(l -> l.startsWith(series)
                    && (value == null || l.endsWith(" " + value))), series + " " + value + " in\n" + body));
        }
    }

    @Test
    void spectators_countTheOpenStreams() throws Exception {
        assertEquals("{\"connected\":0}", TestApps.get(app, "/spectators").body());
        // HTTP/1.1, as browsers stream over plain http: closing the body closes the connection
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        java.io.InputStream one = openStream(http);
        try {
            assertEquals("{\"connected\":1}", TestApps.get(app, "/spectators").body());
            java.io.InputStream two = openStream(http);
            try {
                HttpResponse<String> r = TestApps.get(app, "/spectators");
                assertEquals(200, r.statusCode());
                assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
                assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
                assertEquals("{\"connected\":2}", r.body());
            } finally {
                two.close();
            }
        } finally {
            one.close();
        }
        // a client that went away shows at the next heartbeats (1 s here)
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String body = TestApps.get(app, "/spectators").body();
        while (!body.equals("{\"connected\":0}") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            body = TestApps.get(app, "/spectators").body();
        }
        assertEquals("{\"connected\":0}", body);
    }

    /** Opens a stream and reads up to its first event, so the server counts it. */
    private java.io.InputStream openStream(java.net.http.HttpClient http) throws Exception {
        HttpResponse<java.io.InputStream> r = http.send(java.net.http.HttpRequest.newBuilder(TestApps.uri(app, "/stream-leaderboard"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        java.io.BufferedReader lines = new java.io.BufferedReader(
                new java.io.InputStreamReader(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        String line;
        do {
            line = lines.readLine();
        } while (line != null && !line.startsWith("data:"));
        assertNotNull(line, "the stream ended before its first event");
        return r.body();
    }

    @Test
    void page_streamsWithEventSource() {
        HttpResponse<String> r = TestApps.get(app, "/");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(r.body().contains("new EventSource('stream-leaderboard')"));
    }

    /** @return the epoch of the stream's ids: the journal's, or the snapshots' stream's with Redis */
    String streamEpoch() {
        return app.snapshots() instanceof ClusterSnapshots c ? c.epoch().orElseThrow() : app.store().epoch();
    }

    /**
     * Checks a stream id: the store's epoch and the snapshot version with the embedded store;
     * with Redis, the epoch of the snapshots' stream and the snapshot's number in it.
     */
    void assertStreamId(String id, long version) {
        if (app.snapshots() instanceof ClusterSnapshots) {
            String epoch = streamEpoch();
            assertTrue(id.startsWith(epoch + "-") && Long.parseLong(id.substring(epoch.length() + 1)) > 0,
                    id + " of version " + version);
        } else {
            assertEquals(app.store().epoch() + "-" + version, id, "id: is the store's epoch and the snapshot version");
        }
    }

    @Test
    void stream_idIsAPosition_andAClientUpToDateGetsNoDuplicateOnReconnect() throws Exception {
        submit(game("g1", "amy", "bob", 0));
        submit(game("g2", "amy", "cid", 0));
        String current;
        try (SseClient sse = new SseClient(TestApps.uri(app, "/stream-leaderboard"))) {
            SseClient.Event e = sse.await(ev -> ev.data().get("version").asLong() == 2, Duration.ofSeconds(5));
            assertNotNull(e, "version 2");
            assertStreamId(e.id(), 2);
            current = e.id();
        }
        // reconnecting with the version it shows: no initial duplicate, then the next change
        String current3;
        try (SseClient sse = new SseClient(TestApps.uri(app, "/stream-leaderboard"), current)) {
            assertEquals(200, sse.response().statusCode());
            assertEquals(null, sse.await(ev -> true, Duration.ofMillis(500)), "no duplicate of version 2");
            submit(game("g3", "bob", "cid", 0));
            SseClient.Event next = sse.await(ev -> true, Duration.ofSeconds(5));
            assertNotNull(next);
            assertStreamId(next.id(), 3);
            assertNotEquals(current, next.id());
            assertEquals("leaderboard", next.type());
            assertEquals(3, next.data().get("version").asLong());
            current3 = next.id();
        }
        // reconnecting with an older version of this epoch: the current state at once, no reset
        try (SseClient sse = new SseClient(TestApps.uri(app, "/stream-leaderboard"), current)) {
            SseClient.Event first = sse.await(ev -> true, Duration.ofSeconds(5));
            assertNotNull(first);
            assertEquals("leaderboard", first.type());
            assertEquals(current3, first.id());
            assertEquals(3, first.data().get("version").asLong());
        }
    }

    /**
     * The same version number from another epoch (a store that started over) is not this
     * store's: a reset event, then the current board, never "nothing new".
     */
    @Test
    void stream_idOfAnotherEpoch_getsAResetThenTheCurrentBoard() throws Exception {
        submit(game("g1", "amy", "bob", 0));
        submit(game("g2", "amy", "cid", 0));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (app.feed().latest().map(Snapshot::version).orElse(0L) < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10); // the feed publishes version 2 soon after the submission
        }
        String epoch = streamEpoch();
        String other = "x" + epoch; // never the store's, any store
        for (String lastEventId : new String[] {other + "-2", "2"}) { // the same version; a bare number of earlier builds
            try (SseClient sse = new SseClient(TestApps.uri(app, "/stream-leaderboard"), lastEventId)) {
                SseClient.Event reset = sse.await(ev -> true, Duration.ofSeconds(5));
                assertNotNull(reset, lastEventId);
                assertEquals("reset", reset.type(), lastEventId);
                assertEquals(lastEventId.equals("2") ? "unreadable" : "epoch", reset.data().get("reason").asText());
                assertEquals(epoch, reset.data().get("epoch").asText());
                SseClient.Event board = sse.await(ev -> true, Duration.ofSeconds(5));
                assertNotNull(board, lastEventId);
                assertEquals("leaderboard", board.type());
                assertStreamId(board.id(), 2);
                assertEquals(2, board.data().get("version").asLong());
                assertEquals("amy", board.data().get("entries").get(0).get("player").asText());
            }
        }
    }

    @Test
    void stream_overTheLimit_gets503WithRetryAfter_andTheServerKeepsServing() throws Exception {
        app.close();
        app = startApp(Map.of("leaderboard.limits.streams", "1", "server.max-tcp-connections", "50"));
        assertEquals(50, app.maxTcpConnections());
        try (SseClient first = new SseClient(TestApps.uri(app, "/stream-leaderboard"))) {
            assertEquals(200, first.response().statusCode());
            HttpResponse<String> second = TestApps.send(java.net.http.HttpRequest.newBuilder(
                    TestApps.uri(app, "/stream-leaderboard")).GET().build());
            assertEquals(503, second.statusCode());
            assertTrue(second.headers().firstValue("Retry-After").isPresent());
            assertEquals(1, app.stream().stats().rejected());
            assertEquals(200, TestApps.get(app, "/leaderboard").statusCode(), "other requests are served");
        }
    }

    @Test
    void listener_isSizedBelowTheOpenFileLimit_andTheStreamLimitBelowThat() {
        int tcp = app.maxTcpConnections();
        assertEquals(dev.fanout.sse.ConnectionLimits.maxTcpConnections(10_000), tcp);
        assertTrue(dev.fanout.sse.ConnectionLimits.openFileLimit().orElse(Long.MAX_VALUE) > tcp);
        int reserve = app.config().reserve(tcp);
        assertEquals(Math.max(LeaderboardConfig.STREAM_HEADROOM, tcp / 100), reserve);
        assertEquals(tcp - reserve, app.config().streamLimit(tcp));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> startApp(Map.of("leaderboard.limits.streams", "50", "server.max-tcp-connections", "50")));
        assertTrue(e.getMessage().startsWith("limits.streams: 50 (expected: < server.max-tcp-connections 50"), e.getMessage());
    }

    @Test
    void stream_sendsCurrentStateAtOnce_thenEndsWithTheFinalState() throws Exception {
        submit(game("g0", "early", "bird", 0));
        try (SseClient sse = new SseClient(TestApps.uri(app, "/stream-leaderboard"))) {
            assertEquals(200, sse.response().statusCode());
            assertTrue(sse.response().headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
            JsonNode first = sse.awaitEvent(e -> e.get("version").asLong() >= 1, Duration.ofSeconds(5));
            assertNotNull(first, "initial state");
            assertTrue(first.get("published_at").asLong() > 0);
            for (int i = 1; i <= 30; i++) {
                submit(game("g" + i, "p" + (i % 7), "q" + (i % 5), i % 3));
            }
            JsonNode expected = board("?limit=5");
            // snapshots whose top K did not change are not sent, so match on the entries
            JsonNode last = sse.awaitEvent(e -> e.get("entries").equals(expected.get("entries")),
                    Duration.ofSeconds(10));
            assertNotNull(last, "final state " + expected);
            assertTrue(last.get("version").asLong() <= 31);
        }
    }
}
