package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live page in a real headless Chromium: rank movement (a row that moves is highlighted and
 * says by how many places, a new entry is marked, a changed score flashes, rows never jump), the
 * live figures (spectators from the server, updates per second, time since the last change, the
 * latency of live updates only), the connection state through a server restart, the player
 * search, and the ids: a restart on a new journal (a new epoch) is shown as a reset with the new
 * board, never as changes missed, and within an epoch the board never goes back nor shows a
 * version twice. Saves screenshots at a desktop and a phone width in {@code target/browser/}, and in
 * {@code docs/images/} when {@code -Dfanout.screenshots=docs} asks for the documentation's copies.
 *
 * <p>Without Chromium the test fails, saying how to install it ({@code bin/run-tests} does), unless
 * {@code FANOUT_SKIP_BROWSER_TESTS=true} says to skip it.
 */
class PageInBrowserTest {

    /** What the page shows, as JSON: connection, figures, and the rows in rank order. */
    private static final String READ_PAGE = """
            document.getElementById('toast') === null ? null : JSON.stringify({
              state: document.getElementById('conn').dataset.state,
              stateText: document.getElementById('state').textContent,
              resumed: document.getElementById('conn').dataset.resumed || null,
              reset: document.getElementById('conn').dataset.reset || null,
              epoch: document.getElementById('version').dataset.epoch || null,
              toast: document.getElementById('toast').textContent,
              toastShown: document.getElementById('toast').classList.contains('show'),
              history: document.getElementById('history') === null ? null
                  : document.getElementById('history').hidden ? '' : document.getElementById('history').textContent,
              version: document.getElementById('version').textContent,
              spectators: document.getElementById('spectators').textContent,
              rate: document.getElementById('rate').textContent,
              since: document.getElementById('since').textContent,
              latency: document.getElementById('latency').textContent,
              samples: Number(document.getElementById('spark').dataset.samples),
              sparkPoints: document.querySelector('#spark .line').getAttribute('points'),
              searchTop: document.getElementById('q').getBoundingClientRect().top,
              boardTop: document.getElementById('board').getBoundingClientRect().top,
              rowHeight: document.querySelector('#board .row') === null ? 0
                  : document.querySelector('#board .row').getBoundingClientRect().height,
              found: document.getElementById('found').textContent,
              foundResult: document.getElementById('found').dataset.result,
              rows: [...document.querySelectorAll('#board .row:not(.leaving)')]
                .sort((a, b) => a.dataset.rank - b.dataset.rank)
                .map(r => ({
                  rank: r.querySelector('.rank').textContent,
                  player: r.dataset.player,
                  score: r.querySelector('.score').textContent,
                  move: r.dataset.move,
                  delta: r.dataset.delta,
                  badge: r.querySelector('.badge').textContent,
                  highlighted: r.classList.contains('hl-' + r.dataset.move),
                  scoreChanged: r.dataset.scoreChanged,
                  flashing: r.querySelector('.score').classList.contains('flash'),
                  top: r.getBoundingClientRect().top,
                  found: r.classList.contains('found')
                }))
            })""";

    /** Records every version the page puts on screen, in {@code window.shownVersions}. */
    private static final String RECORD_VERSIONS = """
            (() => {
              const version = document.getElementById('version');
              window.shownVersions = [];
              new MutationObserver(() => window.shownVersions.push(version.textContent))
                .observe(version, { childList: true, characterData: true, subtree: true });
              return true;
            })()""";

    @TempDir
    Path dir;

