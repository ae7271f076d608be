package dev.fanout;

import java.util.Objects;

/**
 * One published message and the sequence number the hub gave it.
 *
 * <p>A hub creates one {@code Delivery} per published message and hands the same instance to
 * every subscriber that receives it, so it is immutable and safe to share between threads.
 * Sequence numbers start at 1 and increase by one per published message of a hub, so a jump
 * between two deliveries of one subscription tells that messages were missed there.
 *
 * @param <T> the message type
 */
public final class Delivery<T> {
    private final long sequence;
    private final T message;
    private final long publishedNanos;

    Delivery(long sequence, T message, long publishedNanos) {
        this.sequence = sequence;
        this.message = message;
        this.publishedNanos = publishedNanos;
    }

    /** @return the hub's sequence number for this message, at least 1 */
    public long sequence() {
        return sequence;
    }

    /** @return the published message, never null */
    public T message() {
        return message;
    }

    /**
     * @return {@link System#nanoTime()} read when the message was published: for measuring
     *         publish-to-delivery latency within this JVM, meaningless elsewhere
     */
    public long publishedNanos() {
        return publishedNanos;
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
