package dev.fanout.leaderboard;

import java.io.Serial;

/**
 * The store cannot take or serve a request right now (Redis down, journal failing). Nothing was
 * half-applied: the caller may retry the same game, which is idempotent by its id. Thrown as
 * such, it also means the write was not applied; its subclass
 * {@link StoreOutcomeUnknownException} means the store may have applied it.
 */
public class StoreUnavailableException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is unavailable
     * @param cause   the underlying failure
     */
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
