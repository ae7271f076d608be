package dev.fanout.leaderboard;

import java.io.Serial;

/**
 * A write was sent to the store but its answer never came (a timeout, a connection lost while
 * waiting): the game may or may not have been applied, and may still be applied later, when a
 * paused store resumes. Retrying the same game is safe, since a game is applied at most once by
 * its id: the retry answers {@link Applied#DUPLICATE} if the first attempt went through.
 */
public final class StoreOutcomeUnknownException extends StoreUnavailableException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong
     * @param cause   the underlying failure
     */
    public StoreOutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