    @Test
    void movesAreHighlighted_newEntriesMarked_scoresFlash_andTheFiguresAreLive() throws Exception {
        Path chromium = chromiumOrFail();
        try (LeaderboardApp app = TestApps.memory(dir.resolve("journal"), Map.of());
             HeadlessChromium browser = new HeadlessChromium(chromium, dir.resolve("chromium"))) {
            submit(app, "g1", "alice", "bob", 0);
            // the state sent on connect is an old snapshot: its age must not read as a latency
            Thread.sleep(2000);

            browser.navigate(TestApps.uri(app, "/"));
            JsonNode first = awaitPage(browser, p -> p.get("version").asText().equals("1")
                    && p.get("state").asText().equals("live") && p.get("spectators").asText().equals("1"),
                    "the first snapshot, live, with one spectator");
            assertEquals(List.of("1 alice 1.0 same 0", "2 bob 0.0 same 0"), rows(first), first.toString());
            assertEquals(0, first.get("samples").asInt(), "the state sent on connect is no latency sample: " + first);
            assertEquals("–", first.get("latency").asText(), first.toString());
            assertEquals("live", first.get("stateText").asText(), first.toString());
            assertTrue(first.get("since").asText().matches("\\d+ s ago"), "the first snapshot is ~2 s old: " + first);
            double searchTop = first.get("searchTop").asDouble();
            double boardTop = first.get("boardTop").asDouble();

            // carol beats alice: carol 1 (new, first: ties go by player id, descending), alice 1, bob 0
            submit(app, "g2", "carol", "alice", 0);
            JsonNode second = awaitPage(browser, p -> p.get("version").asText().equals("2"), "version 2");
            assertEquals(List.of("1 carol 1.0 new 0", "2 alice 1.0 down 1", "3 bob 0.0 down 1"), rows(second), second.toString());
            assertEquals("NEW", row(second, "carol").get("badge").asText());
            assertEquals("▼ 1", row(second, "alice").get("badge").asText());
            for (String p : List.of("carol", "alice", "bob")) {
                assertTrue(row(second, p).get("highlighted").asBoolean(), p + " moved and is highlighted: " + second);
            }
            assertEquals("false", row(second, "alice").get("scoreChanged").asText(), second.toString());
            assertEquals(1, second.get("samples").asInt(), "one live update: " + second);
            assertTrue(second.get("latency").asText().matches("\\d+ms"), second.toString());

            // bob beats alice: carol 1, bob 1, alice 1 (ties by id descending): bob up 1, alice down 1
            submit(app, "g3", "bob", "alice", 0);
            JsonNode third = awaitPage(browser, p -> p.get("version").asText().equals("3"), "version 3");
            assertEquals(List.of("1 carol 1.0 same 0", "2 bob 1.0 up 1", "3 alice 1.0 down 1"), rows(third), third.toString());
            JsonNode bob = row(third, "bob");
            assertEquals("▲ 1", bob.get("badge").asText());
            assertTrue(bob.get("highlighted").asBoolean(), third.toString());
            assertEquals("true", bob.get("scoreChanged").asText(), third.toString());
            assertTrue(bob.get("flashing").asBoolean(), "bob's score changed and flashes: " + third);
            assertEquals("false", row(third, "carol").get("scoreChanged").asText(), third.toString());
            assertEquals("false", row(third, "alice").get("scoreChanged").asText(), third.toString());

            // no layout jump: what sits above the board stays put, rows sit at rank x row height
            assertEquals(searchTop, third.get("searchTop").asDouble(), third.toString());
            assertEquals(boardTop, third.get("boardTop").asDouble(), third.toString());
            JsonNode settled = awaitPage(browser, p -> rowsSettled(p), "the rows at their places");
            assertTrue(settled.get("rowHeight").asDouble() > 20, settled.toString());

            // live figures: two live updates, a rate, the last change just now, one spectator
            assertEquals(2, settled.get("samples").asInt(), settled.toString());
            assertEquals(2, settled.get("sparkPoints").asText().split(" ").length, settled.toString());
            assertTrue(Double.parseDouble(settled.get("rate").asText()) > 0, settled.toString());
            assertTrue(settled.get("since").asText().matches("just now|\\d s ago"), settled.toString());
            assertEquals("1", settled.get("spectators").asText(), settled.toString());

            // the search asks /player/{id}/stats and marks the row
            browser.evaluate("document.getElementById('q').value = 'bob';"
                    + " document.getElementById('search').requestSubmit(); true");
            JsonNode found = awaitPage(browser, p -> p.get("foundResult").asText().equals("found"), "bob found");
            assertEquals("bob is #2 with 1.0 points", found.get("found").asText(), found.toString());
            assertTrue(row(found, "bob").get("found").asBoolean(), found.toString());
            browser.evaluate("document.getElementById('q').value = 'nobody';"
                    + " document.getElementById('search').requestSubmit(); true");
            JsonNode missing = awaitPage(browser, p -> p.get("foundResult").asText().equals("missing"), "nobody missing");
            assertEquals("no game mentions nobody yet", missing.get("found").asText(), missing.toString());
        }
    }

