package dev.fanout;

import java.util.Objects;

/**
 * One published message and the sequence number the hub gave it.
 *
 * <p>Immutable and safe to share between threads: the queue engine hands the same instance to
 * every subscriber of a message; the ring engine makes one when {@code poll} or {@code await}
 * returns it (its {@code drain} and push handlers receive the sequence and message without one).
 * Sequence numbers start at 1 and increase by one per published message of a hub, so a jump
 * between two deliveries of one subscription tells that messages were missed there.
 *
 * @param <T> the message type
 */
public final class Delivery<T> {
    private final long sequence;
    private final T message;

    Delivery(long sequence, T message) {
        this.sequence = sequence;
        this.message = message;
    }

    /**
     * A delivery made outside a hub: what a {@link Backfill} returns.
     *
     * @param sequence the message's sequence number, at least 1
     * @param message  the message, not null
     * @param <T>      the message type
     * @return the delivery
     */
    public static <T> Delivery<T> of(long sequence, T message) {
        return new Delivery<>(Checks.positive("sequence", sequence), Objects.requireNonNull(message, "message"));
    }

    /** {@return the hub's sequence number for this message, at least 1} */
    public long sequence() {
        return sequence;
    }

    /** {@return the published message, never null} */
    public T message() {
        return message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Delivery<?> other
                && other.sequence == sequence
                && other.message.equals(message);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(sequence) * 31 + message.hashCode();
    }

    @Override
    public String toString() {
        return "Delivery[" + sequence + ", " + Objects.toString(message) + "]";
    }
}
