package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API contract on the embedded store, and what a stream client sees across restarts. */
class MemoryApiTest extends ApiContract {
    @TempDir
    java.nio.file.Path dir;

    @Override
    LeaderboardApp startApp(Map<String, String> extra) {
        return TestApps.memory(dir.resolve("journal"), extra);
    }

    /** The id a new stream client gets first: the current snapshot's. */
    private String currentId(int version) throws Exception {
        try (SseClient sse = new SseClient(TestApps.uri(app, "/stream-leaderboard"))) {
            SseClient.Event e = sse.await(ev -> ev.data().get("version").asLong() == version, Duration.ofSeconds(5));
            assertNotNull(e, "version " + version);
            return e.id();
        }
    }

    @Test
    void restartOnTheSameJournal_keepsTheEpoch_soAClientResumesWithNoResetAndNoDuplicate() throws Exception {
        submit(game("g1", "amy", "bob", 0));
        submit(game("g2", "amy", "cid", 0));
        String epoch = app.store().epoch();
        String shown = currentId(2);
        assertEquals(epoch + "-2", shown);
        app.close();
        app = startApp(Map.of("leaderboard.token", TOKEN));
        assertEquals(epoch, app.store().epoch(), "the same journal, the same epoch");
        try (SseClient sse = new SseClient(TestApps.uri(app, "/stream-leaderboard"), shown)) {
            assertNull(sse.await(ev -> true, Duration.ofMillis(500)), "the client already shows version 2");
            submit(game("g3", "bob", "cid", 0));
            SseClient.Event next = sse.await(ev -> true, Duration.ofSeconds(5));
            assertNotNull(next);
            assertEquals("leaderboard", next.type());
            assertEquals(epoch + "-3", next.id(), "ids continue");
        }
    }

    /**
     * A new journal numbers its games from 1 again: a client holding version 2 of the old one
     * must not take the new version 2 for what it shows.
     */
    @Test
    void aNewJournal_isANewEpoch_andAnOldIdGetsAResetThenTheNewBoard() throws Exception {
        submit(game("g1", "amy", "bob", 0));
        submit(game("g2", "amy", "cid", 0));
        String oldEpoch = app.store().epoch();
        String shown = currentId(2);
        app.close();
        app = TestApps.memory(dir.resolve("new-journal"), Map.of("leaderboard.token", TOKEN));
        String epoch = app.store().epoch();
        assertNotEquals(oldEpoch, epoch);
        submit(game("h1", "zoe", "yan", 0));
        submit(game("h2", "zoe", "xia", 0));
        assertEquals(epoch + "-2", currentId(2), "the same version number as the client's");
        try (SseClient sse = new SseClient(TestApps.uri(app, "/stream-leaderboard"), shown)) {
            SseClient.Event reset = sse.await(ev -> true, Duration.ofSeconds(5));
            assertNotNull(reset);
            assertEquals("reset", reset.type());
            assertEquals("epoch", reset.data().get("reason").asText());
            assertEquals(epoch, reset.data().get("epoch").asText());
            SseClient.Event board = sse.await(ev -> true, Duration.ofSeconds(5));
            assertNotNull(board);
            assertEquals(epoch + "-2", board.id());
            assertEquals("zoe", board.data().get("entries").get(0).get("player").asText(), "the new board");
        }
    }
}