    @Test
    void aServerRestart_showsReconnectingWithACountdown_thenTheResumption() throws Exception {
        Path chromium = chromiumOrFail();
        Path journal = dir.resolve("journal");
        int port;
        try (HeadlessChromium browser = new HeadlessChromium(chromium, dir.resolve("chromium"))) {
            try (LeaderboardApp app = TestApps.memory(journal, Map.of())) {
                port = app.port();
                submit(app, "g1", "alice", "bob", 0);
                browser.navigate(TestApps.uri(app, "/"));
                awaitPage(browser, p -> p.get("version").asText().equals("1") && p.get("state").asText().equals("live"),
                        "version 1, live");
            }
            JsonNode down = awaitPage(browser, p -> p.get("state").asText().equals("reconnecting"), "reconnecting");
            assertTrue(down.get("stateText").asText().matches("reconnecting in \\d+ s · attempt \\d+ of 12"), down.toString());
            assertEquals("–", down.get("spectators").asText(), "no spectator count while disconnected: " + down);

            // a game while the page was away, written to the journal before the server is back
            try (EmbeddedStore store = EmbeddedStore.open(journal)) {
                store.apply(new Game("g2", "test", "carol", "alice", Game.Result.PLAYER1_WINS));
            }
            try (LeaderboardApp again = TestApps.memory(journal, Map.of("server.port", Integer.toString(port)))) {
                assertEquals(port, again.port(), "the page reconnects to the address it was loaded from");
                JsonNode back = awaitPage(browser, p -> p.get("state").asText().equals("live")
                        && p.get("version").asText().equals("2"), "live again at version 2");
                assertEquals("2", back.get("resumed").asText(), "the resumption is shown: " + back);
                assertEquals(List.of("1 carol 1.0 new 0", "2 alice 1.0 down 1", "3 bob 0.0 down 1"), rows(back), back.toString());
                assertEquals(0, back.get("samples").asInt(), "the state sent on reconnect is no latency sample: " + back);
            }
        }
    }

    @Test
    void aNewHistoryOnTheServer_isShownAsAReset_withTheNewBoard_andNoMissedCount() throws Exception {
        Path chromium = chromiumOrFail();
        Path journal = dir.resolve("journal");
        Path fresh = dir.resolve("fresh-journal");
        int port;
        try (HeadlessChromium browser = new HeadlessChromium(chromium, dir.resolve("chromium"))) {
            String oldEpoch;
            try (LeaderboardApp app = TestApps.memory(journal, Map.of())) {
                port = app.port();
                oldEpoch = app.store().epoch();
                submit(app, "g1", "alice", "bob", 0);
                submit(app, "g2", "alice", "carol", 0);
                browser.navigate(TestApps.uri(app, "/"));
                awaitPage(browser, p -> p.get("version").asText().equals("2") && p.get("state").asText().equals("live"),
                        "version 2, live");
            }
            awaitPage(browser, p -> p.get("state").asText().equals("reconnecting"), "reconnecting");

            // the server comes back on a new journal: a new count, three games in, under a new epoch.
            // Version 3 after version 2 is not one game later: it is another history.
            String newEpoch;
            try (EmbeddedStore store = EmbeddedStore.open(fresh)) {
                newEpoch = store.epoch();
                store.apply(new Game("n1", "test", "dave", "erin", Game.Result.PLAYER1_WINS));
                store.apply(new Game("n2", "test", "alice", "erin", Game.Result.PLAYER1_WINS));
                store.apply(new Game("n3", "test", "dave", "alice", Game.Result.PLAYER1_WINS));
            }
            assertNotEquals(oldEpoch, newEpoch);
            try (LeaderboardApp again = TestApps.memory(fresh, Map.of("server.port", Integer.toString(port)))) {
                JsonNode back = awaitPage(browser, p -> p.get("state").asText().equals("live")
                        && p.get("version").asText().equals("3") && p.get("toastShown").asBoolean(), "live again at version 3, with a note");
                assertEquals("The server's history was reset: this is its new board, at version 3",
                        back.get("toast").asText(), "a reset, not changes missed across two histories: " + back);
                assertEquals(newEpoch, back.get("reset").asText(), back.toString());
                assertTrue(back.get("resumed").isNull(), "no resumption within an epoch: " + back);
                assertEquals(newEpoch, back.get("epoch").asText(), back.toString());
                assertTrue(back.get("history").asText().matches("new history since .+"), back.toString());
                // the new board as it is, not as moves from the old one: bob and carol are gone, alice
                // (first with 2.0 before) is not marked down, nor her score as changed, nobody as new
                assertEquals(List.of("1 dave 2.0 same 0", "2 alice 1.0 same 0", "3 erin 0.0 same 0"), rows(back), back.toString());
                for (JsonNode r : back.get("rows")) {
                    assertFalse(r.get("highlighted").asBoolean(), "nothing moved within this history: " + back);
                    assertEquals("", r.get("badge").asText(), back.toString());
                    assertFalse(r.get("flashing").asBoolean(), back.toString());
                    assertEquals("false", r.get("scoreChanged").asText(), back.toString());
                }
                assertEquals(0, back.get("samples").asInt(), "the state sent on reconnect is no latency sample: " + back);
                // every reconnect is a new EventSource: it sends no Last-Event-ID of the old history
                assertEquals(0, again.stream().stats().resumed(), "streams that came with a Last-Event-ID");

                // the next game of the new history is compared with its board: grace new at 2, two down
                submit(again, "n4", "grace", "alice", 0);
                JsonNode next = awaitPage(browser, p -> p.get("version").asText().equals("4"), "version 4");
                assertEquals(List.of("1 dave 2.0 same 0", "2 grace 1.0 new 0", "3 alice 1.0 down 1", "4 erin 0.0 down 1"),
                        rows(next), next.toString());
                assertEquals(1, next.get("samples").asInt(), "one live update: " + next);
            }
        }
    }

