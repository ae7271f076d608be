package dev.fanout.leaderboard.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.leaderboard.LeaderboardApp;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The generator against an in-process app: a few hundred streams from two source addresses,
 * games submitted meanwhile, every stream on the final snapshot, every acknowledged game counted
 * once (verify-acks). A smoke test of the tool, not a measurement.
 */
class LoadGeneratorEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void streamsSubmitsAndVerifies() throws Exception {
        try (LeaderboardApp app = LeaderboardApp.start(Config.just(ConfigSources.create(Map.of(
                "server.host", "127.0.0.1",
                "server.port", "0",
                "leaderboard.store", "memory",
                "leaderboard.journal", dir.resolve("journal").toString(),
                "leaderboard.rate", "20",
                "leaderboard.heartbeat", "PT1S"))))) {
            String target = "http://127.0.0.1:" + app.port();
            Path json = dir.resolve("summary.json");
            StringWriter printed = new StringWriter();
            CommandLine cl = LoadMain.commandLine();
            cl.setOut(new PrintWriter(printed, true));
            int code = cl.execute("run", "--target", target, "-n", "300", "--ramp", "1000",
                    "--sources", "2", "--duration", "3", "--warmup", "0.5", "--submit-rate", "100", "--players", "20",
                    "--ids-out", dir.resolve("ids").toString(), "--progress", "1", "--max-time", "60",
                    "--json", json.toString());
            assertEquals(0, code, printed.toString());
            // progress a person can follow: phase, elapsed and left, open/target, events/s, p99
            List<String> progress = printed.toString().lines().filter(l -> l.startsWith("[")).toList();
            assertTrue(progress.size() >= 3, printed.toString());
            Pattern line = Pattern.compile("\\[(ramp   |warm-up|steady |settle )] \\d+:\\d\\d elapsed, (up to )?\\d+:\\d\\d left"
                    + " \\| open [\\d,]+/300, failed \\d+, dropped \\d+ \\| [\\d,]+ events/s \\| p99 (-|\\d+\\.\\d\\d ms)"
                    + " \\(last \\d+ s: (-|\\d+\\.\\d\\d ms)\\) \\| server streams [\\d,]+ \\| games [\\d,]+ sent, [\\d,]+ acked, \\d+ errors?");
            for (String l : progress) {
                assertTrue(line.matcher(l).matches(), l);
            }
            assertTrue(progress.stream().anyMatch(l -> l.startsWith("[steady ]") && l.contains("open 300/300")
                    && l.matches(".* p99 \\d+\\.\\d\\d ms .*")), "a steady line with every connection open and a p99:\n" + printed);
            JsonNode s = new ObjectMapper().readTree(Files.readString(json));
            JsonNode c = s.path("connections");
            assertEquals(300, c.path("established").asInt(), s.toPrettyString());
            assertEquals(0, c.path("failed").asInt(), s.toPrettyString());
            assertEquals(0, c.path("dropped").asInt(), s.toPrettyString());
            assertTrue(s.path("all_on_final_snapshot").asBoolean(), s.toPrettyString());
            assertTrue(s.path("events").path("received").asLong() >= 300, s.toPrettyString());
            assertTrue(s.path("latency_ms").path("count").asLong() > 0, s.toPrettyString());
            JsonNode sub = s.path("submissions");
            assertTrue(sub.path("acked").asLong() > 100, s.toPrettyString());
            assertEquals(sub.path("sent").asLong(), sub.path("acked").asLong(), s.toPrettyString());
            assertTrue(sub.path("submit_to_stream_ms").path("count").asLong() > 0, s.toPrettyString());

            int verified = LoadMain.commandLine().execute("verify-acks", "--target", target,
                    "--ids", dir.resolve("ids").toString(), "--players", "20");
            assertEquals(0, verified);
        }
    }

    @Test
    void refusesANonLoopbackTarget() {
        assertTrue(LoadMain.commandLine().execute("run", "--target", "http://10.1.2.3:8080", "-n", "1",
                "--duration", "0") != 0);
    }
}
