package dev.fanout;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a subscriber stands in a hub's stream: the hub's {@linkplain Hub#epoch() epoch} and a
 * sequence number. Sequence numbers mean something only within their epoch, which changes
 * whenever the history behind them is lost (a new process, a reclaimed topic, a cluster stream
 * that was deleted); so a position from another epoch is never resumed as if it were this
 * one's: {@link SubscriptionBuilder#resumeAfter(Position)} treats it as a gap.
 *
 * <p>Its text form, {@code epoch-sequence} (such as {@code k3f9q2-1042}), suits an SSE event id
 * and {@code Last-Event-ID}. Immutable.
 */
public final class Position {
    private static final Pattern EPOCH = Pattern.compile("[0-9A-Za-z_]{1,32}");

    private final String epoch;
    private final long sequence;

    private Position(String epoch, long sequence) {
        this.epoch = epoch;
        this.sequence = sequence;
    }

    /**
     * The position of message {@code sequence} of epoch {@code epoch}.
     *
     * @param epoch    1 to 32 characters of {@code [0-9A-Za-z_]}
     * @param sequence at least 0 (0: before the first message)
     * @return the position
     * @throws IllegalArgumentException for an epoch or sequence outside those ranges
     */
    public static Position of(String epoch, long sequence) {
        return new Position(checkEpoch(epoch), Checks.nonNegative("sequence", sequence));
    }

    /**
     * Reads the text form {@code epoch-sequence}.
     *
     * @param text the text, for instance a {@code Last-Event-ID}
     * @return the position, or empty when the text is not of that form
     */
    public static Optional<Position> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        int dash = text.lastIndexOf('-');
        if (dash <= 0 || dash == text.length() - 1 || !EPOCH.matcher(text.substring(0, dash)).matches()) {
            return Optional.empty();
        }
        String digits = text.substring(dash + 1);
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(new Position(text.substring(0, dash), Long.parseLong(digits)));
        } catch (NumberFormatException e) {
            return Optional.empty(); // too long for a long
        }
    }

    static String checkEpoch(String epoch) {
        Objects.requireNonNull(epoch, "epoch");
        if (!EPOCH.matcher(epoch).matches()) {
            throw new IllegalArgumentException("epoch: \"" + epoch + "\" (expected: 1 to 32 of [0-9A-Za-z_])");
        }
        return epoch;
    }

    /** {@return the epoch} */
    public String epoch() {
        return epoch;
    }

    /** {@return the sequence number within the epoch} */
    public long sequence() {
        return sequence;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Position p && p.sequence == sequence && p.epoch.equals(epoch);
    }

    @Override
    public int hashCode() {
        return epoch.hashCode() * 31 + Long.hashCode(sequence);
    }

    /** {@return {@code epoch-sequence}, what {@link #parse(String)} reads back} */
    @Override
    public String toString() {
        return epoch + "-" + sequence;
    }
}
