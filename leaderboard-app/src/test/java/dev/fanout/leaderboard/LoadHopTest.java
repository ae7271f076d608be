package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.leaderboard.load.LoadMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The load generator's hopping against three instances on the test Redis: clients leave their
 * instance for the next one every half second with their {@code Last-Event-ID} while games flow,
 * and the generator's per-client check finds no repeat and no step back, and every client on the
 * final snapshot. A client that came back without its id would be shown the board it had again:
 * the check counts that as a repeat (see {@code VersionCheckTest}).
 */
class LoadHopTest {

    private final String prefix = TestRedis.uniquePrefix();

    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        TestRedis.deleteAll(prefix);
    }

    @Test
    void clientsHoppingBetweenInstances_withTheirLastEventId_neverRepeatNorGoBack_andAllEndOnTheFinalSnapshot()
            throws Exception {
        Map<String, String> cfg = Map.of("leaderboard.rate", "20");
        try (LeaderboardApp a = TestApps.redis(prefix, cfg);
             LeaderboardApp b = TestApps.redis(prefix, cfg);
             LeaderboardApp c = TestApps.redis(prefix, cfg)) {
            String ta = "http://127.0.0.1:" + a.port();
            String tb = "http://127.0.0.1:" + b.port();
            String tc = "http://127.0.0.1:" + c.port();
            Path json = dir.resolve("hop.json");
            StringWriter printed = new StringWriter();
            CommandLine cl = LoadMain.commandLine();
            cl.setOut(new PrintWriter(printed, true));
            int code = cl.execute("run", "--target", ta, "--target", tb, "-n", "120", "--ramp", "1000", "--sources", "1",
                    "--duration", "5", "--warmup", "0.5", "--submit-rate", "40", "--players", "8",
                    "--hop-fraction", "0.5", "--hop-every", "0.5s", "--hop-targets", ta + "," + tb + "," + tc,
                    "--hop-seed", "7", "--settle", "10", "--progress", "1", "--max-time", "60", "--json", json.toString());
            assertEquals(0, code, printed.toString());
            JsonNode s = new ObjectMapper().readTree(Files.readString(json));
            String all = s.toPrettyString();
            JsonNode hops = s.path("hops");
            assertTrue(hops.path("rounds").asInt() >= 5, all);
            assertTrue(hops.path("resumed").asLong() >= 200, "hops happened and streamed again: " + all);
            assertEquals(0, hops.path("given_up").asLong(), all);
            assertEquals(0, hops.path("hopping_at_end").asLong(), all);
            JsonNode check = s.path("events").path("per_client_check");
            assertEquals(0, check.path("repeats").asLong(), all);
            assertEquals(0, check.path("backwards").asLong(), all);
            assertEquals(0, check.path("version_not_forward").asLong(), all);
            assertEquals(0, check.path("resets").asLong(), all);
            assertEquals(0, check.path("clients_with_violations").asLong(), all);
            assertEquals(120, s.path("connections").path("established").asInt(), all);
            assertEquals(0, s.path("connections").path("dropped").asInt(), all);
            assertEquals(3, s.path("targets").size(), "the hop-only instance is a target of its own: " + all);
            long finalVersion = s.path("targets").get(0).path("final_version").asLong();
            assertTrue(finalVersion > 10, all);
            for (JsonNode t : s.path("targets")) {
                assertEquals(finalVersion, t.path("final_version").asLong(), "one sequence on every instance: " + all);
            }
            assertTrue(s.path("all_on_final_snapshot").asBoolean(), all);
            assertTrue(s.path("submissions").path("submit_to_stream_ms").path("count").asLong() > 0, all);
        }
    }

    @Test
    void clientsHoppingAgainWithNothingNew_keepTheIdTheyResumedWith_andAreShownNothingTwice() throws Exception {
        try (LeaderboardApp a = TestApps.redis(prefix, Map.of());
             LeaderboardApp b = TestApps.redis(prefix, Map.of())) {
            String ta = "http://127.0.0.1:" + a.port();
            String tb = "http://127.0.0.1:" + b.port();
            assertEquals(200, TestApps.post(a, ApiContract.game("g1", "ann", "bo", 0), "application/json", null).statusCode());
            Path json = dir.resolve("again.json");
            StringWriter printed = new StringWriter();
            CommandLine cl = LoadMain.commandLine();
            cl.setOut(new PrintWriter(printed, true));
            // no games during the run: a resumed stream is up to date and sends nothing, and the
            // next hop must still send the id the client has
            int code = cl.execute("run", "--target", ta, "-n", "40", "--ramp", "1000", "--sources", "1",
                    "--duration", "3", "--warmup", "0", "--hop-fraction", "1", "--hop-every", "0.5",
                    "--hop-targets", ta + "," + tb, "--settle", "5", "--progress", "1", "--max-time", "60",
                    "--json", json.toString());
            assertEquals(0, code, printed.toString());
            JsonNode s = new ObjectMapper().readTree(Files.readString(json));
            String all = s.toPrettyString();
            assertTrue(s.path("hops").path("resumed").asLong() >= 160, "every client hopped several times: " + all);
            assertEquals(0, s.path("events").path("per_client_check").path("repeats").asLong(), all);
            assertEquals(0, s.path("events").path("per_client_check").path("clients_with_violations").asLong(), all);
            assertEquals(40, s.path("events").path("received").asLong(), "one board per client, never again: " + all);
            assertTrue(s.path("all_on_final_snapshot").asBoolean(), all);
        }
    }
}
