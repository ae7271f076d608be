package dev.fanout;

/**
 * Why a message did not reach a subscriber. Every loss is counted per subscription and per
 * hub under exactly one cause.
 */
public enum DropCause {
    /** {@link Overflow#dropOldest()}: the buffer was full, so its oldest message was discarded to make room. */
    OLDEST,
    /** {@link Overflow#dropNewest()}: the buffer was full, so the new message was not queued. */
    NEWEST,
    /** {@link Overflow#latestOnly()} or {@link Overflow#latestPerKey}: a newer message replaced it before it was taken. */
    SUPERSEDED,
    /** A lossless subscriber's buffer stayed full for longer than its wait limit, so the new message was not queued. */
    TIMEOUT,
    /** {@link Overflow#disconnect()}: the subscriber was full and was closed; the message that found it full and what it still held. */
    DISCONNECTED,
    /** The subscription or hub closed first: queued messages discarded by {@link Subscription#close()}, or a publish waiting for room released by a close. */
    CLOSED
}
