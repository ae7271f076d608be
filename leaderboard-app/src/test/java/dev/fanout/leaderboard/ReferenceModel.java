package dev.fanout.leaderboard;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The obviously correct leaderboard: a map of scores, sorted on demand. */
final class ReferenceModel {
    private final Map<String, Double> scores = new HashMap<>();
    private final Set<String> games = new HashSet<>();
    private long version;

    static final Comparator<Map.Entry<String, Double>> ORDER = (a, b) -> {
        int c = Double.compare(b.getValue(), a.getValue());
        return c != 0 ? c : Arrays.compareUnsigned(b.getKey().getBytes(StandardCharsets.UTF_8),
                a.getKey().getBytes(StandardCharsets.UTF_8));
    };

    Applied apply(Game g) {
        if (!games.add(g.gameId())) {
            return Applied.DUPLICATE;
        }
        scores.merge(g.player1(), g.result().halfPoints1() / 2.0, Double::sum);
        scores.merge(g.player2(), g.result().halfPoints2() / 2.0, Double::sum);
        version++;
        return Applied.APPLIED;
    }

    List<Standing> top(int limit) {
        List<Map.Entry<String, Double>> all = new ArrayList<>(scores.entrySet());
        all.sort(ORDER);
        List<Standing> out = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, all.size()); i++) {
            out.add(new Standing(i + 1, all.get(i).getKey(), all.get(i).getValue()));
        }
        return out;
    }

    long version() {
        return version;
    }

    Set<String> players() {
        return scores.keySet();
    }
}
