package dev.fanout;

import java.util.Arrays;
import java.util.Objects;

/**
 * Drops by cause, immutable: the one place the causes are summed, shared by
 * {@link SubscriptionStats}, {@link HubStats} and {@link PublishResult}.
 */
final class DropCounts {
    private final long[] counts;

    private DropCounts(long[] counts) {
        this.counts = counts;
    }

    /** @param counts indexed by {@link DropCause#ordinal()}; at least that long, copied */
    static DropCounts of(long[] counts) {
        return new DropCounts(Arrays.copyOf(counts, Counts.DROP_CAUSES));
    }

    static DropCounts of(int[] counts) {
        long[] c = new long[Counts.DROP_CAUSES];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts[i];
        }
        return new DropCounts(c);
    }

    long get(DropCause cause) {
        return counts[Objects.requireNonNull(cause, "cause").ordinal()];
    }

    long total() {
        return Counts.total(counts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DropCounts d && Arrays.equals(d.counts, counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counts);
    }

    /** @return e.g. {@code oldest=1, timedOut=2}, only the causes with drops */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                b.append(b.isEmpty() ? "" : ", ").append(Counts.cause(i).name().toLowerCase(java.util.Locale.ROOT))
                        .append('=').append(counts[i]);
            }
        }
        return b.toString();
    }
}
