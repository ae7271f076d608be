package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard in {@code docs/} reads only series the app really exports: every metric
 * name in its queries, with every label value it selects, appears on {@code /metrics}.
 */
class DashboardMetricsTest {

    private static final Path DASHBOARD = Path.of("..", "docs", "grafana-leaderboard.json");
    /** A metric of ours in a PromQL expression, with its label matchers if any. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:leaderboard|fanout)_[a-z_]+)(?:\\{([^}]*)})?");
    private static final Pattern EQUALS = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    @TempDir
    Path dir;

    @Test
    void everySeriesTheDashboardQueries_isExported() throws Exception {
        List<String> exprs = new ArrayList<>();
        collectExprs(ApiContract.JSON.readTree(Files.readString(DASHBOARD)), exprs);
        assertFalse(exprs.isEmpty(), "no queries in " + DASHBOARD);

        try (LeaderboardApp app = TestApps.memory(dir.resolve("journal"), Map.of())) {
            HttpResponse<String> r = TestApps.get(app, "/metrics");
            assertEquals(200, r.statusCode());
            List<String> series = r.body().lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
            int checked = 0;
            for (String expr : exprs) {
                Matcher m = METRIC.matcher(expr);
                while (m.find()) {
                    String name = m.group(1);
                    List<String> wanted = new ArrayList<>();
                    if (m.group(2) != null) {
                        Matcher eq = EQUALS.matcher(m.group(2));
                        while (eq.find()) {
                            wanted.add(eq.group(1) + "=\"" + eq.group(2) + "\"");
                        }
                    }
                    boolean found = series.stream().anyMatch(s -> (s.startsWith(name + "{") || s.startsWith(name + " "))
                            && wanted.stream().allMatch(s::contains));
                    assertTrue(found, name + " " + wanted + " (in " + expr + ") is not on /metrics");
                    checked++;
                }
            }
            assertTrue(checked >= 10, "only " + checked + " series checked");
        }
    }

    private static void collectExprs(JsonNode node, List<String> out) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("expr") || e.getKey().equals("definition")) {
                    out.add(e.getValue().asText());
                } else {
                    collectExprs(e.getValue(), out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectExprs(n, out));
        }
    }
}
