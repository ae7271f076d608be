package dev.fanout.leaderboard.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code load verify-acks}: after a crash and a restart on an empty-before-the-run store, checks
 * that every acknowledged game id was counted exactly once.
 *
 * <p>How: each game adds exactly one point in total (a win +1, a draw +0.5 twice). Before
 * anything is changed, the sum of all scores must be at least the number of acknowledged games
 * and at most the number sent (every acknowledged game present, nothing counted twice). Then each
 * sent id is submitted again: an acknowledged one must answer {@code duplicate} (it survived),
 * an unacknowledged one may answer either (it was in flight at the crash). Afterwards the sum of
 * scores must equal the number of distinct ids sent: every game counted exactly once.
 */
@Command(name = "verify-acks", mixinStandardHelpOptions = true,
        description = "After a crash: every acknowledged game id counted exactly once.")
final class VerifyAcks implements Callable<Integer> {

    @Option(names = "--target", defaultValue = "http://127.0.0.1:8080", description = "The restarted instance (default: ${DEFAULT-VALUE}).")
    URI target;

    @Option(names = "--ids", required = true, description = "The --ids-out prefix of the run: <prefix>.sent and <prefix>.acked.")
    Path ids;

    @Option(names = "--players", defaultValue = "50", description = "Players of the run (at most 1000) (default: ${DEFAULT-VALUE}).")
    int players;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @Override
    public Integer call() throws Exception {
        Loopback.target(target);
        List<String> sent = Files.readAllLines(Path.of(ids + ".sent"));
        Set<String> acked = new HashSet<>(Files.readAllLines(Path.of(ids + ".acked")));
        Set<String> distinct = new HashSet<>(sent);
        double before = scoreSum();
        long lost = 0;
        long inFlightApplied = 0;
        long inFlightMissing = 0;
        for (String id : distinct) {
            String outcome = resubmit(id);
            boolean dup = outcome.equals("duplicate");
            if (acked.contains(id)) {
                if (!dup) {
                    lost++;
                    System.out.println("LOST: acknowledged game " + id + " was not in the store");
                }
            } else if (dup) {
                inFlightApplied++;
            } else {
                inFlightMissing++;
            }
        }
        double after = scoreSum();
        boolean ok = lost == 0 && before >= acked.size() && before <= distinct.size() && after == distinct.size()
                && before == acked.size() + inFlightApplied;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("sent", distinct.size());
        r.put("acked", acked.size());
        r.put("score_sum_after_restart", before);
        r.put("acked_lost", lost);
        r.put("unacked_but_applied", inFlightApplied);
        r.put("unacked_not_applied", inFlightMissing);
        r.put("score_sum_after_resubmitting_all", after);
        r.put("every_ack_counted_exactly_once", ok);
        System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(r));
        return ok ? 0 : 1;
    }

    private double scoreSum() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(target.resolve("/leaderboard?limit=" + Math.min(1000, players)))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET /leaderboard: " + r.statusCode() + " " + r.body());
        }
        double sum = 0;
        for (JsonNode e : json.readTree(r.body()).path("entries")) {
            sum += e.path("score").asDouble();
        }
        return sum;
    }

    private String resubmit(String id) throws Exception {
        Map<String, Object> game = new LinkedHashMap<>();
        game.put("game_id", id);
        game.put("server_id", "verify");
        game.put("player1_id", "p0");
        game.put("player2_id", "p1");
        game.put("result", 2);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(target.resolve("/submit-game"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(game))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("POST /submit-game " + id + ": " + r.statusCode() + " " + r.body());
        }
        return json.readTree(r.body()).path("outcome").asText();
    }
}
