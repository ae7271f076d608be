package dev.fanout;

import java.util.Objects;

/**
 * Why a {@link FlowPublisher}'s subscriber received {@code onError}: its hub subscription, under
 * {@link Overflow#disconnect()}, was full when a message arrived, so the hub closed it with
 * {@link CloseReason#SLOW}. The messages it held were dropped (counted
 * {@link DropCause#DISCONNECTED}). A subscriber that keeps too little demand outstanding is slow
 * in this sense too, however fast its {@code onNext}.
 *
 * <p>Immutable; safe to hand to other threads.
 */
public final class SubscriberTooSlowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The name of the hub the subscription belonged to. */
    private final String hub;
    /** The messages the subscriber was given before the disconnect. */
    private final long delivered;
    /** The messages the disconnect dropped. */
    private final long dropped;

    SubscriberTooSlowException(String hub, Overflow overflow, SubscriptionStats stats) {
        super("hub " + hub + ": subscriber too slow: its buffer of " + stats.capacity() + " was full"
                + " (overflow " + overflow.alias() + "); delivered " + stats.delivered()
                + ", dropped " + stats.dropped(DropCause.DISCONNECTED) + " at the disconnect", null, false, false);
        this.hub = Objects.requireNonNull(hub, "hub");
        this.delivered = stats.delivered();
        this.dropped = stats.dropped(DropCause.DISCONNECTED);
    }

    /** {@return {@link CloseReason#SLOW}: why the subscription ended} */
    public CloseReason closeReason() {
        return CloseReason.SLOW;
    }

    /** {@return the name of the hub the subscription belonged to} */
    public String hubName() {
        return hub;
    }

    /** {@return how many messages the subscriber was given before the disconnect} */
    public long delivered() {
        return delivered;
    }

    /** {@return how many messages the disconnect dropped: the one that found the buffer full and those it held} */
    public long dropped() {
        return dropped;
    }
}