    @Test
    void aServerBehindTheBoard_neverTakesItBack_andARepeatedVersionIsIgnored() throws Exception {
        Path chromium = chromiumOrFail();
        Path journal = dir.resolve("journal");
        Path atTwo = dir.resolve("journal-at-2");
        int port;
        try (HeadlessChromium browser = new HeadlessChromium(chromium, dir.resolve("chromium"))) {
            try (LeaderboardApp app = TestApps.memory(journal, Map.of())) {
                port = app.port();
                submit(app, "g1", "alice", "bob", 0);
                submit(app, "g2", "carol", "alice", 0);
                browser.navigate(TestApps.uri(app, "/"));
                awaitPage(browser, p -> p.get("version").asText().equals("2") && p.get("state").asText().equals("live"),
                        "version 2, live");
                // the same history two games in: what a server behind this one holds (a replica that
                // lags, an instance that has not seen the last game yet)
                Files.copy(journal, atTwo);
                browser.evaluate(RECORD_VERSIONS);
                submit(app, "g3", "bob", "carol", 0);
                awaitPage(browser, p -> p.get("version").asText().equals("3"), "version 3");
            }
            awaitPage(browser, p -> p.get("state").asText().equals("reconnecting"), "reconnecting");

            Files.copy(atTwo, journal, StandardCopyOption.REPLACE_EXISTING);
            try (LeaderboardApp behind = TestApps.memory(journal, Map.of("server.port", Integer.toString(port)))) {
                JsonNode back = awaitPage(browser, p -> p.get("state").asText().equals("live") && p.get("toastShown").asBoolean(),
                        "live again, with a note");
                assertEquals("3", back.get("version").asText(), "version 2 of the same history is older than the board: " + back);
                assertEquals("Resumed: this server is at version 2, behind the board's 3, which stays until it catches up",
                        back.get("toast").asText(), back.toString());
                assertEquals(List.of("1 carol 1.0 same 0", "2 bob 1.0 up 1", "3 alice 1.0 down 1"), rows(back), back.toString());
                assertEquals("3", back.get("resumed").asText(), back.toString());
                assertTrue(back.get("reset").isNull(), "the same history: no reset: " + back);

                // it catches up: the same game 3 again (the same board), then game 4
                submit(behind, "g3", "bob", "carol", 0);
                submit(behind, "g4", "alice", "bob", 0);
                JsonNode next = awaitPage(browser, p -> p.get("version").asText().equals("4"), "version 4");
                assertEquals(List.of("1 alice 2.0 up 2", "2 carol 1.0 down 1", "3 bob 1.0 down 1"), rows(next), next.toString());
                assertEquals("[\"3\",\"4\"]", browser.evaluate("JSON.stringify(window.shownVersions)").asText(),
                        "versions the page showed, in order: never back to 2, never 3 twice");
                assertEquals(2, next.get("samples").asInt(), "live updates: 3 and 4; the repeated 3 is none: " + next);
            }
        }
    }

    @Test
    void screenshots_atDesktopAndPhoneWidths() throws Exception {
        Path chromium = chromiumOrFail();
        String[] players = {"nova", "kestrel", "orbit", "quill", "ember", "zephyr", "atlas", "lumen", "pixel", "rune", "sable"};
        try (LeaderboardApp app = TestApps.memory(dir.resolve("journal"), Map.of());
             HeadlessChromium browser = new HeadlessChromium(chromium, dir.resolve("chromium"))) {
            int game = 0;
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < players.length; i++) {
                    String a = players[i];
                    String b = players[(i * 3 + round + 1) % players.length];
                    if (!a.equals(b)) {
                        submit(app, "s" + game++, a, b, (i + round) % 3);
                    }
                }
            }
            browser.viewport(1200, 900, 1, false);
            browser.navigate(TestApps.uri(app, "/"));
            awaitPage(browser, p -> p.get("state").asText().equals("live") && p.get("spectators").asText().equals("1"), "live");
            // a minute's worth of live play, quickly: the sparkline fills, rows move
            for (int i = 0; i < 14; i++) {
                String a = players[(i * 5 + 3) % players.length];
                String b = players[(i * 7 + 1) % players.length];
                if (!a.equals(b)) {
                    submit(app, "live" + i, a, b, i % 4 == 3 ? 2 : 0);
                }
                Thread.sleep(220);
            }
            browser.evaluate("document.getElementById('q').value = 'quill';"
                    + " document.getElementById('search').requestSubmit(); true");
            awaitPage(browser, p -> p.get("foundResult").asText().equals("found"), "quill found");
            shoot(browser, 1200, 1, false, "leaderboard-desktop.png");

