package dev.fanout;

/** Why a subscription ended. */
public enum CloseReason {
    /** {@link Subscription#close()} was called. */
    CLOSED,
    /** {@link Overflow#disconnect()}: the subscriber's buffer was full when a message arrived. */
    SLOW,
    /** The hub was closed; the subscription delivered what it held and then ended. */
    HUB_CLOSED
}
