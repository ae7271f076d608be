package dev.fanout.leaderboard;

import java.util.Objects;

/**
 * One player's place on the leaderboard.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param rank   1-based position: score descending, ties by player id descending (Redis's
 *               {@code ZREVRANGE} order, player ids compared as UTF-8 bytes)
 * @param player the player id
 * @param score  the score: +1 per win, +0.5 per draw, +0 per loss
 */
public record Standing(long rank, String player, double score) {
    /** Validates. */
    public Standing {
        if (rank < 1) {
            throw new IllegalArgumentException("rank: " + rank + " (expected: >= 1)");
        }
        Objects.requireNonNull(player, "player");
    }
}