            submit(app, "phone1", "rune", "nova", 0);
            submit(app, "phone2", "sable", "kestrel", 0);
            Thread.sleep(400);
            shoot(browser, 390, 2, true, "leaderboard-phone.png");
        }
    }

    /** Sizes the viewport to the page's full height at {@code width}, then saves a screenshot. */
    private static void shoot(HeadlessChromium browser, int width, double scale, boolean mobile, String name) throws Exception {
        browser.viewport(width, 800, scale, mobile);
        Thread.sleep(200);
        int height = browser.evaluate("Math.ceil(document.documentElement.scrollHeight)").asInt();
        browser.viewport(width, height, scale, mobile);
        Thread.sleep(300); // rows glide to their places
        Path shot = Path.of("target", "browser", name);
        browser.screenshot(shot);
        assertTrue(Files.size(shot) > 10_000, shot + " is too small to show the page");
        if ("docs".equals(System.getProperty("fanout.screenshots"))) {
            Path docs = Path.of("..", "docs", "images", name);
            Files.createDirectories(docs.getParent());
            Files.copy(shot, docs, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void submit(LeaderboardApp app, String game, String p1, String p2, int result) {
        assertEquals(200, TestApps.post(app, ApiContract.game(game, p1, p2, result), "application/json", null).statusCode());
    }

    private static Path chromiumOrFail() {
        Optional<Path> chromium = HeadlessChromium.find();
        if (chromium.isPresent()) {
            return chromium.get();
        }
        String env = System.getenv("CHROMIUM");
        String why = (env == null || env.isBlank() ? "no Chromium" : "CHROMIUM=" + env + " is not executable")
                + ": install it (apt-get install chromium, as bin/run-tests does), point CHROMIUM at a"
                + " Chrome or Chromium binary, or set " + HeadlessChromium.SKIP_ENV + "=true to skip this test";
        Assumptions.assumeFalse("true".equalsIgnoreCase(System.getenv(HeadlessChromium.SKIP_ENV)), why);
        return fail(why);
    }

    /** Polls the page until it satisfies {@code done}, at most 15 s. */
    private static JsonNode awaitPage(HeadlessChromium browser, Predicate<JsonNode> done, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        JsonNode page = null;
        while (System.nanoTime() < deadline) {
            JsonNode v = browser.evaluate(READ_PAGE);
            if (v.isTextual()) {
                page = ApiContract.JSON.readTree(v.asText());
                if (done.test(page)) {
                    return page;
                }
            }
            Thread.sleep(50);
        }
        Path shot = Path.of("target", "browser", "failed.png");
        browser.screenshot(shot);
        return fail("the page did not show " + what + " within 15 s; it shows " + page + " (screenshot "
                + shot.toAbsolutePath() + "; chromium's output:\n" + browser.logTail() + ")");
    }

    /** Whether every row has glided to its place: its top is the board's top plus (rank - 1) rows. */
    private static boolean rowsSettled(JsonNode page) {
        double h = page.get("rowHeight").asDouble();
        double top = page.get("boardTop").asDouble();
        for (JsonNode r : page.get("rows")) {
            if (Math.abs(r.get("top").asDouble() - (top + (r.get("rank").asInt() - 1) * h)) > 0.5) {
                return false;
            }
        }
        return page.get("rows").size() > 0;
    }

    /** @return rows as "rank player score move delta" */
    private static List<String> rows(JsonNode page) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : page.get("rows")) {
            out.add(String.join(" ", r.get("rank").asText(), r.get("player").asText(), r.get("score").asText(),
                    r.get("move").asText(), r.get("delta").asText()));
        }
        return out;
    }

    private static JsonNode row(JsonNode page, String player) {
        for (JsonNode r : page.get("rows")) {
            if (r.get("player").asText().equals(player)) {
                return r;
            }
        }
        return fail("no row for " + player + " in " + page);
    }
}
