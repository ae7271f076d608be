package dev.fanout.redis;

import java.io.Serial;

/**
 * Redis could not be used for a publish or a subscribe, and what that means for the message:
 * {@link Outcome#NOT_APPLIED} (it is not in the stream, and will not be: publish it again) or
 * {@link Outcome#UNKNOWN} (it was sent and no answer came: it may be in the stream, or appear
 * there once Redis answers; every instance then delivers it under its sequence number).
 */
public final class RedisStreamException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** What is known of the message of a failed call. */
    public enum Outcome {
        /** Not in the stream: it was never sent, or Redis refused it. */
        NOT_APPLIED,
        /** Sent without an answer (a timeout, a connection lost on the way): it may be in the stream. */
        UNKNOWN
    }

    /** Whether the failed command may have reached the stream. */
    private final Outcome outcome;

    RedisStreamException(Outcome outcome, String message, Throwable cause) {
        super(message + " (" + outcome + ")", cause);
        this.outcome = outcome;
    }

    /** {@return whether the message may be in the stream} */
    public Outcome outcome() {
        return outcome;
    }
}
