package dev.fanout.leaderboard;

import java.util.Optional;

/**
 * Where scores live: the embedded store ({@code memory}) or Redis. Both give identical answers
 * for the same games: score descending, ties by player id descending (UTF-8 byte order, as
 * Redis's {@code ZREVRANGE}); a losing player is listed with +0.
 *
 * <h2>Threads</h2>
 * Every method is safe from any thread, concurrently. {@link #apply(Game)} is atomic and
 * idempotent by game id, also when two submissions of one id race: exactly one of them
 * returns {@link Applied#APPLIED}. When {@code apply} returns, the game is durable and visible
 * to every later read on this instance.
 *
 * <h2>Errors</h2>
 * A store that cannot serve throws {@link StoreUnavailableException}; nothing was half-applied.
 * From {@link #apply(Game)} it means the game was not applied, except for its subclass
 * {@link StoreOutcomeUnknownException}: the write was sent and its answer lost, so the game may
 * have been applied (or be applied later); retrying the same game id is safe.
 */
public interface LeaderboardStore extends AutoCloseable {

    /**
     * Applies a game once.
     *
     * @param game the game
     * @return {@link Applied#APPLIED} the first time this game id is seen, {@link Applied#DUPLICATE} after
     * @throws StoreUnavailableException  when the game was not applied
     * @throws StoreOutcomeUnknownException when the game may or may not have been applied
     */
    Applied apply(Game game);

    /**
     * @param limit the most entries, at least 1
     * @return the top {@code limit} entries and the version they belong to
     * @throws StoreUnavailableException when the store cannot be read
     */
    Board top(int limit);

    /**
     * @param player a player id
     * @return the player's rank and score, or empty for a player no game mentioned
     * @throws StoreUnavailableException when the store cannot be read
     */
    Optional<Standing> standing(String player);

    /**
     * @return the number of games applied so far, cheaply (for change detection); a number of
     *         {@link #epoch()}
     * @throws StoreUnavailableException when the store cannot be read
     */
    long version();

    /**
     * The epoch of the version sequence: versions mean something only within it. It stays the
     * same while the store keeps its games (a restart on the same journal, the same Redis
     * data), and changes whenever the count starts over or games are renumbered (a new or
     * repaired journal, a flushed or new Redis), so that an old version is never taken for a
     * new one: a stream client holding an id of another epoch is reset to the current board.
     *
     * <p>A read: it writes nothing. A shared store whose data has no epoch yet (no game applied
     * since it was created or lost) answers {@link Epochs#NONE}; {@link #startEpoch()} draws one.
     *
     * @return 1 to 32 of {@code [0-9A-Za-z_]}
     * @throws StoreUnavailableException when the store cannot be read
     */
    String epoch();

    /**
     * Draws the epoch if the store has none yet ({@link #epoch()} is {@link Epochs#NONE}),
     * atomically with any other writer, so that an empty board can be published under an epoch;
     * the change feed calls it, never a request.
     *
     * @return the epoch, never {@link Epochs#NONE}
     * @throws StoreUnavailableException when the store cannot be written
     */
    String startEpoch();

    /**
     * Registers the action to run after every change, local or (for a shared store) made by
     * another instance. It runs on a store thread and must be quick: the change feed only marks
     * itself dirty. Set once, before games are applied.
     *
     * @param onChange the action
     */
    void onChange(Runnable onChange);

    /** @return a short description for the start-up log line, such as {@code memory (journal data/x)} */
    String describe();

    /** Releases files and connections; idempotent. */
    @Override
    void close();
}
