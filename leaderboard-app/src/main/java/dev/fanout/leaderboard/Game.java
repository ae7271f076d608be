package dev.fanout.leaderboard;

import java.util.Objects;

/**
 * A validated game result, as a game server submitted it.
 *
 * <p>Immutable; safe to share between threads. The constructor only checks for nulls: the
 * HTTP layer ({@code SubmissionParser}) enforces lengths and characters before one is made.
 *
 * @param gameId   the idempotency key: a second game with the same id changes nothing
 * @param serverId the submitting game server (kept for the journal and logs)
 * @param player1  player 1's id
 * @param player2  player 2's id, different from player 1
 * @param result   {@link Result#PLAYER1_WINS}, {@link Result#PLAYER2_WINS} or {@link Result#DRAW}
 */
public record Game(String gameId, String serverId, String player1, String player2, Result result) {

    /** The outcome of a game and the points it gives, in half points to stay exact. */
    public enum Result {
        /** Wire value 0: player 1 gets +1, player 2 gets +0. */
        PLAYER1_WINS(2, 0),
        /** Wire value 1: player 2 gets +1, player 1 gets +0. */
        PLAYER2_WINS(0, 2),
        /** Wire value 2: each player gets +0.5. */
        DRAW(1, 1);

        private final int halfPoints1;
        private final int halfPoints2;

        Result(int halfPoints1, int halfPoints2) {
            this.halfPoints1 = halfPoints1;
            this.halfPoints2 = halfPoints2;
        }

        /** @return the wire value: 0, 1 or 2 */
        public int code() {
            return ordinal();
        }

        /**
         * @param code the wire value
         * @return the result
         * @throws IllegalArgumentException outside 0..2
         */
        public static Result of(int code) {
            return switch (code) {
                case 0 -> PLAYER1_WINS;
                case 1 -> PLAYER2_WINS;
                case 2 -> DRAW;
                default -> throw new IllegalArgumentException("result: " + code + " (expected: 0, 1 or 2)");
            };
        }

        /** @return player 1's gain in half points */
        public int halfPoints1() {
            return halfPoints1;
        }

        /** @return player 2's gain in half points */
        public int halfPoints2() {
            return halfPoints2;
        }
    }

    /** Checks for nulls and for the same player twice. */
    public Game {
        Objects.requireNonNull(gameId, "gameId");
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(player1, "player1");
        Objects.requireNonNull(player2, "player2");
        Objects.requireNonNull(result, "result");
        if (player1.equals(player2)) {
            throw new IllegalArgumentException("player2_id: equals player1_id (expected: two different players)");
        }
    }
}
