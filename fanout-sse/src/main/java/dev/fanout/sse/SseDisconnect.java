package dev.fanout.sse;

/** Why a stream ended. Every stream that was opened ends with exactly one cause. */
public enum SseDisconnect {
    /** A write failed: the client closed the connection or went away. */
    CLIENT_GONE,
    /** A write made no progress for the stall timeout: the client stopped reading. */
    STALLED,
    /** The subscription was closed as too slow ({@code Overflow.disconnect()}). */
    SLOW,
    /** The hub was closed; the stream first wrote what its subscription held. */
    HUB_CLOSED,
    /** The handler was closed, or the server stopped (its thread was interrupted). */
    SHUTDOWN,
    /** Anything else that ended a stream unexpectedly (a bug; never a client's doing). */
    ERROR
}
