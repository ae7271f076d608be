package dev.fanout;

import java.time.Duration;
import java.util.Objects;

/**
 * How much of its past a hub keeps so that a subscriber can resume from a sequence number or
 * start from the latest message: the last {@code n} messages, the messages of the last
 * {@code d} of time, or both (a message is dropped from history when either limit says so).
 *
 * <p>Immutable; may be shared between hubs. Time is read from the hub's
 * {@linkplain Hub.Builder#clock clock}.
 */
public final class History {
    private static final History NONE = new History(0, null);

    private final int maxCount;
    private final Duration maxAge;

    private History(int maxCount, Duration maxAge) {
        this.maxCount = maxCount;
        this.maxAge = maxAge;
    }

    /** {@return no history: the hub keeps nothing, and resuming is refused} */
    public static History none() {
        return NONE;
    }

    /**
     * A history that keeps the newest {@code count} messages.
     *
     * @param count how many of the newest messages to keep, more than zero
     * @return that history
     */
    public static History last(int count) {
        return new History(Checks.positive("count", count), null);
    }

    /** {@return the history that keeps only the newest message: enough for {@code startWithLatest}} */
    public static History latest() {
        return last(1);
    }

    /**
     * Keeps the messages published within {@code age}, at most {@link #MAX_COUNT}.
     *
     * @param age how long a message is kept, more than zero
     * @return that history
     */
    public static History lastFor(Duration age) {
        return new History(MAX_COUNT, Checks.positive("age", age));
    }

    /** The most messages a time-bounded history keeps without a count of its own: 2^20. */
    public static final int MAX_COUNT = 1 << 20;

    /**
     * This history with an age limit too: a message older than {@code age} is dropped even when
     * the count would keep it.
     *
     * @param age also drop messages older than this, more than zero
     * @return a history with both limits
     * @throws IllegalStateException on {@link #none()}, which keeps no message to age
     */
    public History within(Duration age) {
        if (maxCount == 0) {
            throw new IllegalStateException("history: none (expected: a count to add an age to)");
        }
        return new History(maxCount, Checks.positive("age", age));
    }

    /** {@return the most messages kept, 0 for none} */
    public int maxCount() {
        return maxCount;
    }

    /** {@return the age limit, or {@link Duration#ZERO} for none} */
    public Duration maxAge() {
        return maxAge == null ? Duration.ZERO : maxAge;
    }

    boolean isNone() {
        return maxCount == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof History h && h.maxCount == maxCount && Objects.equals(h.maxAge, maxAge);
    }

    @Override
    public int hashCode() {
        return maxCount * 31 + Objects.hashCode(maxAge);
    }

    @Override
    public String toString() {
        return isNone() ? "History[none]" : "History[last " + maxCount + (maxAge == null ? "" : " within " + maxAge) + "]";
    }
}
