package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
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
 * The page in a real headless Chromium: it shows the leaderboard over EventSource and updates
 * after a submission. Leaves a screenshot in {@code target/browser/leaderboard.png}.
 *
 * <p>Without Chromium the test fails, saying how to install it ({@code bin/run-tests} does), unless
 * {@code FANOUT_SKIP_BROWSER_TESTS=true} says to skip it.
 */
class PageInBrowserTest {

    /** What the page shows: connection state, version, last update and the table rows. */
    private static final String READ_PAGE = """
            document.getElementById('state') === null ? null : JSON.stringify({
              state: document.getElementById('state').textContent,
              version: document.getElementById('version').textContent,
              updated: document.getElementById('updated').textContent,
              rows: [...document.querySelectorAll('#rows tr')].map(tr => [...tr.cells].map(c => c.textContent))
            })""";

    @TempDir
    Path dir;

    @Test
    void pageShowsTheLeaderboard_andUpdatesAfterASubmission() throws Exception {
        Path chromium = chromiumOrFail();
        try (LeaderboardApp app = TestApps.memory(dir.resolve("journal"), Map.of());
             HeadlessChromium browser = new HeadlessChromium(chromium, dir.resolve("chromium"))) {
            assertEquals(200, TestApps.post(app, ApiContract.game("g1", "alice", "bob", 0), "application/json", null)
                    .statusCode());

            browser.navigate(TestApps.uri(app, "/"));
            JsonNode first = awaitPage(browser, p -> p.get("version").asText().equals("1")
                    && p.get("state").asText().equals("open"), "the first snapshot");
            assertEquals(List.of(List.of("1", "alice", "1.0"), List.of("2", "bob", "0.0")), rows(first), first.toString());
            assertNotEquals("never", first.get("updated").asText());

            // carol beats alice, then draws with dave: carol 1.5, alice 1, dave 0.5, bob 0
            assertEquals(200, TestApps.post(app, ApiContract.game("g2", "carol", "alice", 0), "application/json", null)
                    .statusCode());
            assertEquals(200, TestApps.post(app, ApiContract.game("g3", "carol", "dave", 2), "application/json", null)
                    .statusCode());
            JsonNode updated = awaitPage(browser, p -> p.get("version").asText().equals("3"), "the update");
            assertEquals(List.of(List.of("1", "carol", "1.5"), List.of("2", "alice", "1.0"),
                    List.of("3", "dave", "0.5"), List.of("4", "bob", "0.0")), rows(updated), updated.toString());
            assertEquals("open", updated.get("state").asText());

            browser.screenshot(Path.of("target", "browser", "leaderboard.png"));
        }
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

    private static List<List<String>> rows(JsonNode page) {
        List<List<String>> out = new ArrayList<>();
        for (JsonNode row : page.get("rows")) {
            List<String> cells = new ArrayList<>();
            row.forEach(c -> cells.add(c.asText()));
            out.add(cells);
        }
        return out;
    }

}
