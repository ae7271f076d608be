package dev.fanout.leaderboard;

import java.util.List;
import java.util.Objects;

/**
 * The top of the leaderboard as one store read it, with the store's version at that moment.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param version   how many games the store had applied when it was read; grows by one per
 *                  applied game (a duplicate does not count), so equal versions mean equal boards
 * @param standings the top entries, best first, ranks 1, 2, 3, ...
 */
public record Board(long version, List<Standing> standings) {
    /** Validates and copies. */
    public Board {
        if (version < 0) {
            throw new IllegalArgumentException("version: " + version + " (expected: >= 0)");
        }
        standings = List.copyOf(Objects.requireNonNull(standings, "standings"));
    }
}
