package dev.fanout.leaderboard;

/** What a store did with a submitted game. */
public enum Applied {
    /** The game was new: it is now durable and counted. */
    APPLIED,
    /** A game with this id was already applied: nothing changed. */
    DUPLICATE
}
