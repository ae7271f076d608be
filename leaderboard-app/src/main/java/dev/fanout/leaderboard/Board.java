package dev.fanout.leaderboard;

import dev.fanout.Position;
import java.util.List;
import java.util.Objects;

/**
 * The top of the leaderboard as one store read it, with the store's epoch and version at that
 * moment.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param epoch     the epoch of the version ({@link LeaderboardStore#epoch()}), 1 to 32 of
 *                  {@code [0-9A-Za-z_]}
 * @param version   how many games the store had applied when it was read; grows by one per
 *                  applied game (a duplicate does not count), so within one epoch equal
 *                  versions mean equal boards
 * @param standings the top entries, best first, ranks 1, 2, 3, ...
 */
public record Board(String epoch, long version, List<Standing> standings) {
    /** Validates and copies. */
    public Board {
        Position.of(epoch, 0); // checks the epoch's form
        if (version < 0) {
            throw new IllegalArgumentException("version: " + version + " (expected: >= 0)");
        }
        standings = List.copyOf(Objects.requireNonNull(standings, "standings"));
    }
}
