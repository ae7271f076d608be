package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several instances on one Redis serve one sequence of snapshots: a spectator that reconnects
 * to another instance with its {@code Last-Event-ID}, as an EventSource behind a load balancer
 * does, never sees the board go back or a version twice, and every instance sends the same
 * snapshot under the same id. Everything here goes over HTTP, as a browser and game servers do.
 */
class ClusterHopTest {

    private static final int INSTANCES = 3;
    /** Fewer players than the top K: every game changes the entries, so every version is a new board. */
    private static final int PLAYERS = 12;

    private final String prefix = TestRedis.uniquePrefix();

    @AfterEach
    void cleanUp() {
        TestRedis.deleteAll(prefix);
    }

    private List<LeaderboardApp> start() {
        List<LeaderboardApp> apps = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            apps.add(TestApps.redis(prefix, Map.of("leaderboard.topk", "20", "leaderboard.rate", "10",
                    "leaderboard.resync", "PT1S")));
        }
        return apps;
    }

    /** One event a hopping client took, and the instance it came from. */
    private record Seen(int instance, SseClient.Event event) {
        long version() {
            return event.data().get("version").asLong();
        }
    }

    @Test
    void aSpectatorHoppingBetweenInstances_neverGoesBack_neverSeesAVersionTwice_andEndsOnTheFinalBoard()
            throws Exception {
        List<LeaderboardApp> apps = start();
        List<SseClient> watchers = new ArrayList<>();
        try {
            // one spectator that stays on each instance, to compare what every instance sends under an id
            for (LeaderboardApp app : apps) {
                watchers.add(new SseClient(TestApps.uri(app, "/stream-leaderboard")));
            }
            AtomicBoolean playing = new AtomicBoolean(true);
            AtomicInteger applied = new AtomicInteger();
            AtomicReference<String> postFailure = new AtomicReference<>();
            Thread games = Thread.ofVirtual().start(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int g = 0; playing.get(); g++) {
                    int a = r.nextInt(PLAYERS);
                    int b = (a + 1 + r.nextInt(PLAYERS - 1)) % PLAYERS;
                    HttpResponse<String> res = TestApps.post(apps.get(r.nextInt(INSTANCES)),
                            ApiContract.game("g" + g, "p" + a, "p" + b, r.nextInt(3)), "application/json", null);
                    if (res.statusCode() != 200) {
                        postFailure.set(res.statusCode() + " " + res.body());
                        return;
                    }
                    applied.incrementAndGet();
                    try {
                        Thread.sleep(r.nextInt(10, 40)); // about 40 games a second, on every instance
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });

            List<Seen> seen = new ArrayList<>();
            String lastId = null;
            int hops = 0;
            long playUntil = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            ThreadLocalRandom r = ThreadLocalRandom.current();
            int at = 0;
            while (System.nanoTime() < playUntil) {
                at = (at + 1 + r.nextInt(INSTANCES - 1)) % INSTANCES; // always another instance
                lastId = hop(apps.get(at), at, lastId, Duration.ofMillis(r.nextInt(100, 600)), seen);
                hops++;
            }
            playing.set(false);
            games.join();
            assertEquals(null, postFailure.get(), "every game was applied");

            // games stopped: the final board is the store's, at version = games applied
            long finalVersion = applied.get();
            JsonNode board = ApiContract.json(TestApps.get(apps.getFirst(), "/leaderboard?limit=20"));
            assertEquals(finalVersion, board.get("version").asLong());
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while ((seen.isEmpty() || seen.getLast().version() < finalVersion) && System.nanoTime() < deadline) {
                at = (at + 1) % INSTANCES;
                lastId = hop(apps.get(at), at, lastId, Duration.ofMillis(300), seen);
                hops++;
            }

            System.out.printf("hops %d, snapshots seen %d, final version %d%n", hops, seen.size(), finalVersion);
            assertTrue(hops >= 10, "hops: " + hops);
            assertTrue(seen.size() > 10, "snapshots seen: " + seen.size());
            for (int i = 1; i < seen.size(); i++) {
                Seen before = seen.get(i - 1);
                Seen after = seen.get(i);
                assertTrue(after.version() > before.version(), "version " + after.version() + " on instance "
                        + after.instance() + " (" + after.event().id() + ") after version " + before.version()
                        + " on instance " + before.instance() + " (" + before.event().id() + ")");
            }
            Seen last = seen.getLast();
            assertEquals(finalVersion, last.version(), "the hopping spectator ends on the final version");
            assertEquals(board.get("entries"), last.event().data().get("entries"), "and on the final board");

            // every instance's own spectator ends there too, and an id means one snapshot everywhere
            Map<String, JsonNode> byId = new HashMap<>();
            for (Seen s : seen) {
                byId.put(s.event().id(), s.event().data());
            }
            for (int i = 0; i < INSTANCES; i++) {
                SseClient w = watchers.get(i);
                SseClient.Event e;
                long lastVersion = -1;
                while ((e = w.await(ev -> true, lastVersion == finalVersion ? Duration.ZERO : Duration.ofSeconds(10)))
                        != null) {
                    assertEquals("leaderboard", e.type());
                    long v = e.data().get("version").asLong();
                    assertTrue(v > lastVersion, "instance " + i + ": version " + v + " after " + lastVersion);
                    lastVersion = v;
                    JsonNode other = byId.putIfAbsent(e.id(), e.data());
                    if (other != null) {
                        assertEquals(other, e.data(), "id " + e.id() + " on instance " + i);
                    }
                    if (v == finalVersion) {
                        break;
                    }
                }
                assertEquals(finalVersion, lastVersion, "instance " + i + "'s spectator ends on the final version");
            }
        } finally {
            watchers.forEach(SseClient::close);
            apps.forEach(LeaderboardApp::close);
        }
    }

    /**
     * Connects to {@code app} with {@code lastId}, as a reconnecting EventSource does, takes the
     * events that come within {@code stay}, then the next one (within a second), and leaves right
     * after it: the moment another instance is most likely to be behind.
     *
     * @return the id to reconnect with: the last one seen, or {@code lastId} when none came
     */
    private static String hop(LeaderboardApp app, int instance, String lastId, Duration stay, List<Seen> seen)
            throws Exception {
        try (SseClient c = new SseClient(TestApps.uri(app, "/stream-leaderboard"), lastId)) {
            if (c.response().statusCode() == 503) {
                return lastId; // this instance could not catch up in time: the client tries again
            }
            assertEquals(200, c.response().statusCode());
            long until = System.nanoTime() + stay.toNanos();
            while (true) {
                long left = until - System.nanoTime();
                boolean stayed = left <= 0;
                SseClient.Event e = c.await(ev -> true, stayed ? Duration.ofSeconds(1) : Duration.ofNanos(left));
                if (e == null) {
                    if (stayed) {
                        break; // nothing more came
                    }
                    continue; // the stay is over: take the next event, then leave
                }
                if (!e.type().equals("leaderboard")) {
                    fail("a " + e.type() + " event on instance " + instance + " after " + lastId + ": " + e.data());
                }
                seen.add(new Seen(instance, e));
                lastId = e.id();
                if (stayed) {
                    break; // right after an event: leave now
                }
            }
        }
        return lastId;
    }

    /**
     * A spectator that comes from an instance that has read further than this one: this one
     * waits until it has read as far, then resumes it there, rather than send its older board.
     */
    @Test
    void anIdAheadOfThisInstance_waitsForIt_thenResumesWithNothingOlder() throws Exception {
        try (TcpProxy slowLink = new TcpProxy(TestRedis.PORT);
             LeaderboardApp a = TestApps.redis(prefix, Map.of());
             LeaderboardApp b = TestApps.redis("redis://127.0.0.1:" + slowLink.port(), prefix, Map.of())) {
            assertEquals(200, TestApps.post(a, ApiContract.game("a1", "amy", "bob", 0), "application/json", null)
                    .statusCode());
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (b.feed().latest().map(Snapshot::version).orElse(0L) < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, b.feed().latest().orElseThrow().version());

            slowLink.hold(); // b reads nothing more for now
            assertEquals(200, TestApps.post(a, ApiContract.game("a2", "amy", "cid", 0), "application/json", null)
                    .statusCode());
            String id;
            try (SseClient onA = new SseClient(TestApps.uri(a, "/stream-leaderboard"))) {
                SseClient.Event e = onA.await(ev -> ev.data().get("version").asLong() == 2, Duration.ofSeconds(10));
                assertNotNull(e, "version 2 on a");
                id = e.id();
            }
            assertEquals(1, b.feed().latest().orElseThrow().version(), "b is behind");
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
                slowLink.release();
            });
            try (SseClient onB = new SseClient(TestApps.uri(b, "/stream-leaderboard"), id)) {
                assertEquals(200, onB.response().statusCode());
                assertEquals(null, onB.await(ev -> true, Duration.ofMillis(500)),
                        "up to date once b caught up: nothing at once, and never version 1 or a reset");
                assertEquals(200, TestApps.post(a, ApiContract.game("a3", "bob", "cid", 0), "application/json", null)
                        .statusCode());
                SseClient.Event next = onB.await(ev -> true, Duration.ofSeconds(10));
                assertNotNull(next);
                assertEquals("leaderboard", next.type());
                assertEquals(3, next.data().get("version").asLong());
            }
        }
    }

    /**
     * An id of this stream that no instance has reached (the client came from an instance that
     * read further, and this one cannot catch up): answered 503 with {@code Retry-After} after
     * the catch-up wait, never an older board.
     */
    @Test
    void anIdAheadOfThisInstance_thatItCannotReach_gets503_notAnOlderBoard() throws Exception {
        try (LeaderboardApp app = TestApps.redis(prefix, Map.of())) {
            assertEquals(200, TestApps.post(app, ApiContract.game("a1", "amy", "bob", 0), "application/json", null)
                    .statusCode());
            String id;
            try (SseClient c = new SseClient(TestApps.uri(app, "/stream-leaderboard"))) {
                SseClient.Event e = c.await(ev -> ev.data().get("version").asLong() == 1, Duration.ofSeconds(10));
                assertNotNull(e);
                id = e.id();
            }
            String ahead = id.substring(0, id.lastIndexOf('-')) + "-" + (Long.parseLong(id.substring(id.lastIndexOf('-') + 1)) + 1000);
            HttpResponse<String> r = TestApps.send(java.net.http.HttpRequest.newBuilder(
                    TestApps.uri(app, "/stream-leaderboard")).header("Last-Event-ID", ahead).GET().build());
            assertEquals(503, r.statusCode(), r.body());
            assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
            assertEquals("not_caught_up", ApiContract.json(r).get("error").asText(), r.body());
            // the one it had resumes as usual: nothing new, so nothing at once
            try (SseClient c = new SseClient(TestApps.uri(app, "/stream-leaderboard"), id)) {
                assertEquals(200, c.response().statusCode());
                assertEquals(null, c.await(ev -> true, Duration.ofMillis(300)));
            }
        }
    }

    /**
     * The snapshots' history lost (every key of the leaderboard deleted, as a {@code FLUSHDB}
     * does): a spectator that comes back with an id of before gets a reset and the new board,
     * never snapshots of the new count that happen to carry its old numbers.
     */
    @Test
    void anIdOfAPreviousEpoch_getsAResetAndTheNewBoard_notAReplay() throws Exception {
        List<LeaderboardApp> apps = start();
        try {
            for (int g = 0; g < 5; g++) {
                assertEquals(200, TestApps.post(apps.get(g % INSTANCES),
                        ApiContract.game("a" + g, "old" + g, "older" + g, 0), "application/json", null).statusCode());
            }
            String oldId;
            try (SseClient c = new SseClient(TestApps.uri(apps.get(1), "/stream-leaderboard"))) {
                SseClient.Event e = c.await(ev -> ev.data().get("version").asLong() == 5, Duration.ofSeconds(10));
                assertNotNull(e, "version 5");
                oldId = e.id();
            }

            TestRedis.deleteAll(prefix); // the store and the snapshots' stream, as a FLUSHDB would
            for (int g = 0; g < 7; g++) {
                assertEquals(200, TestApps.post(apps.get(g % INSTANCES),
                        ApiContract.game("b" + g, "new" + g, "newer" + g, 0), "application/json", null).statusCode());
            }
            for (int i = 0; i < INSTANCES; i++) {
                LeaderboardApp app = apps.get(i);
                SseClient.Event reset = null;
                SseClient.Event first = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (System.nanoTime() < deadline) { // until this instance has moved to the new stream
                    try (SseClient c = new SseClient(TestApps.uri(app, "/stream-leaderboard"), oldId)) {
                        reset = c.await(ev -> true, Duration.ofSeconds(2));
                        first = c.await(ev -> true, Duration.ofSeconds(2));
                    }
                    if (first != null && first.data().get("version").asLong() == 7) {
                        break;
                    }
                    Thread.sleep(100);
                }
                assertNotNull(reset, "instance " + i);
                assertEquals("reset", reset.type(), "instance " + i + ": " + reset.data());
                assertEquals("epoch", reset.data().get("reason").asText());
                assertNotNull(first, "instance " + i);
                assertEquals("leaderboard", first.type());
                assertEquals(7, first.data().get("version").asLong(), "instance " + i + ": the new board");
                assertTrue(first.data().get("entries").get(0).get("player").asText().startsWith("new"));
                assertNotEquals(oldId.substring(0, oldId.lastIndexOf('-')),
                        first.id().substring(0, first.id().lastIndexOf('-')), "a new epoch");
                assertFalse(first.id().equals(oldId));
            }
        } finally {
            apps.forEach(LeaderboardApp::close);
        }
    }
}
